/** Round trips per extra call once the window is back just under where the last limit hit. */
const PLATEAU_ROUNDS = 8;

/** Weight of one call's outcome in the moving share of overloaded answers (about the last 32 calls). */
const OVERLOAD_GAIN = 1 / 32;

/** Below this share of overloaded answers, a 529 backs off its own call and leaves the window alone. */
const OVERLOAD_TOLERANCE = 0.1;

/**
 * What refused a call: `rate-limit` (429: this client is over its limit) or
 * `overload` (529: the service is overloaded, for everyone).
 */
export type LimitKind = 'rate-limit' | 'overload';

/** A change of an endpoint's window worth telling the user about. */
export interface WindowChange {
  /** The new window: whole calls in flight. */
  window: number;
  change: 'grew' | 'shrank';
  /** Why, in a few words. */
  reason: string;
}

/**
 * An endpoint's adaptive window of calls in flight: additive increase,
 * multiplicative decrease, as TCP's congestion window and Envoy's adaptive
 * concurrency. It starts open: the plan's concurrency is the first burst
 * (a smaller start would cost every run a whole round trip of the calls
 * beyond it, and the limits the answers state pace the calls from the first
 * answer on). The first answer with rate-limit headers, or the first 429 or
 * 529, closes it around the calls in flight; from there it grows by one per
 * success (slow start, doubling per round trip) until the first limit, then
 * by one per window's worth of successes, and eight times slower once just
 * under the window the last limit hit (probing it, not hammering it). A
 * rate limit (429) halves it, once per round trip: a burst of 429s from
 * calls started before the last decrease counts once. An overload (529)
 * shrinks it only once more than a tenth of recent answers were overloaded,
 * and then in proportion to that share, as DCTCP scales its decrease by the
 * share of marked packets: a service overloaded for everyone answers a few
 * scattered 529s that say little about this client's load (halving on each
 * collapsed a run with 3 % of its calls overloaded to a window of 1 to 5,
 * and its wall time 37-fold), while a storm of them (every answer
 * overloaded, as from a server whose queue this client fills) still halves
 * it about once per round trip.
 */
export class AdaptiveWindow {
  #size = Number.POSITIVE_INFINITY;
  #threshold = Number.POSITIVE_INFINITY;
  #state: 'open' | 'adaptive' = 'open';
  /** Calls started so far: a call's number tells whether it started before the last decrease. */
  #started = 0;
  #decreasedAt = -1;
  /** The window when the last limit hit: growth slows to a crawl just under it (a plateau, as TCP CUBIC's). */
  #limitedAt = Number.POSITIVE_INFINITY;
  #reported = 0;
  /** Moving share of answers that were overloaded (529), from 0 to 1. */
  #overloadShare = 0;

  /** Counts a call that starts now; returns its number, for {@link AdaptiveWindow.limited}. */
  started(): number {
    return this.#started++;
  }

  /** Whole calls allowed in flight; Infinity when open. */
  get limit(): number {
    return this.#state === 'open' ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(this.#size));
  }

  /**
   * A call succeeded with `inFlight` calls in flight (itself included).
   * `full`: the window held calls back when it ended (it only grows when it
   * was what limited the calls); `signalled`: the answer carried rate-limit
   * headers, which close an open window around the calls in flight.
   */
  succeeded(full: boolean, signalled: boolean, inFlight: number): WindowChange | undefined {
    this.#overloadShare *= 1 - OVERLOAD_GAIN;
    if (this.#state === 'open') {
      if (!signalled) return undefined;
      this.#state = 'adaptive';
      this.#size = Math.max(1, inFlight);
      this.#reported = this.#size;
      return { window: this.#size, change: 'shrank', reason: 'the endpoint states its rate limits' };
    }
    if (!full) return undefined;
    if (this.#size < this.#threshold) this.#size += 1;
    else this.#size += this.#size + 1 < this.#limitedAt ? 1 / this.#size : 1 / (this.#size * PLATEAU_ROUNDS);
    // Told at each quarter of growth, not per success: a window of 200 would otherwise be 170 events.
    if (this.limit < this.#reported * 1.25) return undefined;
    this.#reported = this.limit;
    return { window: this.limit, change: 'grew', reason: 'calls succeed' };
  }

  /**
   * Call number `call` (from {@link AdaptiveWindow.started}) was refused by
   * a rate limit or an overload (`kind`) with `inFlight` calls in flight
   * (itself included). Shrinks the window (by half for a rate limit; for an
   * overload, by half the recent share of overloaded answers once that share
   * passes a tenth) unless it already shrank since that call started.
   */
  limited(call: number, inFlight: number, reason: string, kind: LimitKind = 'rate-limit'): WindowChange | undefined {
    this.#overloadShare = this.#overloadShare * (1 - OVERLOAD_GAIN) + (kind === 'overload' ? OVERLOAD_GAIN : 0);
    if (kind === 'overload' && this.#overloadShare < OVERLOAD_TOLERANCE) return undefined;
    if (this.#state === 'adaptive' && call < this.#decreasedAt) return undefined;
    const base = Math.min(this.limit, Math.max(1, inFlight));
    const kept = kind === 'rate-limit' ? 1 / 2 : 1 - this.#overloadShare / 2;
    this.#limitedAt = base;
    this.#size = Math.max(1, Math.ceil(base * kept));
    this.#threshold = this.#size;
    this.#state = 'adaptive';
    this.#decreasedAt = this.#started;
    this.#reported = this.#size;
    return { window: this.#size, change: 'shrank', reason };
  }
}

/** Round trips per extra call once the window is back just under where the last limit hit. */
const PLATEAU_ROUNDS = 8;

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
 * limit halves it, once per round trip: a burst of 429s from calls started
 * before the last decrease counts once.
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
   * Call number `call` (from {@link AdaptiveWindow.started}) hit a rate
   * limit (429/529) with `inFlight` calls in flight (itself included).
   * Halves the window unless it already shrank since that call started.
   */
  limited(call: number, inFlight: number, reason: string): WindowChange | undefined {
    if (this.#state === 'adaptive' && call < this.#decreasedAt) return undefined;
    const base = Math.min(this.limit, Math.max(1, inFlight));
    this.#limitedAt = base;
    this.#size = Math.max(1, Math.ceil(base / 2));
    this.#threshold = this.#size;
    this.#state = 'adaptive';
    this.#decreasedAt = this.#started;
    this.#reported = this.#size;
    return { window: this.#size, change: 'shrank', reason };
  }
}

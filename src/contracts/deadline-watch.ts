import type { Clock } from './clock.js';

/** Something with a deadline, watched by a {@link DeadlineWatch}. */
export interface Watched {
  /**
   * When it must next be looked at, on the clock's {@link Clock.monotonic}
   * reading (a wall-clock jump must not expire everything). It may move later at
   * any time (the watch wakes at the old time and finds it not due); it may
   * move nearer only through {@link DeadlineWatch.due}.
   */
  deadline(): number;
  /** Its deadline passed (`now`, a monotonic reading, ≥ `deadline()`); it has already left the watch. */
  expire(now: number): void;
}

/** How a {@link DeadlineWatch} decides when to arm or cancel its sleep. */
export interface DeadlineWatchOptions {
  /**
   * Runs the decision to arm, re-arm or cancel the sleep later (e.g.
   * `setImmediate`) rather than at once: entries added and deleted within
   * one turn of the event loop (a tool call that finishes synchronously)
   * then never arm a sleep, and a turn that adds many arms it once.
   * Default: decide at once.
   */
  defer?: (decide: () => void) => void;
}

/** The reason a sleep of the watch is cut short: a constant, so cancelling builds no DOMException. */
const RESCHEDULED = Symbol('rescheduled');

/**
 * The deadlines of many things in flight, watched by a single sleep on the
 * clock until the nearest one. An entry costs a set slot, not a timer:
 * a timer, an AbortController and a DOMException per call were about a tenth
 * of the CPU of the whole model path at hundreds of concurrent calls
 * (docs/benchmarks.md, session 4). The sleep is re-armed only when a deadline
 * nearer than the one slept to arrives, and cancelled when nothing is left
 * to watch, so a process with nothing in flight has no timer keeping it alive.
 */
export class DeadlineWatch {
  readonly #clock: Clock;
  readonly #defer: ((decide: () => void) => void) | undefined;
  readonly #entries = new Set<Watched>();
  /** When the sleep in progress ends; Infinity when none is. */
  #wakeAt = Number.POSITIVE_INFINITY;
  #nap: AbortController | undefined;
  /** The nearest deadline asked for since the last decision. */
  #wantAt = Number.POSITIVE_INFINITY;
  #decisionPending = false;

  constructor(clock: Clock, options: DeadlineWatchOptions = {}) {
    this.#clock = clock;
    this.#defer = options.defer;
  }

  /** Starts watching `entry` until {@link delete} or its expiry. */
  add(entry: Watched): void {
    this.#entries.add(entry);
    this.due(entry.deadline());
  }

  /** Stops watching `entry` (a no-op when it already expired). */
  delete(entry: Watched): void {
    if (this.#entries.delete(entry) && this.#entries.size === 0) this.#request();
  }

  /** Makes sure the watch wakes by `at` (monotonic): call it when an entry's deadline moved nearer. */
  due(at: number): void {
    if (at >= this.#wakeAt || at >= this.#wantAt) return;
    this.#wantAt = at;
    this.#request();
  }

  #request(): void {
    if (this.#defer === undefined) this.#decide();
    else if (!this.#decisionPending) {
      this.#decisionPending = true;
      this.#defer(() => {
        this.#decisionPending = false;
        this.#decide();
      });
    }
  }

  #decide(): void {
    const at = this.#wantAt;
    this.#wantAt = Number.POSITIVE_INFINITY;
    if (this.#entries.size === 0) this.#cancel();
    else this.#armBy(at);
  }

  #armBy(at: number): void {
    if (at >= this.#wakeAt) return;
    this.#cancel();
    const nap = new AbortController();
    this.#nap = nap;
    this.#wakeAt = at;
    this.#clock.sleep(at - this.#clock.monotonic(), nap.signal).then(
      () => {
        if (this.#nap === nap) this.#sweep();
      },
      // Cancelled: a nearer deadline or nothing left.
      () => {},
    );
  }

  #cancel(): void {
    this.#nap?.abort(RESCHEDULED);
    this.#nap = undefined;
    this.#wakeAt = Number.POSITIVE_INFINITY;
  }

  /** Expires the entries whose deadline passed and sleeps to the nearest deadline left. */
  #sweep(): void {
    this.#nap = undefined;
    this.#wakeAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.monotonic();
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.#entries) {
      const at = entry.deadline();
      if (now < at) next = Math.min(next, at);
      else {
        this.#entries.delete(entry);
        entry.expire(now);
      }
    }
    // An expiry may have added or deleted entries (and armed a sleep): arm only when nearer.
    this.#armBy(next);
  }
}

/**
 * One {@link DeadlineWatch} per clock, made on first use: what a kind of
 * deadline shared across a process (tool calls, task time limits) keeps, so
 * each kind sleeps once per clock and a test's injected clock gets its own.
 */
export class WatchesPerClock {
  readonly #options: DeadlineWatchOptions;
  readonly #watches = new WeakMap<Clock, DeadlineWatch>();

  constructor(options: DeadlineWatchOptions = {}) {
    this.#options = options;
  }

  /** The watch of `clock`. */
  of(clock: Clock): DeadlineWatch {
    let watch = this.#watches.get(clock);
    if (watch === undefined) {
      watch = new DeadlineWatch(clock, this.#options);
      this.#watches.set(clock, watch);
    }
    return watch;
  }
}

import type { Clock } from '../../contracts/clock.js';
import { LateAnswerError } from './late-answer.js';

/**
 * Time limits of one model call on the wire, both retryable when they fire
 * (a later attempt usually gets a live connection).
 */
export interface CallTimeouts {
  /**
   * Longest silence once the answer has started (its head arrived): between
   * the head and the first bytes of the body, and between any two chunks.
   * A streamed answer gets pings and deltas every few seconds, and a
   * non-streamed one is sent whole once ready, so a silence this long means
   * the connection is stuck. @default 60000
   */
  streamIdleTimeoutMs: number;
  /** Longest time from sending the request to the end of the answer. @default 600000 */
  callTimeoutMs: number;
}

/** One call's time limits being watched; {@link Watchdog.stop} once the answer ended, failed or was aborted. */
export interface Watchdog {
  /** Called with the error to fail the request with when a limit passes. */
  onExpiry(fail: (error: Error) => void): void;
  /** Bytes of the answer arrived (its head or a body chunk). */
  activity: () => void;
  stop(): void;
}

/** The reason a sleep of the watch is cut short: a constant, so cancelling builds no DOMException. */
const RESCHEDULED = Symbol('rescheduled');

/**
 * The time limits of every call in flight of one fetch, watched by a single
 * sleep on the clock until the nearest deadline. A call costs a set entry,
 * not a timer: per-call timers (two AbortControllers, two timers and two
 * DOMExceptions per call) were about a tenth of the CPU of the whole model
 * path at hundreds of concurrent calls (docs/benchmarks.md, session 4).
 * Activity only moves a timestamp. A deadline is only ever brought nearer by
 * a call's start or the first bytes of its answer; the sleep is re-armed
 * then, and only when that deadline is nearer than the one slept to.
 */
export class CallWatch {
  readonly #clock: Clock;
  readonly #calls = new Set<WatchedCall>();
  /** When the sleep in progress ends; Infinity when none is. */
  #wakeAt = Number.POSITIVE_INFINITY;
  #nap: AbortController | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Starts watching a call sent now under `timeouts`. */
  start(timeouts: CallTimeouts): Watchdog {
    const call = new WatchedCall(this.#clock.now() + timeouts.callTimeoutMs, timeouts);
    this.#calls.add(call);
    this.#due(call.callEnd);
    return {
      onExpiry: (fail) => (call.fail = fail),
      activity: () => {
        const first = call.lastActivity === undefined;
        call.lastActivity = this.#clock.now();
        if (first) this.#due(call.lastActivity + timeouts.streamIdleTimeoutMs);
      },
      stop: () => {
        if (this.#calls.delete(call) && this.#calls.size === 0) this.#cancel();
      },
    };
  }

  /** Makes sure the watch wakes by `at`. */
  #due(at: number): void {
    if (at >= this.#wakeAt) return;
    this.#cancel();
    this.#sleepUntil(at);
  }

  #cancel(): void {
    this.#nap?.abort(RESCHEDULED);
    this.#nap = undefined;
    this.#wakeAt = Number.POSITIVE_INFINITY;
  }

  #sleepUntil(at: number): void {
    const nap = new AbortController();
    this.#nap = nap;
    this.#wakeAt = at;
    this.#clock.sleep(at - this.#clock.now(), nap.signal).then(
      () => {
        if (this.#nap === nap) this.#sweep();
      },
      // Cancelled: a nearer deadline or no call left.
      () => {},
    );
  }

  /** Fails the calls whose limit passed and sleeps to the nearest deadline left. */
  #sweep(): void {
    this.#nap = undefined;
    this.#wakeAt = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    let next = Number.POSITIVE_INFINITY;
    for (const call of this.#calls) {
      const error = call.expired(now);
      if (error === undefined) next = Math.min(next, call.deadline());
      else {
        this.#calls.delete(call);
        call.fail(error);
      }
    }
    this.#due(next);
  }
}

class WatchedCall {
  lastActivity: number | undefined;
  fail: (error: Error) => void = () => {};

  constructor(
    readonly callEnd: number,
    private readonly timeouts: CallTimeouts,
  ) {}

  /** The nearer of the call's deadline and its idle deadline (none before the answer's head). */
  deadline(): number {
    return this.lastActivity === undefined ? this.callEnd : Math.min(this.callEnd, this.lastActivity + this.timeouts.streamIdleTimeoutMs);
  }

  expired(now: number): LateAnswerError | undefined {
    if (now >= this.callEnd) return new LateAnswerError('call', this.timeouts.callTimeoutMs);
    if (this.lastActivity !== undefined && now >= this.lastActivity + this.timeouts.streamIdleTimeoutMs) {
      return new LateAnswerError('idle', this.timeouts.streamIdleTimeoutMs);
    }
    return undefined;
  }
}

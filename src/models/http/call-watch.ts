import type { Clock } from '../../contracts/clock.js';
import { DeadlineWatch, type Watched } from '../../contracts/deadline-watch.js';
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
  activity(): void;
  stop(): void;
}

/**
 * The time limits of every call in flight of one fetch, watched by one
 * {@link DeadlineWatch}: a call costs a set entry, not a timer. Activity only
 * moves a timestamp; a call's deadline is brought nearer only by its start
 * and by the first bytes of its answer (the idle limit begins), which is when
 * the watch is told.
 */
export class CallWatch {
  readonly #clock: Clock;
  readonly #watch: DeadlineWatch;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#watch = new DeadlineWatch(clock);
  }

  /** Starts watching a call sent now under `timeouts`. */
  start(timeouts: CallTimeouts): Watchdog {
    const call = new WatchedCall(this.#clock, this.#watch, timeouts);
    this.#watch.add(call);
    return call;
  }
}

/** A call's entry in the watch and its watchdog: one object per call, its roles methods, not closures. */
class WatchedCall implements Watched, Watchdog {
  readonly #clock: Clock;
  readonly #watch: DeadlineWatch;
  readonly #timeouts: CallTimeouts;
  readonly #callEnd: number;
  #lastActivity: number | undefined;
  #fail: (error: Error) => void = () => {};

  constructor(clock: Clock, watch: DeadlineWatch, timeouts: CallTimeouts) {
    this.#clock = clock;
    this.#watch = watch;
    this.#timeouts = timeouts;
    this.#callEnd = clock.monotonic() + timeouts.callTimeoutMs;
  }

  onExpiry(fail: (error: Error) => void): void {
    this.#fail = fail;
  }

  activity(): void {
    const first = this.#lastActivity === undefined;
    this.#lastActivity = this.#clock.monotonic();
    if (first) this.#watch.due(this.#lastActivity + this.#timeouts.streamIdleTimeoutMs);
  }

  stop(): void {
    this.#watch.delete(this);
  }

  /** The nearer of the call's deadline and its idle deadline (none before the answer's head). */
  deadline(): number {
    const last = this.#lastActivity;
    return last === undefined ? this.#callEnd : Math.min(this.#callEnd, last + this.#timeouts.streamIdleTimeoutMs);
  }

  expire(now: number): void {
    this.#fail(
      now >= this.#callEnd
        ? new LateAnswerError('call', this.#timeouts.callTimeoutMs)
        : new LateAnswerError('idle', this.#timeouts.streamIdleTimeoutMs),
    );
  }
}

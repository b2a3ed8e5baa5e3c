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
  activity: () => void;
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
    const call = new WatchedCall(this.#clock.now() + timeouts.callTimeoutMs, timeouts);
    this.#watch.add(call);
    return {
      onExpiry: (fail) => (call.fail = fail),
      activity: () => {
        const first = call.lastActivity === undefined;
        call.lastActivity = this.#clock.now();
        if (first) this.#watch.due(call.lastActivity + timeouts.streamIdleTimeoutMs);
      },
      stop: () => this.#watch.delete(call),
    };
  }
}

class WatchedCall implements Watched {
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

  expire(now: number): void {
    this.fail(
      now >= this.callEnd
        ? new LateAnswerError('call', this.timeouts.callTimeoutMs)
        : new LateAnswerError('idle', this.timeouts.streamIdleTimeoutMs),
    );
  }
}

import { FanoutError } from './errors.js';

/**
 * Time as the engine sees it. Injected so that tests of timing logic
 * (timeouts, backoff, reports) never sleep for real.
 *
 * It has two readings because the wall clock jumps: a suspended laptop, NTP
 * stepping the clock or a resumed VM moves {@link Clock.now} by minutes or
 * hours at once. A time limit judged by it would fire for every task in flight
 * (or stretch, backwards); one judged by {@link Clock.monotonic} does not.
 */
export interface Clock {
  /**
   * The wall clock, ms since the epoch: for times that are stored, shown or
   * compared with another process or a server (`at`, `startedAt`, leases).
   */
  now(): number;
  /**
   * Whole ms from an arbitrary origin, never decreasing, and not moved by a
   * change of the system clock (on Linux and macOS it stands still while the
   * machine is suspended): for durations and deadlines within this process (time
   * limits, wait budgets, backoff, pauses, a call's duration). It agrees with
   * {@link Clock.sleep}. Meaningless across processes, so never stored.
   */
  monotonic(): number;
  /** Resolves after `ms` of {@link Clock.monotonic} time, or rejects with an AbortError when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The longest delay a Node timer waits: a longer one fires after 1 ms (with a
 * TimeoutOverflowWarning), so a plan's `timeoutMs` of 25 days or more would
 * end its run or task at once.
 */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * The real clock: `Date.now()`, and `performance.now()`, which runs on the
 * same monotonic clock as Node's timers (whole ms, as durations and events
 * have always been).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => Math.floor(performance.now()),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason ?? abortError());
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason ?? abortError());
      };
      // A sleep past the longest timer is waited out in a chain of them.
      let left = ms;
      const fire = (): void => {
        left -= LONGEST_TIMER_MS;
        if (left > 0) {
          timer = setTimeout(fire, Math.min(left, LONGEST_TIMER_MS));
          return;
        }
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      let timer = setTimeout(fire, Math.min(ms, LONGEST_TIMER_MS));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * The clock an option injects, else the system clock. A clock written for a
 * fanout before {@link Clock.monotonic} existed is refused here in one line,
 * not with a TypeError in the middle of the first task.
 * @throws FanoutError `OPTION_INVALID` when `clock` lacks one of the methods.
 */
export function injectedClock(clock: Clock | undefined): Clock {
  if (clock === undefined) return systemClock;
  const missing = (['now', 'monotonic', 'sleep'] as const).filter((method) => typeof clock[method] !== 'function');
  if (missing.length > 0) {
    throw new FanoutError('OPTION_INVALID', `clock must have now(), monotonic() and sleep() (see Clock); it lacks ${missing.map((method) => `${method}()`).join(', ')}`);
  }
  return clock;
}

function abortError(): Error {
  const error = new Error('aborted');
  error.name = 'AbortError';
  return error;
}

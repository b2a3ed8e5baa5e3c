/**
 * Time as the engine sees it. Injected so that tests of timing logic
 * (timeouts, backoff, reports) never sleep for real.
 */
export interface Clock {
  /** ms since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with an AbortError when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The longest delay a Node timer waits: a longer one fires after 1 ms (with a
 * TimeoutOverflowWarning), so a plan's `timeoutMs` of 25 days or more would
 * end its run or task at once.
 */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
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

function abortError(): Error {
  const error = new Error('aborted');
  error.name = 'AbortError';
  return error;
}

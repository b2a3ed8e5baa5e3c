/**
 * A clock and a sleep that blocks the thread. The store's API is synchronous
 * (it opens at its first use, inside synchronous calls), so its waits block,
 * as SQLite's own busy timeout does; each is bounded by a time limit.
 * Tests inject one that records the waits and advances a fake clock.
 */
export interface SyncWaiter {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Blocks this thread for `ms` milliseconds. */
  sleep(ms: number): void;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The real clock and a real blocking sleep. */
export const realWaiter: SyncWaiter = {
  now: () => performance.now(),
  sleep: (ms) => {
    Atomics.wait(sleeper, 0, 0, ms);
  },
};

import { afterEach, describe, expect, it, vi } from 'vitest';
import { injectedClock, systemClock, type Clock } from './clock.js';

describe('systemClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sleeps longer than a Node timer can wait (2^31 - 1 ms), to the end, not 1 ms', async () => {
    vi.useFakeTimers();
    const longest = 2 ** 31 - 1;
    let woke = false;
    void systemClock.sleep(longest + 5_000).then(() => {
      woke = true;
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(longest);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(woke).toBe(true);
  });

  it('ends a long sleep at once when its signal fires between the timers of its chain', async () => {
    vi.useFakeTimers();
    const longest = 2 ** 31 - 1;
    const stop = new AbortController();
    const slept = systemClock.sleep(3 * longest, stop.signal);
    await vi.advanceTimersByTimeAsync(longest + 10);
    const reason = new Error('stopped');
    stop.abort(reason);
    await expect(slept).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('sleeps a short delay on one timer', async () => {
    vi.useFakeTimers();
    let woke = false;
    void systemClock.sleep(100).then(() => {
      woke = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(woke).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(woke).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('injectedClock', () => {
  it('is the system clock when none is injected, and the injected one when it is whole', () => {
    const clock: Clock = { now: () => 5, monotonic: () => 7, sleep: async () => {} };
    expect(injectedClock(undefined)).toBe(systemClock);
    expect(injectedClock(clock)).toBe(clock);
  });

  it('refuses in one OPTION_INVALID line a clock written before monotonic() existed', () => {
    const old = { now: () => 5, sleep: async () => {} } as unknown as Clock;
    expect(() => injectedClock(old)).toThrowError(
      expect.objectContaining({ code: 'OPTION_INVALID', message: 'clock must have now(), monotonic() and sleep() (see Clock); it lacks monotonic()' }),
    );
  });
});

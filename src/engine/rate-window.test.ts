import { describe, expect, it } from 'vitest';
import { AdaptiveWindow } from './rate-window.js';

/** `count` successes of a full window whose answers carry rate-limit headers. */
function succeed(window: AdaptiveWindow, count: number): void {
  for (let index = 0; index < count; index++) window.succeeded(true, true, window.limit);
}

describe('AdaptiveWindow', () => {
  it('starts open, and closes around the calls in flight at the first answer with rate-limit headers', () => {
    const window = new AdaptiveWindow();
    expect(window.limit).toBe(Number.POSITIVE_INFINITY);
    expect(window.succeeded(true, false, 50)).toBeUndefined();
    expect(window.limit).toBe(Number.POSITIVE_INFINITY);
    expect(window.succeeded(true, true, 5)).toEqual({ window: 5, change: 'shrank', reason: 'the endpoint states its rate limits' });
    // Slow start: one more per success while full.
    succeed(window, 3);
    expect(window.limit).toBe(8);
  });

  it('does not grow when it held nothing back', () => {
    const window = new AdaptiveWindow();
    window.succeeded(true, true, 5);
    window.succeeded(false, true, 2);
    expect(window.limit).toBe(5);
  });

  it('after a limit: one more per round trip, then eight round trips per call just under the window that hit it', () => {
    const window = new AdaptiveWindow();
    window.started();
    expect(window.limited(0, 8, 'HTTP 429')).toEqual({ window: 4, change: 'shrank', reason: 'HTTP 429' });
    // About a window's worth of successes (a round trip) per extra call: 5 after 5, 6 after 10, 7 after 17.
    succeed(window, 5);
    expect(window.limit).toBe(5);
    succeed(window, 12);
    expect(window.limit).toBe(7);
    // At 7, one short of 8: about eight round trips (56 successes) per call.
    succeed(window, 50);
    expect(window.limit).toBe(7);
    succeed(window, 4);
    expect(window.limit).toBe(8);
  });

  it('counts a burst of limits of calls started before the decrease once', () => {
    const window = new AdaptiveWindow();
    const calls = [window.started(), window.started(), window.started()];
    expect(window.limited(calls[0] as number, 32, 'HTTP 429')?.window).toBe(16);
    expect(window.limited(calls[1] as number, 31, 'HTTP 429')).toBeUndefined();
    const later = window.started();
    expect(window.limited(later, 16, 'HTTP 429')?.window).toBe(8);
  });

  it('leaves the window to grow through scattered overloads (529) where 429s at the same rate collapse it', () => {
    // One answer in 33 refused, as a service overloaded for everyone does, at a window of 100.
    const run = (kind: 'rate-limit' | 'overload'): number => {
      const window = new AdaptiveWindow();
      window.succeeded(true, true, 100);
      for (let round = 0; round < 30; round++) {
        window.limited(window.started(), window.limit, `round ${round}`, kind);
        succeed(window, 32);
      }
      return window.limit;
    };
    expect(run('overload')).toBeGreaterThan(100);
    expect(run('rate-limit')).toBeLessThanOrEqual(10);
  });

  it('shrinks in a storm of overloads, by about half per round trip once most answers are overloaded', () => {
    const window = new AdaptiveWindow();
    window.succeeded(true, true, 64);
    // The first three of a storm say little yet: each call alone backs off.
    for (let index = 0; index < 3; index++) expect(window.limited(window.started(), 64, 'HTTP 529', 'overload')).toBeUndefined();
    // The fourth makes the share of overloaded answers pass a tenth: the window gives up a few calls.
    expect(window.limited(window.started(), 64, 'HTTP 529', 'overload')?.window).toBe(61);
    // Two round trips of answers all overloaded: each decrease comes once per round trip, deeper as the share grows.
    for (let index = 0; index < 40; index++) expect(window.limited(0, 61, 'HTTP 529', 'overload')).toBeUndefined();
    expect(window.limited(window.started(), 61, 'HTTP 529', 'overload')?.window).toBe(38);
    for (let index = 0; index < 40; index++) window.limited(0, 38, 'HTTP 529', 'overload');
    expect(window.limited(window.started(), 38, 'HTTP 529', 'overload')?.window).toBe(21);
  });
});

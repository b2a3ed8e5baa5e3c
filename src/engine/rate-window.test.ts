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
    expect(window.limited(later, 16, 'HTTP 529')?.window).toBe(8);
  });
});

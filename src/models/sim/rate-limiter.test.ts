import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('admits a burst of one second, then tells how long until the next token', () => {
    let now = 1_000;
    const limiter = new RateLimiter({ requestsPerSecond: 4 }, () => now);
    for (let i = 0; i < 4; i++) expect(limiter.admit()).toEqual({ admitted: true });
    expect(limiter.admit()).toEqual({ admitted: false, retryAfterMs: 250 });
    now += 100;
    expect(limiter.admit()).toEqual({ admitted: false, retryAfterMs: 150 });
    now += 150;
    expect(limiter.admit()).toEqual({ admitted: true });
  });

  it('caps requests in flight until one is released, advising the configured wait', () => {
    const limiter = new RateLimiter({ maxConcurrent: 2, retryAfterMs: 30 }, () => 0);
    expect(limiter.admit().admitted).toBe(true);
    expect(limiter.admit().admitted).toBe(true);
    expect(limiter.admit()).toEqual({ admitted: false, retryAfterMs: 30 });
    limiter.release();
    expect(limiter.admit().admitted).toBe(true);
  });

  it('does not spend a token on a request refused for concurrency', () => {
    const limiter = new RateLimiter({ maxConcurrent: 1, requestsPerSecond: 2 }, () => 0);
    expect(limiter.admit().admitted).toBe(true);
    expect(limiter.admit()).toEqual({ admitted: false, retryAfterMs: 100 });
    limiter.release();
    expect(limiter.admit().admitted).toBe(true);
    limiter.release();
    expect(limiter.admit()).toEqual({ admitted: false, retryAfterMs: 500 });
  });
});

import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('admits a burst of one second, then tells how long until the next token', () => {
    let now = 1_000;
    const limiter = new RateLimiter({ requestsPerSecond: 4 }, () => now);
    for (let i = 0; i < 4; i++) expect(limiter.admit()).toEqual({ admitted: true });
    expect(limiter.admit()).toEqual({ admitted: false, retryAfterMs: 250, limit: 'requests' });
    now += 100;
    expect(limiter.admit()).toEqual({ admitted: false, retryAfterMs: 150, limit: 'requests' });
    now += 150;
    expect(limiter.admit()).toEqual({ admitted: true });
  });

  it('enforces requests per minute per second, and states limit, remaining and reset', () => {
    let now = 0;
    const limiter = new RateLimiter({ requestsPerMinute: 600 }, () => now);
    expect(limiter.state()).toEqual({ requests: { limit: 600, remaining: 10, resetMs: 0 } });
    for (let i = 0; i < 10; i++) expect(limiter.admit().admitted).toBe(true);
    expect(limiter.state()).toEqual({ requests: { limit: 600, remaining: 0, resetMs: 1000 } });
    expect(limiter.admit()).toEqual({ admitted: false, retryAfterMs: 100, limit: 'requests' });
    now += 250;
    expect(limiter.state()).toEqual({ requests: { limit: 600, remaining: 2, resetMs: 750 } });
  });

  it('takes input tokens at admission and output tokens after, refusing while the bucket is empty', () => {
    let now = 0;
    const limiter = new RateLimiter({ tokensPerMinute: 60_000 }, () => now);
    expect(limiter.admit(800).admitted).toBe(true);
    limiter.spend(500);
    expect(limiter.state().tokens).toEqual({ limit: 60_000, remaining: 0, resetMs: 1300 });
    expect(limiter.admit(10)).toEqual({ admitted: false, retryAfterMs: 300, limit: 'tokens' });
    now += 301;
    expect(limiter.admit(10).admitted).toBe(true);
  });

  it('caps requests in flight until one is released, advising the configured wait', () => {
    const limiter = new RateLimiter({ maxConcurrent: 2, retryAfterMs: 30 }, () => 0);
    expect(limiter.admit().admitted).toBe(true);
    expect(limiter.admit().admitted).toBe(true);
    expect(limiter.admit()).toEqual({ admitted: false, retryAfterMs: 30, limit: 'concurrency' });
    limiter.release();
    expect(limiter.admit().admitted).toBe(true);
  });

  it('does not spend a token on a request refused for concurrency', () => {
    const limiter = new RateLimiter({ maxConcurrent: 1, requestsPerSecond: 2 }, () => 0);
    expect(limiter.admit().admitted).toBe(true);
    expect(limiter.admit()).toEqual({ admitted: false, retryAfterMs: 100, limit: 'concurrency' });
    limiter.release();
    expect(limiter.admit().admitted).toBe(true);
    limiter.release();
    expect(limiter.admit()).toEqual({ admitted: false, retryAfterMs: 500, limit: 'requests' });
  });

  it('states nothing without request or token limits', () => {
    expect(new RateLimiter({ maxConcurrent: 3 }).state()).toEqual({});
  });
});

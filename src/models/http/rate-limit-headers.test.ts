import { describe, expect, it } from 'vitest';
import { anthropicLimitHeaders, openaiLimitHeaders } from '../sim/sim-limit-headers.js';
import { anthropicRateLimit, endpointIdentity, openaiRateLimit, parseDuration } from './rate-limit-headers.js';

const now = Date.parse('2026-01-01T00:00:00Z');

describe('anthropicRateLimit', () => {
  it('reads what the simulated server sends, the reset as a time', () => {
    const sent = anthropicLimitHeaders(
      { requests: { limit: 50, remaining: 12, resetMs: 3000 }, tokens: { limit: 40_000, remaining: 100, resetMs: 60_000 } },
      now,
    );
    expect(anthropicRateLimit(new Headers(sent), now)).toEqual({
      requests: { limit: 50, remaining: 12, resetAt: now + 3000 },
      tokens: { limit: 40_000, remaining: 100, resetAt: now + 60_000 },
    });
  });

  it('keeps the tightest of the token limits', () => {
    const headers = new Headers({
      'anthropic-ratelimit-tokens-limit': '1000',
      'anthropic-ratelimit-tokens-remaining': '900',
      'anthropic-ratelimit-output-tokens-limit': '100',
      'anthropic-ratelimit-output-tokens-remaining': '10',
      'anthropic-ratelimit-output-tokens-reset': '2026-01-01T00:00:05Z',
    });
    expect(anthropicRateLimit(headers, now)).toEqual({ tokens: { limit: 100, remaining: 10, resetAt: now + 5000 } });
  });

  it('is undefined without limit headers, and skips garbage', () => {
    expect(anthropicRateLimit(new Headers({ 'content-type': 'application/json' }), now)).toBeUndefined();
    expect(anthropicRateLimit(new Headers({ 'anthropic-ratelimit-requests-remaining': 'lots' }), now)).toBeUndefined();
  });
});

describe('openaiRateLimit', () => {
  it('reads what the simulated server sends, the reset as a duration', () => {
    const sent = openaiLimitHeaders({ requests: { limit: 600, remaining: 3, resetMs: 1500 }, tokens: { limit: 9000, remaining: 0, resetMs: 360_000 } });
    expect(openaiRateLimit(new Headers(sent), now)).toEqual({
      requests: { limit: 600, remaining: 3, resetAt: now + 1500 },
      tokens: { limit: 9000, remaining: 0, resetAt: now + 360_000 },
    });
  });

  it('parses durations and refuses what is not one', () => {
    expect(parseDuration('120ms')).toBe(120);
    expect(parseDuration('1h2m3.5s')).toBe(3_723_500);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});

describe('endpointIdentity', () => {
  it('tells keys apart without containing them', () => {
    const one = endpointIdentity('anthropic', 'https://api.anthropic.com', 'sk-ant-secret-1');
    const two = endpointIdentity('anthropic', 'https://api.anthropic.com', 'sk-ant-secret-2');
    expect(one).not.toBe(two);
    expect(one).toMatch(/^anthropic https:\/\/api\.anthropic\.com key:[0-9a-f]{12}$/);
    expect(one).not.toContain('secret');
  });
});

import { describe, expect, it } from 'vitest';
import {
  connectionErrorCode,
  describeConnectionFailure,
  httpRetryAdvice,
  isRetryableConnectionCode,
  isRetryableStatus,
  oneLine,
  retryAfterMs,
} from './http-errors.js';

const headers = (values: Record<string, string>) => new Headers(values);

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('prefers retry-after-ms', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), now)).toBe(1500);
  });

  it('reads retry-after as seconds', () => {
    expect(retryAfterMs(headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterMs(headers({ 'retry-after': '0.25' }), now)).toBe(250);
  });

  it('reads retry-after as an HTTP date, relative to now', () => {
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now)).toBe(30_000);
  });

  it('ignores missing, zero, past and unparseable values', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs(headers({}), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after-ms': '0', 'retry-after': '0' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
  });

  it('falls back to retry-after when retry-after-ms is not a number', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': 'x', 'retry-after': '3' }), now)).toBe(3000);
  });
});

describe('isRetryableStatus', () => {
  it.each([408, 409, 429, 500, 502, 503, 529])('retries %i', (status) => expect(isRetryableStatus(status)).toBe(true));
  it.each([400, 401, 403, 404, 413, 422])('does not retry %i', (status) => expect(isRetryableStatus(status)).toBe(false));
});

describe('httpRetryAdvice', () => {
  it('follows the status and reads the advised wait', () => {
    expect(httpRetryAdvice(429, headers({ 'retry-after': '2' }))).toEqual({ retryable: true, retryAfterMs: 2000 });
    expect(httpRetryAdvice(400, undefined)).toEqual({ retryable: false, retryAfterMs: undefined });
  });

  it('lets x-should-retry override the status either way', () => {
    expect(httpRetryAdvice(400, headers({ 'x-should-retry': 'true' })).retryable).toBe(true);
    expect(httpRetryAdvice(503, headers({ 'x-should-retry': 'false' })).retryable).toBe(false);
  });
});

describe('connection errors', () => {
  it('describes refused and unresolvable URLs in words, others by code or detail', () => {
    const url = 'http://127.0.0.1:9/v1';
    expect(describeConnectionFailure(url, 'ECONNREFUSED', 'x')).toBe(
      `cannot connect to ${url} (connection refused): is the server running and the base URL right?`,
    );
    expect(describeConnectionFailure(url, 'ENOTFOUND', 'x')).toContain(`cannot resolve the host of ${url}`);
    expect(describeConnectionFailure(url, 'ECONNRESET', 'x')).toBe(`connection to ${url} failed (ECONNRESET)`);
    expect(describeConnectionFailure(url, undefined, 'Connection error.')).toBe(`connection to ${url} failed (Connection error.)`);
  });

  it('finds the system code along the cause chain', () => {
    const system = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const wrapped = new Error('Connection error.', { cause: new TypeError('fetch failed', { cause: system }) });
    expect(connectionErrorCode(wrapped)).toBe('ECONNREFUSED');
    expect(connectionErrorCode(new Error('plain'))).toBeUndefined();
  });

  it('retries resets and refusals but not unknown hosts', () => {
    expect(isRetryableConnectionCode('ECONNRESET')).toBe(true);
    expect(isRetryableConnectionCode('ECONNREFUSED')).toBe(true);
    expect(isRetryableConnectionCode(undefined)).toBe(true);
    expect(isRetryableConnectionCode('ENOTFOUND')).toBe(false);
  });
});

describe('oneLine', () => {
  it('joins lines and removes the secret', () => {
    expect(oneLine('bad key sk-123456\n  at line 2\r\nend', 'sk-123456')).toBe('bad key [redacted] at line 2 end');
  });

  it('leaves text alone without a secret', () => {
    expect(oneLine('HTTP 429: slow down')).toBe('HTTP 429: slow down');
  });
});

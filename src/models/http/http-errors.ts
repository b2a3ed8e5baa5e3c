/**
 * Provider-neutral pieces of model-call error classification: which HTTP
 * statuses and connection failures are worth retrying, and how long the
 * server asked us to wait. Each provider maps its SDK's errors with these.
 */

/** Header reader: a fetch `Headers` or anything with the same `get`. */
export interface HeaderSource {
  get(name: string): string | null;
}

/**
 * True for statuses where the same request may succeed later: request
 * timeout (408), lock conflict (409), rate limit (429), server errors (5xx,
 * including Anthropic's 529 "overloaded").
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * The wait a server asked for, in ms: `retry-after-ms` first, then
 * `retry-after` as seconds or as an HTTP date. Undefined when absent,
 * unparseable or not positive.
 */
export function retryAfterMs(headers: HeaderSource | undefined, now: number = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  const millis = headers.get('retry-after-ms');
  if (millis !== null) {
    const value = Number.parseFloat(millis);
    if (value > 0) return Math.ceil(value);
  }
  const after = headers.get('retry-after');
  if (after === null) return undefined;
  const seconds = Number(after.trim());
  if (!Number.isNaN(seconds) && after.trim() !== '') return seconds > 0 ? Math.ceil(seconds * 1000) : undefined;
  const date = Date.parse(after);
  return Number.isNaN(date) || date <= now ? undefined : date - now;
}

/** What an HTTP error answer advises: whether to try again, and how long the server asked to wait. */
export interface RetryAdvice {
  retryable: boolean;
  retryAfterMs: number | undefined;
}

/**
 * How to treat an HTTP error answer. The server's `x-should-retry` header
 * (sent by the Anthropic and OpenAI APIs) overrides the status's verdict.
 */
export function httpRetryAdvice(status: number, headers: HeaderSource | undefined, now: number = Date.now()): RetryAdvice {
  const shouldRetry = headers?.get('x-should-retry');
  return {
    retryable: shouldRetry === 'true' || (shouldRetry !== 'false' && isRetryableStatus(status)),
    retryAfterMs: retryAfterMs(headers, now),
  };
}

/**
 * Why a connection to `baseURL` failed, as a user reads it: refused (is the
 * server up?) and unknown host (is the URL right?) get their own wording;
 * other failures show `code`, else `detail`.
 */
export function describeConnectionFailure(baseURL: string, code: string | undefined, detail: string): string {
  if (code === 'ECONNREFUSED') return `cannot connect to ${baseURL} (connection refused): is the server running and the base URL right?`;
  if (code === 'ENOTFOUND') return `cannot resolve the host of ${baseURL} (ENOTFOUND): check the base URL`;
  return `connection to ${baseURL} failed (${code ?? detail})`;
}

/** Connection failures that a later attempt may get past (the server restarts, a socket was recycled). */
const RETRYABLE_CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The system error code (`ECONNREFUSED`, ...) found along an error's `cause` chain. */
export function connectionErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

/** Whether a connection failure with this code (or without one) is worth retrying. */
export function isRetryableConnectionCode(code: string | undefined): boolean {
  return code === undefined || RETRYABLE_CONNECTION_CODES.has(code);
}

/** Makes any text a single line, with `secret` (an API key) removed. */
export function oneLine(text: string, secret?: string): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return secret !== undefined && secret.length >= 4 ? flat.split(secret).join('[redacted]') : flat;
}

import type { LimitHeaderState, RateLimitState } from './rate-limiter.js';

/**
 * `anthropic-ratelimit-{requests,tokens}-{limit,remaining,reset}`, as the
 * Anthropic API sends them: the reset is the RFC 3339 time at which the
 * bucket is full again.
 */
export function anthropicLimitHeaders(state: RateLimitState, nowEpochMs: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const add = (name: string, limit: LimitHeaderState | undefined): void => {
    if (limit === undefined) return;
    headers[`anthropic-ratelimit-${name}-limit`] = String(limit.limit);
    headers[`anthropic-ratelimit-${name}-remaining`] = String(limit.remaining);
    headers[`anthropic-ratelimit-${name}-reset`] = new Date(nowEpochMs + limit.resetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  };
  add('requests', state.requests);
  add('tokens', state.tokens);
  return headers;
}

/**
 * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, as the OpenAI API
 * sends them: the reset is a duration such as `1s`, `6m0s` or `120ms`.
 */
export function openaiLimitHeaders(state: RateLimitState): Record<string, string> {
  const headers: Record<string, string> = {};
  const add = (name: string, limit: LimitHeaderState | undefined): void => {
    if (limit === undefined) return;
    headers[`x-ratelimit-limit-${name}`] = String(limit.limit);
    headers[`x-ratelimit-remaining-${name}`] = String(limit.remaining);
    headers[`x-ratelimit-reset-${name}`] = openaiDuration(limit.resetMs);
  };
  add('requests', state.requests);
  add('tokens', state.tokens);
  return headers;
}

/** `120` → `120ms`, `1500` → `1.5s`, `360000` → `6m0s`. */
export function openaiDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms - minutes * 60_000) / 100) / 10;
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

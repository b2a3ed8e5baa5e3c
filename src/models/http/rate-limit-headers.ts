import { createHash } from 'node:crypto';
import type { RateLimitBucket, RateLimitInfo } from '../../contracts/model.js';
import type { HeaderSource } from './http-errors.js';

/** The names of one rate-limit bucket's headers: made once, not per answer (each answer of every call is read). */
interface BucketHeaders {
  remaining: string;
  limit: string;
  reset: string;
}

function anthropicBucket(name: string): BucketHeaders {
  const prefix = `anthropic-ratelimit-${name}-`;
  return { remaining: `${prefix}remaining`, limit: `${prefix}limit`, reset: `${prefix}reset` };
}

function openaiBucket(name: string): BucketHeaders {
  return { remaining: `x-ratelimit-remaining-${name}`, limit: `x-ratelimit-limit-${name}`, reset: `x-ratelimit-reset-${name}` };
}

const ANTHROPIC_REQUESTS = anthropicBucket('requests');
const ANTHROPIC_TOKENS = ['tokens', 'input-tokens', 'output-tokens'].map(anthropicBucket);
const OPENAI_REQUESTS = openaiBucket('requests');
const OPENAI_TOKENS = [openaiBucket('tokens')];

/**
 * What the Anthropic API's `anthropic-ratelimit-{requests,tokens,input-tokens,
 * output-tokens}-{limit,remaining,reset}` headers say; the reset is an RFC
 * 3339 time. Undefined when the answer has none of them.
 */
export function anthropicRateLimit(headers: HeaderSource, now: number = Date.now()): RateLimitInfo | undefined {
  return readLimits(headers, ANTHROPIC_REQUESTS, ANTHROPIC_TOKENS, parseDate, now);
}

/**
 * What the OpenAI API's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`
 * headers say; the reset is a duration such as `1s`, `6m0s` or `120ms`.
 * Undefined when the answer has none of them.
 */
export function openaiRateLimit(headers: HeaderSource, now: number = Date.now()): RateLimitInfo | undefined {
  return readLimits(headers, OPENAI_REQUESTS, OPENAI_TOKENS, parseResetDuration, now);
}

/**
 * The identity of an endpoint's rate limits: the provider, the base URL
 * and a short hash of the key, so two keys on one URL get two windows and
 * the key itself never leaves the provider.
 */
export function endpointIdentity(provider: string, baseURL: string, apiKey: string): string {
  const keyHash = createHash('sha256').update(apiKey).digest('hex').slice(0, 12);
  return `${provider} ${baseURL} key:${keyHash}`;
}

/** The requests bucket and the tightest token bucket, whichever the headers state. */
function readLimits(
  headers: HeaderSource,
  requestHeaders: BucketHeaders,
  tokenHeaders: readonly BucketHeaders[],
  resetAt: ResetReader,
  now: number,
): RateLimitInfo | undefined {
  const requests = readBucket(headers, requestHeaders, resetAt, now);
  const tokens = tightest(tokenHeaders.map((names) => readBucket(headers, names, resetAt, now)));
  if (requests === undefined && tokens === undefined) return undefined;
  return { ...(requests === undefined ? {} : { requests }), ...(tokens === undefined ? {} : { tokens }) };
}

/** The bucket closest to empty, as a share of its limit when both state one. */
function tightest(buckets: Array<RateLimitBucket | undefined>): RateLimitBucket | undefined {
  let best: RateLimitBucket | undefined;
  for (const bucket of buckets) {
    if (bucket === undefined) continue;
    if (best === undefined || share(bucket) < share(best)) best = bucket;
  }
  return best;
}

function share(bucket: RateLimitBucket): number {
  return bucket.limit === undefined || bucket.limit <= 0 ? bucket.remaining : bucket.remaining / bucket.limit;
}

/** When a bucket's reset header says it refills, ms since the epoch; undefined when it cannot be read. */
type ResetReader = (value: string, now: number) => number | undefined;

function readBucket(headers: HeaderSource, names: BucketHeaders, resetAt: ResetReader, now: number): RateLimitBucket | undefined {
  const remaining = parseCount(headers.get(names.remaining));
  if (remaining === undefined) return undefined;
  const limit = parseCount(headers.get(names.limit));
  const reset = headers.get(names.reset);
  const at = reset === null ? undefined : resetAt(reset.trim(), now);
  return { remaining, resetAt: at ?? now, ...(limit === undefined ? {} : { limit }) };
}

function parseCount(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

function parseDate(value: string, now: number): number | undefined {
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(now, at);
}

function parseResetDuration(value: string, now: number): number | undefined {
  const ms = parseDuration(value);
  return ms === undefined ? undefined : now + ms;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `120ms` → 120, `1.5s` → 1500, `6m0s` → 360000, `1h2m` → 3720000; undefined when it is none of these. */
export function parseDuration(value: string): number | undefined {
  const parts = /^(?:(\d+(?:\.\d+)?)(ms|h|m|s))+$/.test(value) ? value.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g) : undefined;
  if (parts === undefined) return undefined;
  let total = 0;
  for (const [, amount, unit] of parts) total += Number(amount) * (DURATION_UNITS[unit as string] ?? 0);
  return Math.ceil(total);
}

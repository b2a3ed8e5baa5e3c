import { FanoutError } from '../contracts/errors.js';
import type { Clock } from '../contracts/clock.js';

/** Default number of retries of a retryable model error that is not a rate limit. */
export const DEFAULT_MAX_RETRIES = 4;
/** Default longest `retry-after` fanout sleeps: 5 minutes. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 300_000;
/**
 * Default first backoff of a retried error without a retry-after: 0.5 s, as
 * the official Anthropic and OpenAI SDKs start. A task keeps its slot while
 * it backs off, so a run's tail is the backoffs of its unluckiest slot added
 * up: from 1 s, 10 % of calls failing kept 500 tasks at 6.3 s for an ideal
 * of 1 s (docs/benchmarks.md, S4).
 */
export const DEFAULT_BASE_DELAY_MS = 500;
/** Default budget of a task's waits for rate limits: 15 minutes. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 900_000;

/** How the model gate retries and waits: the settings of {@link retryPolicy}. */
export interface RetryPolicyOptions {
  clock: Clock;
  /** Retries of a retryable error that is not a rate limit before giving up. @default 4 */
  maxRetries?: number;
  /** First backoff when the server gives no retry-after, doubled each attempt. @default 500 */
  baseDelayMs?: number;
  /** Longest computed backoff. @default 30000 */
  maxDelayMs?: number;
  /** Longest `retry-after` slept: a server asking for more gets this, and the message says so. @default 300000 */
  maxRetryAfterMs?: number;
  /** A task's budget of time waiting for rate limits, over all its calls. @default 900000 */
  rateLimitWaitMs?: number;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
}

/** {@link RetryPolicyOptions}, checked and with every default filled in. */
export type RetryPolicy = Required<RetryPolicyOptions>;

/**
 * The options checked, the defaults filled in.
 * @throws FanoutError `OPTION_INVALID` for a negative or fractional retry count or a wait below 0.
 */
export function retryPolicy(options: RetryPolicyOptions): RetryPolicy {
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new FanoutError('OPTION_INVALID', `maxRetries must be an integer >= 0, got ${String(maxRetries)}`);
  }
  return {
    clock: options.clock,
    maxRetries,
    baseDelayMs: options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS,
    maxDelayMs: options.maxDelayMs ?? 30_000,
    maxRetryAfterMs: nonNegative('maxRetryAfterMs', options.maxRetryAfterMs, DEFAULT_MAX_RETRY_AFTER_MS),
    rateLimitWaitMs: nonNegative('rateLimitWaitMs', options.rateLimitWaitMs, DEFAULT_RATE_LIMIT_WAIT_MS),
    random: options.random ?? Math.random,
  };
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value >= 0)) throw new FanoutError('OPTION_INVALID', `${name} must be a number >= 0, got ${String(value)}`);
  return value;
}

/**
 * How long to wait before attempt `attempt` (1 for the first retry): the
 * server's `retry-after` when it gave one, else exponential backoff with jitter.
 * Not capped by `maxRetryAfterMs`: the caller caps it, and says so.
 */
export function backoffMs(policy: RetryPolicy, retryAfterMs: number | undefined, attempt: number): number {
  if (retryAfterMs !== undefined) return Math.max(0, retryAfterMs);
  const { baseDelayMs, maxDelayMs, random } = policy;
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  // Jitter in [50 %, 100 %]: spreads retries of many agents that failed together.
  return Math.round(exponential * (0.5 + random() * 0.5));
}

export function isRetryable(error: FanoutError): boolean {
  return error.code === 'MODEL_ERROR' && error.retryable;
}

/** A rate limit or an overload: the endpoint is at its limit, so the call waits rather than spends a retry. */
export function isRateLimit(error: FanoutError): boolean {
  return error.status === 429 || error.status === 529;
}

/**
 * Time a task may spend waiting for rate limits, over all its model calls;
 * apart from its retry budget, so a rate limit is a wait, not a failure.
 */
export class WaitBudget {
  /** ms waited so far. */
  spentMs = 0;

  constructor(readonly limitMs: number) {}

  /** ms left. */
  get remainingMs(): number {
    return Math.max(0, this.limitMs - this.spentMs);
  }
}

/** The error of a call whose endpoint asked for a pause longer than the wait budget left. */
export function pauseOverBudget(provider: string, error: FanoutError, waitMs: number, budget: WaitBudget): FanoutError {
  return new FanoutError(
    'LIMIT_REACHED',
    `${provider} asked to wait ${formatWaitMs(waitMs)} (HTTP ${error.status ?? 429}), more than the ${formatWaitMs(budget.remainingMs)} left of the task's rate-limit wait budget of ${formatWaitMs(budget.limitMs)} (rateLimitWaitMs)`,
    { cause: error },
  );
}

/** The error of a queued call whose wait budget ran out; `waitingFor` says what still held it back. */
export function budgetSpent(provider: string, budget: WaitBudget, waitingFor: string, waitedMs?: number): FanoutError {
  const waited = waitedMs === undefined ? '' : ` (this call ${formatWaitMs(waitedMs)})`;
  return new FanoutError(
    'LIMIT_REACHED',
    `waited ${formatWaitMs(budget.spentMs)} for ${provider}'s rate limits${waited}, the whole wait budget of ${formatWaitMs(budget.limitMs)} (rateLimitWaitMs); still waiting for: ${waitingFor}`,
  );
}

/** A wait as the gate's messages say it: `850 ms`, `12 s`, `5 min`, `1.5 h`. */
export function formatWaitMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 6000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

import { describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import { ManualClock } from './manual-clock.js';
import {
  backoffMs,
  budgetSpent,
  DEFAULT_MAX_RETRIES,
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_RATE_LIMIT_WAIT_MS,
  formatWaitMs,
  isRateLimit,
  isRetryable,
  retryPolicy,
  WaitBudget,
} from './retry-policy.js';

const clock = new ManualClock();

describe('retryPolicy', () => {
  it('fills in the defaults', () => {
    expect(retryPolicy({ clock })).toMatchObject({
      maxRetries: DEFAULT_MAX_RETRIES,
      baseDelayMs: 500,
      maxDelayMs: 30_000,
      maxRetryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS,
      rateLimitWaitMs: DEFAULT_RATE_LIMIT_WAIT_MS,
    });
  });

  it('refuses a negative or fractional retry count and a wait below 0, naming the option', () => {
    expect(() => retryPolicy({ clock, maxRetries: 1.5 })).toThrowError(
      expect.objectContaining({ code: 'OPTION_INVALID', message: 'maxRetries must be an integer >= 0, got 1.5' }),
    );
    expect(() => retryPolicy({ clock, maxRetries: -1 })).toThrowError(expect.objectContaining({ code: 'OPTION_INVALID' }));
    expect(() => retryPolicy({ clock, rateLimitWaitMs: -1 })).toThrowError(
      expect.objectContaining({ code: 'OPTION_INVALID', message: 'rateLimitWaitMs must be a number >= 0, got -1' }),
    );
    expect(() => retryPolicy({ clock, maxRetryAfterMs: Number.NaN })).toThrowError(expect.objectContaining({ code: 'OPTION_INVALID' }));
    expect(retryPolicy({ clock, maxRetries: 0, rateLimitWaitMs: 0 })).toMatchObject({ maxRetries: 0, rateLimitWaitMs: 0 });
  });
});

describe('backoffMs', () => {
  it('doubles from baseDelayMs each attempt up to maxDelayMs, with jitter in [50 %, 100 %]', () => {
    const low = retryPolicy({ clock, baseDelayMs: 1000, maxDelayMs: 5000, random: () => 0 });
    expect([1, 2, 3, 4, 5].map((attempt) => backoffMs(low, undefined, attempt))).toEqual([500, 1000, 2000, 2500, 2500]);
    const high = retryPolicy({ clock, baseDelayMs: 1000, maxDelayMs: 5000, random: () => 0.999_999 });
    expect([1, 2, 3, 4].map((attempt) => backoffMs(high, undefined, attempt))).toEqual([1000, 2000, 4000, 5000]);
  });

  it("takes the server's retry-after as it is, never below 0 (the caller caps it)", () => {
    const policy = retryPolicy({ clock, random: () => 0 });
    expect(backoffMs(policy, 3_600_000, 1)).toBe(3_600_000);
    expect(backoffMs(policy, -5, 3)).toBe(0);
  });
});

describe('which errors retry, and which wait', () => {
  it('retries a retryable model error only; a 429 or 529 is a rate limit', () => {
    const error = (status: number, retryable = true): FanoutError => new FanoutError('MODEL_ERROR', 'x', { retryable, status });
    expect(isRetryable(error(500))).toBe(true);
    expect(isRetryable(error(400, false))).toBe(false);
    expect(isRetryable(new FanoutError('ABORTED', 'stopped'))).toBe(false);
    expect([429, 529, 500].map((status) => isRateLimit(error(status)))).toEqual([true, true, false]);
  });
});

describe('WaitBudget', () => {
  it('counts down to 0, never below, and its error says what was spent and on what', () => {
    const budget = new WaitBudget(60_000);
    budget.spentMs += 45_000;
    expect(budget.remainingMs).toBe(15_000);
    budget.spentMs += 30_000;
    expect(budget.remainingMs).toBe(0);
    expect(budgetSpent('anthropic', budget, 'rate limit (anthropic, window 4)', 850).message).toBe(
      "waited 1.3 min for anthropic's rate limits (this call 850 ms), the whole wait budget of 1 min (rateLimitWaitMs); still waiting for: rate limit (anthropic, window 4)",
    );
  });

  it('formats waits as ms, s, min and h', () => {
    expect([850, 12_000, 300_000, 5_400_000].map(formatWaitMs)).toEqual(['850 ms', '12 s', '5 min', '1.5 h']);
  });
});

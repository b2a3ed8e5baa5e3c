/**
 * Server-level limits of the simulated model, enforced as a real API enforces
 * them; over a limit the server answers 429 with `retry-after`, and every
 * answer carries the limit headers of its wire format.
 */
export interface RateLimitOptions {
  /** Most requests being answered at once (latency included). */
  maxConcurrent?: number;
  /** Sustained requests per second, with bursts up to one second's worth. */
  requestsPerSecond?: number;
  /** Requests per minute, enforced per second as the APIs do (a burst of one second's worth). */
  requestsPerMinute?: number;
  /**
   * Tokens per minute, input and output together, enforced per second. A
   * request is admitted while the bucket holds any token; its input tokens
   * are taken at admission, its output tokens when it is answered, so the
   * bucket may go below zero and the following requests wait for it to refill.
   */
  tokensPerMinute?: number;
  /**
   * The retry-after sent with a 429. Default: the time until the limit that
   * refused would admit the request, 100 ms for `maxConcurrent`.
   */
  retryAfterMs?: number;
}

/** Whether a request may proceed, and if not, how long the client should wait and which limit refused. */
export type Admission =
  | { admitted: true }
  | { admitted: false; retryAfterMs: number; limit: 'concurrency' | 'requests' | 'tokens' };

/** One limited resource as the limit headers describe it. */
export interface LimitHeaderState {
  /** The limit per minute. */
  limit: number;
  /** What is left now (whole units, never below 0). */
  remaining: number;
  /** Time until the bucket is full again, ms. */
  resetMs: number;
}

/** What the limit headers of an answer say. */
export interface RateLimitState {
  requests?: LimitHeaderState;
  tokens?: LimitHeaderState;
}

const CONCURRENCY_RETRY_MS = 100;
const ADMITTED: Admission = { admitted: true };
const SECOND_MS = 1000;

/**
 * A refilling bucket: `rate` units per ms, holding at most one second's
 * worth (at least 1). Refilled lazily on each read.
 */
class Bucket {
  level: number;
  readonly capacity: number;
  #refilledAt: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number,
  ) {
    this.capacity = Math.max(1, (perMinute / 60_000) * SECOND_MS);
    this.level = this.capacity;
    this.#refilledAt = now();
  }

  get rate(): number {
    return this.perMinute / 60_000;
  }

  refill(): void {
    const now = this.now();
    this.level = Math.min(this.capacity, this.level + (now - this.#refilledAt) * this.rate);
    this.#refilledAt = now;
  }

  /** ms until the level reaches `level`. */
  msUntil(level: number): number {
    return Math.max(1, Math.ceil((level - this.level) / this.rate));
  }

  state(): LimitHeaderState {
    this.refill();
    return {
      limit: Math.round(this.perMinute),
      remaining: Math.max(0, Math.floor(this.level)),
      resetMs: Math.max(0, Math.ceil((this.capacity - this.level) / this.rate)),
    };
  }
}

/**
 * A concurrency cap plus request and token buckets. `now` is injectable (ms,
 * monotonic) so the refill logic is tested without waiting.
 */
export class RateLimiter {
  private inFlight = 0;
  private readonly requests: Bucket | undefined;
  private readonly tokens: Bucket | undefined;

  constructor(
    private readonly options: RateLimitOptions,
    now: () => number = () => performance.now(),
  ) {
    const perMinute = Math.min(
      options.requestsPerMinute ?? Number.POSITIVE_INFINITY,
      (options.requestsPerSecond ?? Number.POSITIVE_INFINITY) * 60,
    );
    this.requests = Number.isFinite(perMinute) ? new Bucket(perMinute, now) : undefined;
    this.tokens = options.tokensPerMinute === undefined ? undefined : new Bucket(options.tokensPerMinute, now);
  }

  /**
   * Admits a request of `inputTokens` (call {@link release} when its
   * response ends, {@link spend} with its output tokens) or rejects it with a
   * wait time. A refused request takes nothing.
   */
  admit(inputTokens = 0): Admission {
    const { maxConcurrent, retryAfterMs } = this.options;
    if (maxConcurrent !== undefined && this.inFlight >= maxConcurrent) {
      return { admitted: false, retryAfterMs: retryAfterMs ?? CONCURRENCY_RETRY_MS, limit: 'concurrency' };
    }
    const { requests, tokens } = this;
    requests?.refill();
    if (requests !== undefined && requests.level < 1) {
      return { admitted: false, retryAfterMs: retryAfterMs ?? requests.msUntil(1), limit: 'requests' };
    }
    tokens?.refill();
    if (tokens !== undefined && tokens.level <= 0) {
      return { admitted: false, retryAfterMs: retryAfterMs ?? tokens.msUntil(Number.MIN_VALUE), limit: 'tokens' };
    }
    if (requests !== undefined) requests.level -= 1;
    if (tokens !== undefined) tokens.level -= inputTokens;
    this.inFlight++;
    return ADMITTED;
  }

  /** Takes an answered request's output tokens from the token bucket. */
  spend(outputTokens: number): void {
    if (this.tokens !== undefined) this.tokens.level -= outputTokens;
  }

  /** Ends an admitted request. */
  release(): void {
    this.inFlight--;
  }

  /** The limits as the headers of an answer sent now state them; empty without request or token limits. */
  state(): RateLimitState {
    const state: RateLimitState = {};
    if (this.requests !== undefined) state.requests = this.requests.state();
    if (this.tokens !== undefined) state.tokens = this.tokens.state();
    return state;
  }
}

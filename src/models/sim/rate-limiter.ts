/** Server-level limits of the simulated model; over a limit the server answers 429 with retry-after. */
export interface RateLimitOptions {
  /** Most requests being answered at once (latency included). */
  maxConcurrent?: number;
  /** Sustained requests per second, with bursts up to one second's worth. */
  requestsPerSecond?: number;
  /**
   * The retry-after sent with a 429. Default: the time until the next request
   * would be admitted for `requestsPerSecond`, 100 ms for `maxConcurrent`.
   */
  retryAfterMs?: number;
}

/** Whether a request may proceed, and if not, how long the client should wait. */
export type Admission = { admitted: true } | { admitted: false; retryAfterMs: number };

const CONCURRENCY_RETRY_MS = 100;
const ADMITTED: Admission = { admitted: true };

/**
 * A concurrency cap plus a token bucket. `now` is injectable (ms, monotonic)
 * so the refill logic is tested without waiting.
 */
export class RateLimiter {
  private inFlight = 0;
  private tokens: number;
  private refilledAt: number;
  private readonly capacity: number;

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = Math.max(1, options.requestsPerSecond ?? 0);
    this.tokens = this.capacity;
    this.refilledAt = now();
  }

  /** Admits a request (call {@link release} when its response ends) or rejects it with a wait time. */
  admit(): Admission {
    const { maxConcurrent, requestsPerSecond, retryAfterMs } = this.options;
    if (maxConcurrent !== undefined && this.inFlight >= maxConcurrent) {
      return { admitted: false, retryAfterMs: retryAfterMs ?? CONCURRENCY_RETRY_MS };
    }
    if (requestsPerSecond !== undefined) {
      const now = this.now();
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) * requestsPerSecond) / 1000);
      this.refilledAt = now;
      if (this.tokens < 1) {
        return { admitted: false, retryAfterMs: retryAfterMs ?? Math.ceil(((1 - this.tokens) * 1000) / requestsPerSecond) };
      }
      this.tokens -= 1;
    }
    this.inFlight++;
    return ADMITTED;
  }

  /** Ends an admitted request. */
  release(): void {
    this.inFlight--;
  }
}

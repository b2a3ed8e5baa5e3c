import { FanoutError, toFanoutError } from '../contracts/errors.js';
import type { Model, ModelRequest, ModelResponse } from '../contracts/model.js';
import { isSimulated } from '../contracts/sim-options.js';
import type { Clock } from '../contracts/clock.js';

/** What one gated call reports back to the task that made it. */
export interface GateCallHooks {
  /** Called when this call has to queue for one of the provider's slots. */
  onSlotWait?(detail: string): void;
  /** Called before sleeping to retry a failed attempt. */
  onRetry?(info: { attempt: number; waitMs: number; error: FanoutError }): void;
  /**
   * Called before this call sits out a pause of the whole provider (a rate
   * limit another call hit), with the ms it will wait and why.
   */
  onPaused?(waitMs: number, detail: string): void;
}

/** Settings of {@link ModelGates}. */
export interface ModelGatesOptions {
  clock: Clock;
  /** Most calls in flight per provider key. Default: unbounded for simulated models, 16 otherwise. */
  providerConcurrency?: Record<string, number>;
  /** Retries of a retryable error before giving up. @default 4 */
  maxRetries?: number;
  /** First backoff when the server gives no retry-after, doubled each attempt. @default 1000 */
  baseDelayMs?: number;
  /** Longest computed backoff. @default 30000 */
  maxDelayMs?: number;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
}

/** Default cap of a real provider's calls in flight. */
export const DEFAULT_PROVIDER_CONCURRENCY = 16;
/** Default number of retries of a retryable model error. */
export const DEFAULT_MAX_RETRIES = 4;

/**
 * Every model call of a process goes through here: one {@link ProviderGate}
 * per provider key, created on first use.
 */
export class ModelGates {
  readonly #options: Required<Omit<ModelGatesOptions, 'providerConcurrency'>> & {
    providerConcurrency: Record<string, number>;
  };
  readonly #gates = new Map<string, ProviderGate>();

  /** @throws FanoutError `OPTION_INVALID` for a cap below 1 or a negative or fractional retry count. */
  constructor(options: ModelGatesOptions) {
    for (const [provider, cap] of Object.entries(options.providerConcurrency ?? {})) {
      if (!(cap >= 1)) {
        throw new FanoutError('OPTION_INVALID', `providerConcurrency.${provider} must be a number >= 1, got ${String(cap)}`);
      }
    }
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new FanoutError('OPTION_INVALID', `maxRetries must be an integer >= 0, got ${String(maxRetries)}`);
    }
    this.#options = {
      clock: options.clock,
      providerConcurrency: options.providerConcurrency ?? {},
      maxRetries,
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      random: options.random ?? Math.random,
    };
  }

  /** Calls `model` through its provider's gate: capped, retried, paused on rate limits. */
  call(model: Model, request: ModelRequest, hooks: GateCallHooks = {}): Promise<ModelResponse> {
    return this.gateOf(model).call((req) => model.generate(req), request, hooks);
  }

  /** The gate of a model's provider. */
  gateOf(model: Model): ProviderGate {
    let gate = this.#gates.get(model.provider);
    if (gate === undefined) {
      const configured = this.#options.providerConcurrency[model.provider];
      const cap = configured ?? (isSimulated(model) ? Number.POSITIVE_INFINITY : DEFAULT_PROVIDER_CONCURRENCY);
      gate = new ProviderGate(model.provider, cap, this.#options);
      this.#gates.set(model.provider, gate);
    }
    return gate;
  }
}

interface SlotWaiter {
  grant: () => void;
  cancelled: boolean;
}

interface RetryPolicy {
  clock: Clock;
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  random: () => number;
}

/**
 * One provider's gate: at most `cap` calls in flight (FIFO beyond that),
 * retries of retryable errors with exponential backoff and jitter, and a
 * pause shared by every call of the provider after a rate limit (429/529 or
 * any retry-after), so many agents back off together instead of each
 * hammering the limit on its own schedule.
 */
export class ProviderGate {
  readonly provider: string;
  readonly cap: number;
  readonly #policy: RetryPolicy;
  #inFlight = 0;
  readonly #waiters: SlotWaiter[] = [];
  #waitersHead = 0;
  /** No call of this provider starts before this time (ms epoch). */
  #pausedUntil = 0;

  constructor(provider: string, cap: number, policy: RetryPolicy) {
    this.provider = provider;
    this.cap = cap;
    this.#policy = policy;
  }

  /** Calls in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Time until which every call of this provider waits (ms epoch; in the past when not paused). */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /**
   * Runs `attempt(request)` when the provider is not paused and a slot is
   * free; retries retryable errors (MODEL_ERROR with `retryable`) up to
   * `maxRetries` times, sleeping `retryAfterMs` when the server gave one,
   * else an exponential backoff with jitter. Aborting `request.signal` ends
   * any wait at once with the signal's reason.
   */
  async call<T>(attempt: (request: ModelRequest) => Promise<T>, request: ModelRequest, hooks: GateCallHooks): Promise<T> {
    const { clock, maxRetries } = this.#policy;
    const signal = request.signal;
    for (let retry = 0; ; retry++) {
      if (!this.#tryAcquire()) await this.#acquire(signal, hooks);
      let error: FanoutError;
      try {
        return await attempt(request);
      } catch (thrown) {
        error = toFanoutError(thrown, 'MODEL_ERROR');
        if (signal.aborted || retry >= maxRetries || !isRetryable(error)) throw thrown;
      } finally {
        this.#release();
      }
      const waitMs = this.#delay(error, retry + 1);
      if (isRateLimit(error)) this.#pausedUntil = Math.max(this.#pausedUntil, clock.now() + waitMs);
      hooks.onRetry?.({ attempt: retry + 1, waitMs, error });
      await clock.sleep(waitMs, signal);
    }
  }

  /** Takes a slot at once when the provider is neither paused nor full: the common case costs no await. */
  #tryAcquire(): boolean {
    if (this.#inFlight >= this.cap || this.#policy.clock.now() < this.#pausedUntil) return false;
    this.#inFlight++;
    return true;
  }

  /** Takes a slot once the provider is not paused; a slot granted during a new pause is given back. */
  async #acquire(signal: AbortSignal, hooks: GateCallHooks): Promise<void> {
    const { clock } = this.#policy;
    for (;;) {
      await this.#sitOutPause(signal, hooks);
      if (this.#inFlight < this.cap) {
        this.#inFlight++;
      } else {
        hooks.onSlotWait?.(`${this.#inFlight} calls of provider ${this.provider} in flight (cap ${this.cap})`);
        await this.#enqueue(signal);
      }
      if (clock.now() >= this.#pausedUntil) return;
      this.#release();
    }
  }

  async #sitOutPause(signal: AbortSignal, hooks: GateCallHooks): Promise<void> {
    const { clock } = this.#policy;
    while (clock.now() < this.#pausedUntil) {
      const waitMs = this.#pausedUntil - clock.now();
      hooks.onPaused?.(waitMs, `provider ${this.provider} is backing off after a rate limit`);
      await clock.sleep(waitMs, signal);
    }
  }

  /** Waits for a slot handed over by {@link ProviderGate.#release} (which keeps it counted in flight). */
  #enqueue(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        waiter.cancelled = true;
        reject(signal.reason);
      };
      const waiter: SlotWaiter = {
        cancelled: false,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Hands the slot to the oldest live waiter, or frees it. */
  #release(): void {
    while (this.#waitersHead < this.#waiters.length) {
      const waiter = this.#waiters[this.#waitersHead++] as SlotWaiter;
      if (waiter.cancelled) continue;
      this.#compactWaiters();
      waiter.grant();
      return;
    }
    this.#compactWaiters();
    this.#inFlight--;
  }

  // Dropping served waiters in bulk keeps release O(1) amortized (no Array#shift per call).
  #compactWaiters(): void {
    if (this.#waitersHead > 1024 && this.#waitersHead * 2 > this.#waiters.length) {
      this.#waiters.splice(0, this.#waitersHead);
      this.#waitersHead = 0;
    } else if (this.#waitersHead === this.#waiters.length) {
      this.#waiters.length = 0;
      this.#waitersHead = 0;
    }
  }

  #delay(error: FanoutError, attempt: number): number {
    if (error.retryAfterMs !== undefined) return Math.max(0, error.retryAfterMs);
    const { baseDelayMs, maxDelayMs, random } = this.#policy;
    const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    // Jitter in [50 %, 100 %]: spreads retries of many agents that failed together.
    return Math.round(exponential * (0.5 + random() * 0.5));
  }
}

function isRetryable(error: FanoutError): boolean {
  return error.code === 'MODEL_ERROR' && error.retryable;
}

/** A rate limit or overload: the whole provider should back off, not just this call. */
function isRateLimit(error: FanoutError): boolean {
  return error.status === 429 || error.status === 529 || error.retryAfterMs !== undefined;
}

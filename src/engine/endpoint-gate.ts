import { DeadlineWatch, type Watched } from '../contracts/deadline-watch.js';
import { FanoutError, toFanoutError } from '../contracts/errors.js';
import type { Model, ModelRequest, ModelResponse, RateLimitInfo } from '../contracts/model.js';
import type { ProviderLimits } from '../contracts/plan.js';
import { SlidingMinute, StatedBucket } from './endpoint-pacing.js';
import { AdaptiveWindow, type WindowChange } from './rate-window.js';
import { FifoQueue } from './fifo-queue.js';
import {
  backoffMs,
  budgetSpent,
  formatWaitMs,
  isRateLimit,
  isRetryable,
  pauseOverBudget,
  WaitBudget,
  type RetryPolicy,
  type RetryPolicyOptions,
} from './retry-policy.js';

/** Why a gated call waits before it starts: a rate limit (adaptive or stated) or a static cap of calls in flight. */
export type GateWaitReason = 'rate-limit' | 'provider-cap';

/** A window change, with the provider key of its endpoint (never the endpoint itself: it hashes the key). */
export interface GateWindowChange extends WindowChange {
  provider: string;
}

/** What one gated call reports back to the task that made it. */
export interface GateCallHooks {
  /** Called when this call has to wait before it starts, with why: the reason, and a detail such as `anthropic, window 12`. */
  onWait?(reason: GateWaitReason, detail: string): void;
  /** Called when this call starts after waiting `waitedMs` for its endpoint. */
  onWaited?(waitedMs: number): void;
  /** Called before sleeping to retry a failed attempt (not a rate limit: those wait, see onRateLimited). */
  onRetry?(info: { attempt: number; waitMs: number; error: FanoutError }): void;
  /**
   * Called when an attempt was refused by a rate limit (429/529): the call
   * waits `waitMs` (the server's ask, capped) and tries again, without
   * spending a retry. `detail` says what the server asked and what fanout does.
   */
  onRateLimited?(info: { waitMs: number; error: FanoutError; detail: string }): void;
  /** Called when this call's answer changed its endpoint's window. */
  onWindow?(change: GateWindowChange): void;
  /**
   * The task's budget of time waiting for its endpoints, shared by all its
   * calls. Default: a budget of the gates' `rateLimitWaitMs` ({@link RetryPolicyOptions}) per call.
   */
  waitBudget?: WaitBudget;
}

interface Waiter {
  grant: () => void;
  expire: (error: FanoutError) => void;
  cancelled: boolean;
}

/** An attempt whose model call threw, and may be tried again: its window slot, what it threw, and as what error. */
interface FailedAttempt {
  call: number;
  error: FanoutError;
  thrown: unknown;
}

/** What holds a call back, and until when when only time will free it. */
interface Blocked {
  reason: GateWaitReason;
  detail: string;
  until?: number;
}

/**
 * One endpoint's gate. A call starts when nothing holds it back, in FIFO
 * order: the endpoint is not paused by a rate limit, fewer calls are in
 * flight than its {@link AdaptiveWindow} and its static `maxConcurrent`
 * allow, its static `rpm`/`tpm` have room in the last minute, and the
 * limits its answers stated (`remaining`, refilled towards `reset`) are not
 * used up. A 429/529 halves the window and pauses the endpoint for the
 * server's `retry-after` (capped): every call sits it out and then resumes
 * through the shrunken window, not all at once. Rate-limit waits spend the
 * task's {@link WaitBudget}, never its retries; other retryable errors are
 * retried with exponential backoff and jitter, at most `maxRetries` times.
 */
export class EndpointGate {
  readonly provider: string;
  /** Static caps of this endpoint's provider. */
  limits: ProviderLimits;
  readonly #policy: RetryPolicy;
  readonly #window = new AdaptiveWindow();
  readonly #requests = new StatedBucket();
  readonly #tokens = new StatedBucket();
  #stated: RateLimitInfo = {};
  readonly #startsPerMinute = new SlidingMinute();
  readonly #tokensPerMinute = new SlidingMinute();
  /** Average tokens of a call (input + output), from the answers so far; 0 before the first. */
  #tokensPerCall = 0;
  #inFlight = 0;
  readonly #waiters = new FifoQueue<Waiter>();
  #live = 0;
  /** No call starts before this time (monotonic). */
  #pausedUntil = 0;
  #pauseReason = '';
  /** When time alone will let a queued call start (a pause ends, a minute's room frees): the gate pumps then. */
  readonly #wake: DeadlineWatch;
  /** The time {@link EndpointGate.#wake} wakes the gate at; Infinity when it is not armed. */
  #wakeAt = Number.POSITIVE_INFINITY;
  readonly #wakeEntry: Watched = {
    deadline: () => this.#wakeAt,
    expire: () => {
      this.#wakeAt = Number.POSITIVE_INFINITY;
      this.#pump();
    },
  };

  /** When queued calls' wait budgets run out: one sleep to the nearest, not a timer per queued call. */
  readonly #expiries: DeadlineWatch;

  constructor(provider: string, limits: ProviderLimits, policy: RetryPolicy) {
    this.provider = provider;
    this.limits = limits;
    this.#policy = policy;
    this.#wake = new DeadlineWatch(policy.clock);
    this.#expiries = new DeadlineWatch(policy.clock);
  }

  /** Calls in flight now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Calls allowed in flight now: the adaptive window within the static cap (Infinity when nothing limits them). */
  get window(): number {
    return Math.min(this.#window.limit, this.limits.maxConcurrent ?? Number.POSITIVE_INFINITY);
  }

  /** Time until which every call of this endpoint waits (on the clock's monotonic reading; in the past when not paused). */
  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /**
   * Runs `model.generate(request)` when the endpoint lets it start; waits out rate
   * limits (within the wait budget) and retries other retryable errors
   * (MODEL_ERROR with `retryable`) up to `maxRetries` times. Aborting
   * `request.signal` ends any wait at once with the signal's reason.
   */
  async call(model: Model, request: ModelRequest, hooks: GateCallHooks): Promise<ModelResponse> {
    // The common case (nothing queued or holding it back, the first attempt answers) alone, in a small function:
    // TurboFan compiles this for every call's path, and the waits and retries of #callAgain rarely run.
    // (`return await`, not `return`: a returned promise would settle the call two turns later.)
    if (!this.#tryStart()) return await this.#callAgain(model, request, hooks, undefined);
    const call = this.#window.started();
    let response: ModelResponse;
    try {
      response = await model.generate(request);
    } catch (thrown) {
      const error = this.#endAttempt(thrown, request.signal);
      return await this.#callAgain(model, request, hooks, { call, error, thrown });
    }
    this.#succeeded(response, hooks);
    return response;
  }

  /**
   * {@link EndpointGate.call} from where its fast path could not go on: the
   * call has to queue (`failed` undefined), or its first attempt failed in
   * a way worth another.
   */
  async #callAgain(model: Model, request: ModelRequest, hooks: GateCallHooks, failed: FailedAttempt | undefined): Promise<ModelResponse> {
    const { clock, maxRetries } = this.#policy;
    const signal = request.signal;
    const budget = hooks.waitBudget ?? new WaitBudget(this.#policy.rateLimitWaitMs);
    let retries = 0;
    let limitsInARow = 0;
    let attempt = failed;
    for (;;) {
      if (attempt !== undefined) {
        const { call, error, thrown } = attempt;
        attempt = undefined;
        if (isRateLimit(error)) {
          limitsInARow++;
          const waitMs = this.#limited(error, call, limitsInARow, hooks);
          this.#pump();
          // Sitting out a pause longer than the budget left can only end in its expiry: say so now, with the server's ask.
          if (waitMs > budget.remainingMs) throw pauseOverBudget(this.provider, error, waitMs, budget);
          if (error.retryAfterMs === undefined) {
            // No wait asked: the endpoint is not paused (the smaller window already eases it), this call alone backs off.
            await clock.sleep(waitMs, signal);
            budget.spentMs += waitMs;
            hooks.onWaited?.(waitMs);
          }
        } else {
          this.#pump();
          if (retries >= maxRetries) throw thrown;
          retries++;
          const waitMs = Math.min(backoffMs(this.#policy, error.retryAfterMs, retries), this.#policy.maxRetryAfterMs);
          hooks.onRetry?.({ attempt: retries, waitMs, error });
          await clock.sleep(waitMs, signal);
        }
      }
      if (!this.#tryStart()) await this.#queue(signal, hooks, budget);
      const call = this.#window.started();
      let response: ModelResponse;
      try {
        response = await model.generate(request);
      } catch (thrown) {
        attempt = { call, error: this.#endAttempt(thrown, signal), thrown };
        continue;
      }
      this.#succeeded(response, hooks);
      return response;
    }
  }

  /**
   * An attempt threw: frees its slot, and rethrows what it threw (in this
   * turn, as the attempt failed) unless the call can try again; returns why
   * it failed when it can.
   */
  #endAttempt(thrown: unknown, signal: AbortSignal): FanoutError {
    const error = toFanoutError(thrown, 'MODEL_ERROR');
    this.#inFlight--;
    if (signal.aborted || !isRetryable(error)) {
      this.#pump();
      throw thrown;
    }
    return error;
  }

  /** Starts a call at once when no call is queued and nothing holds it back: the common case costs no await. */
  #tryStart(): boolean {
    if (this.#live > 0) return false;
    const now = this.#policy.clock.monotonic();
    if (this.#blocked(now) !== undefined) return false;
    this.#start(now);
    return true;
  }

  #start(now: number): void {
    this.#inFlight++;
    this.#startsPerMinute.add(1, now);
    this.#requests.take(1, now);
    this.#tokens.take(this.#tokensPerCall, now);
  }

  #blocked(now: number): Blocked | undefined {
    const { provider, limits } = this;
    if (now < this.#pausedUntil) {
      return { reason: 'rate-limit', detail: `${provider}, ${this.#pauseReason}`, until: this.#pausedUntil };
    }
    if (limits.maxConcurrent !== undefined && this.#inFlight >= limits.maxConcurrent) {
      return { reason: 'provider-cap', detail: `${provider}, maxConcurrent ${limits.maxConcurrent}` };
    }
    if (this.#inFlight >= this.#window.limit) {
      return { reason: 'rate-limit', detail: `${provider}, window ${this.#window.limit}` };
    }
    if (limits.rpm !== undefined) {
      const waitMs = this.#startsPerMinute.msUntilRoom(1, limits.rpm, now);
      if (waitMs > 0) return { reason: 'rate-limit', detail: `${provider}, rpm ${limits.rpm}`, until: now + waitMs };
    }
    if (limits.tpm !== undefined) {
      const inFlightTokens = this.#inFlight * this.#tokensPerCall;
      const room = inFlightTokens + this.#tokensPerCall;
      // A call alone at the endpoint always goes: its tokens are only known once it answers.
      const waitMs = this.#inFlight === 0 && this.#tokensPerMinute.sum(now) === 0 ? 0 : this.#tokensPerMinute.msUntilRoom(room, limits.tpm, now);
      if (waitMs > 0) {
        const detail = `${provider}, tpm ${limits.tpm}`;
        return Number.isFinite(waitMs) ? { reason: 'rate-limit', detail, until: now + waitMs } : { reason: 'rate-limit', detail };
      }
    }
    if (this.#stated.requests !== undefined) {
      const waitMs = this.#requests.msUntil(1, now);
      if (waitMs > 0) return { reason: 'rate-limit', detail: `${provider}, no requests left`, until: now + waitMs };
    }
    if (this.#stated.tokens !== undefined) {
      const waitMs = this.#tokens.msUntil(Number.MIN_VALUE, now);
      if (waitMs > 0) return { reason: 'rate-limit', detail: `${provider}, no tokens left`, until: now + waitMs };
    }
    return undefined;
  }

  /** Waits in line until {@link EndpointGate.#pump} starts this call, or the wait budget runs out. */
  #queue(signal: AbortSignal, hooks: GateCallHooks, budget: WaitBudget): Promise<void> {
    const { clock } = this.#policy;
    const enqueuedAt = clock.monotonic();
    const blocked = this.#blocked(enqueuedAt) ?? { reason: 'rate-limit', detail: `${this.provider}, calls queued` };
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      if (budget.remainingMs <= 0) {
        reject(budgetSpent(this.provider, budget, waitingFor(blocked)));
        return;
      }
      hooks.onWait?.(blocked.reason, blocked.detail);
      let expiry: Watched | undefined;
      const leave = (): void => {
        waiter.cancelled = true;
        this.#live--;
        if (expiry !== undefined) this.#expiries.delete(expiry);
        signal.removeEventListener('abort', onAbort);
        if (this.#live === 0) this.#disarm();
      };
      const onAbort = (): void => {
        leave();
        reject(signal.reason);
      };
      const waiter: Waiter = {
        cancelled: false,
        grant: () => {
          leave();
          const waitedMs = clock.monotonic() - enqueuedAt;
          budget.spentMs += waitedMs;
          hooks.onWaited?.(waitedMs);
          resolve();
        },
        expire: (error) => {
          leave();
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
      this.#live++;
      if (Number.isFinite(budget.remainingMs)) {
        expiry = this.#budgetExpiry(waiter, budget, enqueuedAt, blocked);
        this.#expiries.add(expiry);
      }
      this.#pump();
    });
  }

  /** Ends a queued call that is still waiting when its wait budget runs out. */
  #budgetExpiry(waiter: Waiter, budget: WaitBudget, enqueuedAt: number, first: Blocked): Watched {
    const at = enqueuedAt + budget.remainingMs;
    return {
      deadline: () => at,
      expire: (now) => {
        if (waiter.cancelled) return;
        budget.spentMs += now - enqueuedAt;
        waiter.expire(budgetSpent(this.provider, budget, waitingFor(this.#blocked(now) ?? first), now - enqueuedAt));
      },
    };
  }

  /** Starts queued calls, oldest first, while nothing holds them back; else arms a timer for when time will free one. */
  #pump(): void {
    const now = this.#policy.clock.monotonic();
    for (let waiter = this.#waiters.peek(); waiter !== undefined; waiter = this.#waiters.peek()) {
      if (waiter.cancelled) {
        this.#waiters.shift();
        continue;
      }
      const blocked = this.#blocked(now);
      if (blocked !== undefined) {
        if (blocked.until === undefined) this.#disarm();
        else this.#arm(blocked.until);
        return;
      }
      this.#waiters.shift();
      this.#start(now);
      waiter.grant();
    }
    this.#disarm();
  }

  /** Wakes the gate by `at`; a wake already armed for earlier stays (that pump re-arms). */
  #arm(at: number): void {
    if (this.#wakeAt <= at) return;
    const armed = Number.isFinite(this.#wakeAt);
    this.#wakeAt = at;
    if (armed) this.#wake.due(at);
    else this.#wake.add(this.#wakeEntry);
  }

  /** Nothing left that time alone will free: no wake (and no timer keeping the process alive). */
  #disarm(): void {
    if (!Number.isFinite(this.#wakeAt)) return;
    this.#wakeAt = Number.POSITIVE_INFINITY;
    this.#wake.delete(this.#wakeEntry);
  }

  #succeeded(response: ModelResponse, hooks: GateCallHooks): void {
    const now = this.#policy.clock.monotonic();
    const full = this.#inFlight >= this.#window.limit;
    this.#inFlight--;
    const tokens = response.usage.inputTokens + response.usage.outputTokens;
    this.#tokensPerMinute.add(tokens, now);
    // A moving average: recent calls weigh most, as a task's calls grow with its conversation.
    this.#tokensPerCall = this.#tokensPerCall === 0 ? tokens : this.#tokensPerCall * 0.8 + tokens * 0.2;
    const stated = response.rateLimit;
    if (stated !== undefined) {
      this.#stated = stated;
      const wallNow = this.#policy.clock.now();
      if (stated.requests !== undefined) this.#requests.update(stated.requests, now, wallNow);
      if (stated.tokens !== undefined) this.#tokens.update(stated.tokens, now, wallNow);
    }
    const change = this.#window.succeeded(full, stated !== undefined, this.#inFlight + 1);
    if (change !== undefined) hooks.onWindow?.({ ...change, provider: this.provider });
    this.#pump();
  }

  /**
   * A 429/529: halves the window, pauses the endpoint for the server's
   * retry-after (capped), tells the task; returns this call's wait (the
   * pause, else its own exponential backoff).
   */
  #limited(error: FanoutError, call: number, inARow: number, hooks: GateCallHooks): number {
    const { clock, maxRetryAfterMs } = this.#policy;
    const now = clock.monotonic();
    const asked = error.retryAfterMs;
    const waitMs = Math.min(backoffMs(this.#policy, asked, inARow), maxRetryAfterMs);
    const status = `HTTP ${error.status ?? 429}`;
    if (asked !== undefined && now + waitMs > this.#pausedUntil) {
      this.#pausedUntil = now + waitMs;
      this.#pauseReason = `paused ${formatWaitMs(waitMs)} after ${status}`;
    }
    const change = this.#window.limited(call, this.#inFlight + 1, status, error.status === 529 ? 'overload' : 'rate-limit');
    if (change !== undefined) hooks.onWindow?.({ ...change, provider: this.provider });
    const wait =
      asked !== undefined && asked > maxRetryAfterMs
        ? `the server asked to wait ${formatWaitMs(asked)}, more than the ${formatWaitMs(maxRetryAfterMs)} cap (maxRetryAfterMs): waiting ${formatWaitMs(waitMs)}`
        : `waiting ${formatWaitMs(waitMs)}`;
    const window = this.window;
    hooks.onRateLimited?.({ waitMs, error, detail: `${status} from ${this.provider}: ${wait}, window ${Number.isFinite(window) ? window : 'open'}` });
    return waitMs;
  }

}

/** What a blocked call waits for, as a budget error says it. */
function waitingFor(blocked: Blocked): string {
  return `${blocked.reason === 'rate-limit' ? 'rate limit' : 'provider cap'} (${blocked.detail})`;
}

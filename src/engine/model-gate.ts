import { FanoutError } from '../contracts/errors.js';
import type { Model, ModelRequest, ModelResponse } from '../contracts/model.js';
import { tighterLimits, type ProviderLimits } from '../contracts/plan.js';
import { EndpointGate, type GateCallHooks } from './endpoint-gate.js';
import { retryPolicy, WaitBudget, type RetryPolicy, type RetryPolicyOptions } from './retry-policy.js';

/** Settings of {@link ModelGates}: its retry policy and the static caps of its providers. */
export interface ModelGatesOptions extends RetryPolicyOptions {
  /** Static caps per provider key, never exceeded (see {@link ProviderLimits}). */
  providers?: Record<string, ProviderLimits>;
}

/**
 * Every model call of a process goes through here: one {@link EndpointGate}
 * per endpoint (a model's {@link Model.endpoint}, else its provider key),
 * created on first use and shared by every task and run of the process.
 */
export class ModelGates {
  readonly #policy: RetryPolicy;
  readonly #limits = new Map<string, ProviderLimits>();
  readonly #gates = new Map<string, EndpointGate>();

  /** @throws FanoutError `OPTION_INVALID` for a cap below 1, a negative or fractional retry count or a wait below 0. */
  constructor(options: ModelGatesOptions) {
    for (const [provider, limits] of Object.entries(options.providers ?? {})) this.limit(provider, limits, 'providers');
    this.#policy = retryPolicy(options);
  }

  /**
   * Adds static caps of a provider's calls; where a cap is already set, the
   * tighter one stays. `where` names the source in an error.
   * @throws FanoutError `OPTION_INVALID` for a cap that is not a number >= 1.
   */
  limit(provider: string, limits: ProviderLimits, where = 'providers'): void {
    for (const [name, value] of Object.entries(limits)) {
      if (value === undefined) continue;
      if (!(typeof value === 'number' && value >= 1)) {
        throw new FanoutError('OPTION_INVALID', `${where}.${provider}.${name} must be a number >= 1, got ${String(value)}`);
      }
    }
    const merged = tighterLimits({ [provider]: this.#limits.get(provider) ?? {} }, { [provider]: limits })[provider] ?? {};
    this.#limits.set(provider, merged);
    for (const gate of this.#gates.values()) if (gate.provider === provider) gate.limits = merged;
  }

  /** A fresh budget of time waiting for rate limits, for one task's calls. */
  waitBudget(): WaitBudget {
    return new WaitBudget(this.#policy.rateLimitWaitMs);
  }

  /** Calls `model` through its endpoint's gate: paced, capped, retried, waiting out rate limits. */
  call(model: Model, request: ModelRequest, hooks: GateCallHooks = {}): Promise<ModelResponse> {
    return this.gateOf(model).call(model, request, hooks);
  }

  /** The gate of a model's endpoint. */
  gateOf(model: Model): EndpointGate {
    const key = model.endpoint ?? model.provider;
    let gate = this.#gates.get(key);
    if (gate === undefined) {
      gate = new EndpointGate(model.provider, this.#limits.get(model.provider) ?? {}, this.#policy);
      this.#gates.set(key, gate);
    }
    return gate;
  }
}

import type { SpawnOptions } from '../contracts/fanout.js';
import { tighterLimits, type Plan, type ProviderLimits } from '../contracts/plan.js';

/** Flags of the commands that spawn a plan as it is (`run`, `do`). */
export interface SpawnFlags {
  concurrency?: number;
  model?: string;
  strict?: boolean;
  /** `--strict-writes`: the plan's `strictWrites`. */
  strictWrites?: boolean;
}

/** The run-cap flags of `run` and `do`, already parsed (positive numbers). */
export interface CapFlags {
  /** `--max-tokens N`: the plan's `maxTokens`. */
  maxTokens?: number;
  /** `--budget USD`: the plan's `budgetUsd`. */
  budget?: number;
  /** `--timeout MS`: the plan's `timeoutMs`. */
  timeout?: number;
  /** `--provider-limit anthropic=rpm:50`: the plan's `providers`. */
  providerLimit?: Record<string, ProviderLimits>;
}

/** The spawn options `--concurrency`, `--model`, `--strict` and `--strict-writes` stand for. */
export function spawnOptionsFromFlags(flags: SpawnFlags): Pick<SpawnOptions, 'concurrency' | 'modelOverride' | 'strict' | 'strictWrites'> {
  return {
    ...(flags.concurrency !== undefined && { concurrency: flags.concurrency }),
    ...(flags.model !== undefined && { modelOverride: flags.model }),
    ...(flags.strict && { strict: true }),
    ...(flags.strictWrites && { strictWrites: true }),
  };
}

/**
 * The spawn options `--max-tokens`, `--budget` and `--timeout` stand for:
 * the run's caps over the plan's own, recorded with the run, so they apply
 * in a detached process too.
 */
export function capOptionsFromFlags(flags: CapFlags): Pick<SpawnOptions, 'maxTokens' | 'budgetUsd' | 'timeoutMs' | 'providers'> {
  return {
    ...(flags.maxTokens !== undefined && { maxTokens: flags.maxTokens }),
    ...(flags.budget !== undefined && { budgetUsd: flags.budget }),
    ...(flags.timeout !== undefined && { timeoutMs: flags.timeout }),
    ...(flags.providerLimit !== undefined && { providers: flags.providerLimit }),
  };
}

/**
 * The plan with the cap flags written into its top-level fields (replacing
 * the plan's own values): for a plan that `do` prints, runs, or writes to
 * a file with `--plan-only`.
 */
export function withCaps(plan: Plan, flags: CapFlags): Plan {
  const caps = capOptionsFromFlags(flags);
  return { ...plan, ...caps, ...(caps.providers && { providers: tighterLimits(plan.providers, caps.providers) }) };
}

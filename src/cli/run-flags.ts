import type { SpawnOptions } from '../engine/api.js';
import type { Plan } from '../contracts/plan.js';

/** Flags of the commands that spawn a plan as it is (`run`, `do`). */
export interface SpawnFlags {
  concurrency?: number;
  model?: string;
  strict?: boolean;
}

/** The run-cap flags of `run` and `do`, already parsed (positive numbers). */
export interface CapFlags {
  /** `--max-tokens N`: the plan's `maxTokens`. */
  maxTokens?: number;
  /** `--budget USD`: the plan's `budgetUsd`. */
  budget?: number;
  /** `--timeout MS`: the plan's `timeoutMs`. */
  timeout?: number;
}

/** The spawn options `--concurrency`, `--model` and `--strict` stand for. */
export function spawnOptionsFromFlags(flags: SpawnFlags): Omit<SpawnOptions, 'signal'> {
  return {
    ...(flags.concurrency !== undefined && { concurrency: flags.concurrency }),
    ...(flags.model !== undefined && { modelOverride: flags.model }),
    ...(flags.strict && { strict: true }),
  };
}

/**
 * The plan with the cap flags written into its top-level fields (replacing
 * the plan's own values), so they apply wherever the plan runs — in this
 * process, a detached one, or from a file written by `do --plan-only`.
 */
export function withCaps(plan: Plan, flags: CapFlags): Plan {
  return {
    ...plan,
    ...(flags.maxTokens !== undefined && { maxTokens: flags.maxTokens }),
    ...(flags.budget !== undefined && { budgetUsd: flags.budget }),
    ...(flags.timeout !== undefined && { timeoutMs: flags.timeout }),
  };
}

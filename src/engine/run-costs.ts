import { FanoutError } from '../contracts/errors.js';
import type { Plan, TaskSpec } from '../contracts/plan.js';
import type { Pricer } from '../contracts/pricing.js';

/**
 * Throws the one-line `PLAN_INVALID` error when a budget applies to a model
 * without a known price, since such a budget cannot be enforced: a task's
 * `budgetUsd` needs its model's price, the run's `budgetUsd` every model's,
 * the synthesis model's included when `synthesizes`; a whole agent that
 * `reportsCost` for a task needs none for it. The message names the
 * plan by `source` (its file path; default `plan`).
 */
export function checkBudgetsPriced(
  plan: Plan,
  pricers: ReadonlyMap<string, Pricer | undefined>,
  options: { defaultModel: string; synthesizes: boolean; source?: string; reportsCost?: (spec: string, task: TaskSpec) => boolean },
): void {
  const fallback = plan.model ?? options.defaultModel;
  // A whole agent that reports its cost (Claude Code) needs no price: the budget counts what it reports.
  const unpriced = (spec: string, task?: TaskSpec): boolean =>
    pricers.get(spec) === undefined && (task === undefined || options.reportsCost?.(spec, task) !== true);
  const source = options.source ?? 'plan';
  const fail = (field: string, spec: string, user: string): never => {
    throw new FanoutError(
      'PLAN_INVALID',
      `${source}: ${field}: no price is known for model "${spec}" (${user}), so the budget cannot be enforced; ` +
        'add the model to a price file (see "Caps and prices" in docs/plan-format.md)',
      { where: `${source}: ${field}` },
    );
  };
  plan.tasks.forEach((task, index) => {
    const spec = task.model ?? fallback;
    if (task.budgetUsd !== undefined && unpriced(spec, task)) fail(`tasks[${index}].budgetUsd`, spec, `used by task ${task.id}`);
  });
  if (plan.budgetUsd === undefined) return;
  plan.tasks.forEach((task) => {
    const spec = task.model ?? fallback;
    if (unpriced(spec, task)) fail('budgetUsd', spec, `used by task ${task.id}`);
  });
  if (options.synthesizes && plan.synthesis !== false && unpriced(fallback)) fail('budgetUsd', fallback, 'used by the synthesis');
}

import type { RunEstimate } from '../contracts/fanout.js';
import type { Plan } from '../contracts/plan.js';
import { formatColumns, formatCost, formatTokens } from './format.js';

/**
 * The estimate of a checked run, as `check` and `do`'s confirmation print
 * it: the total, a row per task and the synthesis, the assumptions in one
 * line, and a warning line per run cap the estimate goes over.
 */
export function renderEstimate(estimate: RunEstimate, plan: Plan): string[] {
  const tasks = `${estimate.tasks.length} task${estimate.tasks.length === 1 ? '' : 's'}${estimate.synthesis === undefined ? '' : ' + synthesis'}`;
  const lines = [`Estimate: ${tasks} ≈ ${formatTokens(estimate.inputTokens)} tokens in / ${formatTokens(estimate.outputTokens)} out, ${costText(estimate.costUsd)}`];
  const rows = estimate.tasks.map((task) => [task.id, task.model, `${task.turns}`, `${formatTokens(task.inputTokens)}/${formatTokens(task.outputTokens)}`, formatCost(task.costUsd)]);
  const { synthesis } = estimate;
  if (synthesis !== undefined) {
    rows.push(['(synthesis)', synthesis.model, '1', `${formatTokens(synthesis.inputTokens)}/${formatTokens(synthesis.outputTokens)}`, formatCost(synthesis.costUsd)]);
  }
  lines.push(...formatColumns([['task', 'model', 'turns', 'tokens in/out', 'cost'], ...rows], new Set([2])).map((line) => `  ${line}`));
  lines.push(`  Assumed: ${estimate.assumptions}.`);
  const tokens = estimate.inputTokens + estimate.outputTokens;
  if (plan.budgetUsd !== undefined && estimate.costUsd !== undefined && estimate.costUsd > plan.budgetUsd) {
    lines.push(`  ⚠ the estimate (${formatCost(estimate.costUsd)}) is over the budget (${formatCost(plan.budgetUsd)}): the run will likely stop at the budget`);
  }
  if (plan.maxTokens !== undefined && tokens >= plan.maxTokens) {
    lines.push(`  ⚠ the estimate reaches the run's maxTokens (${formatTokens(plan.maxTokens)}): the run will likely stop at that cap`);
  }
  return lines;
}

function costText(usd: number | undefined): string {
  return usd === undefined ? 'cost unknown (a model has no price; see "Caps and prices" in docs/plan-format.md)' : `${formatCost(usd)} estimated`;
}

import type { ExecutionDag, Plan } from '../contracts/plan.js';
import { formatColumns } from './format.js';
import { REAL_MODEL_EXAMPLE } from './model-spec.js';
import { renderDag } from './render-dag.js';

/** One line per task: id, role, what it reads, what it may write, and what it waits for. */
export function planTaskLines(plan: Plan): string[] {
  const rows = plan.tasks.map((task) => [
    task.id,
    task.role ?? '',
    `reads ${(task.files ?? []).join(', ') || '-'}`,
    `writes ${(task.writes ?? []).join(', ') || '-'}`,
    task.dependsOn !== undefined && task.dependsOn.length > 0 ? `after ${task.dependsOn.join(', ')}` : '',
  ]);
  return formatColumns(rows).map((line) => `  ${line}`);
}

/** A plan made by the planner, as `fanout do` shows it before running it: its tasks, then its execution DAG. */
export function renderPlannedPlan(plan: Plan, dag: ExecutionDag): string[] {
  const count = plan.tasks.length;
  const name = plan.name === undefined ? '' : ` "${plan.name}"`;
  return [`Plan${name}: ${count} task${count === 1 ? '' : 's'}, one subagent each`, ...planTaskLines(plan), '', ...renderDag(dag)];
}

/** The opening of `fanout do`: which model plans (labelled SIMULATED as in the demo) and the request. */
export function renderDoBanner(options: { request: string; model: string; simulated: boolean }): string[] {
  const lines = options.simulated
    ? [
        'fanout do · SIMULATED model (fanout\'s built-in simulated server: no API key, no network)',
        `The plan and the answers are deterministic. Use a real model: ANTHROPIC_API_KEY=... fanout do "..." --model ${REAL_MODEL_EXAMPLE}`,
      ]
    : [`fanout do · model ${options.model} (real)`];
  lines.push('', `Request: "${options.request}"`, `Planning with ${options.model}…`, '');
  return lines;
}

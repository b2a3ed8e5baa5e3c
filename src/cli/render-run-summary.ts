import type { RunResult } from '../engine/api.js';
import { formatDuration } from './format.js';
import { renderOutputs, renderSynthesis } from './render-outputs.js';
import { renderReport } from './render-report.js';

/** Says plainly that the simulated model was used, and how to use a real one. */
export const SIMULATED_NOTICE = [
  'SIMULATED model: the answers and latencies come from fanout\'s built-in simulated server, not from a real LLM.',
  'Use a real model: ANTHROPIC_API_KEY=... fanout demo --model anthropic:claude-sonnet-4-5',
  '             or: ANTHROPIC_API_KEY=... fanout run plan.yaml --model anthropic:claude-sonnet-4-5',
];

/**
 * What `run` and `demo` print once a run has ended: the outputs summary, the
 * synthesis, the timing table, the simulated-model notice when it applies,
 * and how to get each output by handle.
 */
export function renderRunSummary(result: RunResult, options: { interrupted: boolean; width?: number }): string[] {
  const lines: string[] = [''];
  if (options.interrupted) {
    const finished = result.tasks.filter((task) => ['succeeded', 'failed', 'limit', 'skipped'].includes(task.status)).length;
    lines.push(`Interrupted: ${finished} of ${result.tasks.length} tasks had finished; the others were stopped.`, '');
  }
  lines.push('Outputs', ...renderOutputs(result.tasks, Object.values(result.outputs), { width: options.width }));
  if (result.synthesis) lines.push('', 'Synthesis', ...renderSynthesis(result.synthesis));
  lines.push('', 'Timing', ...renderReport(result.report));
  if (result.report.simulated) lines.push('', ...SIMULATED_NOTICE);
  const first = result.tasks[0];
  lines.push(
    '',
    `Run ${result.runId} ${result.status} (wall ${formatDuration(result.report.wallMs)}).` +
      (first ? ` Whole output of a task: fanout output <handle>, e.g. fanout output ${first.handle}` : ''),
  );
  return lines;
}

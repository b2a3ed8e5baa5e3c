import { renderChangeReview } from './render-changes.js';
import type { RunResult } from '../contracts/fanout.js';
import { formatDuration } from './format.js';
import { renderOutputs, renderSynthesis, type OutputsRenderOptions } from './render-outputs.js';
import { REAL_MODEL_EXAMPLE } from './model-spec.js';
import { limitReasons, renderReport } from './render-report.js';

/** Says plainly that the simulated model was used, and how to use a real one. */
export const SIMULATED_NOTICE = [
  'SIMULATED model: the answers and latencies come from fanout\'s built-in simulated server, not from a real LLM.',
  `Use a real model: ANTHROPIC_API_KEY=... fanout demo --model ${REAL_MODEL_EXAMPLE}`,
  `             or: ANTHROPIC_API_KEY=... fanout run plan.yaml --model ${REAL_MODEL_EXAMPLE}`,
  '             or: OPENAI_API_KEY=... [OPENAI_BASE_URL=...] fanout run plan.yaml --model openai:<model>   (docs/models.md)',
];

/** Options of {@link renderRunSummary}. */
export interface RunSummaryOptions {
  /** True when the user pressed Ctrl-C. */
  interrupted: boolean;
  /** Column width lines of the outputs summary are cut to. */
  width?: number;
  /** The lines shown for each task's output in the outputs summary. Default: its first 4 lines. */
  describeOutput?: OutputsRenderOptions['describe'];
  /** Heading of the synthesis. Default `Synthesis`. */
  synthesisTitle?: string;
  /** Lines printed after the synthesis and before the timing table (a preset's own result). */
  sections?: readonly string[];
}

/**
 * What `run`, `do`, the presets and `demo` print once a run has ended: the
 * outputs summary, the synthesis, the command's own sections, the timing
 * table (with why tasks hit a limit), the simulated-model notice when it
 * applies, and how to get each output by handle.
 */
export function renderRunSummary(result: RunResult, options: RunSummaryOptions): string[] {
  const lines: string[] = [''];
  if (options.interrupted) {
    const finished = result.tasks.filter((task) => ['succeeded', 'failed', 'limit', 'skipped'].includes(task.status)).length;
    lines.push(`Interrupted: ${finished} of ${result.tasks.length} tasks had finished; the others were stopped.`, '');
  }
  const outputs = Object.values(result.outputs);
  lines.push('Outputs', ...renderOutputs(result.tasks, outputs, { width: options.width, describe: options.describeOutput }));
  if (result.synthesis) lines.push('', options.synthesisTitle ?? 'Synthesis', ...renderSynthesis(result.synthesis));
  if (options.sections !== undefined && options.sections.length > 0) lines.push('', ...options.sections);
  if (result.report.changes !== undefined) lines.push('', ...renderChangeReview(result.report.changes, result.runId));
  lines.push('', 'Timing', ...renderReport(result.report, { reasons: limitReasons(result.tasks), width: options.width }));
  if (result.report.simulated) lines.push('', ...SIMULATED_NOTICE);
  const first = result.tasks[0];
  lines.push(
    '',
    `Run ${result.runId} ${result.status} (wall ${formatDuration(result.report.wallMs)}).` +
      (first ? ` Whole output of a task: fanout output <handle>, e.g. fanout output ${first.handle}` : ''),
  );
  return lines;
}

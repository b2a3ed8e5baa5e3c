import type { SynthesisResult, TaskOutput, TaskRecord } from '../contracts/records.js';
import { formatDuration, truncate } from './format.js';
import { refusedMark, STATUS_SYMBOL } from './render-progress.js';

/** Options of {@link renderOutputs}. */
export interface OutputsRenderOptions {
  /** Most lines of each output shown. Default 4. */
  maxLines?: number;
  /** Column width lines are cut to. Default 100. */
  width?: number;
  /**
   * The lines shown for a task's output in place of its first lines (e.g. a
   * count of findings for JSON output that reads badly as one line).
   */
  describe?: (task: TaskRecord, output: TaskOutput) => string[];
}

/**
 * The short outputs summary printed after a run: per task its status,
 * handle and the first lines of its output (or why it did not finish), with
 * the command that prints the whole output.
 */
export function renderOutputs(tasks: readonly TaskRecord[], outputs: readonly TaskOutput[], options: OutputsRenderOptions = {}): string[] {
  const maxLines = options.maxLines ?? 4;
  const width = options.width ?? 100;
  const byHandle = new Map(outputs.map((output) => [output.handle, output]));
  const lines: string[] = [];
  for (const task of tasks) {
    const label = task.spec.description ? ` — ${task.spec.description}` : '';
    const refused = task.refused ?? [];
    const mark = refused.length > 0 ? ` ${refusedMark(refused.length)}` : '';
    lines.push(truncate(`  ${STATUS_SYMBOL[task.status]} ${task.taskId} [${task.handle}] ${task.status}${mark}${label}`, width));
    if (task.error) lines.push(truncate(`      ${task.error}`, width));
    const [first] = refused;
    if (first !== undefined) {
      const more = refused.length > 1 ? ` (+${refused.length - 1} more: fanout status ${task.handle} --verbose)` : '';
      lines.push(truncate(`      ⚠ ${first.tool}: ${first.detail}${more}`, width));
    }
    const output = byHandle.get(task.handle);
    if (!output) continue;
    if (options.describe !== undefined) {
      for (const line of options.describe(task, output)) lines.push(truncate(`      ${line}`, width));
      continue;
    }
    const text = output.json !== undefined ? JSON.stringify(output.json) : output.text;
    const body = text.split('\n').filter((line) => line.trim() !== '');
    for (const line of body.slice(0, maxLines)) lines.push(truncate(`      ${line}`, width));
    if (body.length > maxLines || output.truncated) {
      const more = body.length - Math.min(maxLines, body.length);
      lines.push(`      … ${more} more line${more === 1 ? '' : 's'}: fanout output ${task.handle}`);
    }
  }
  return lines;
}

/** The synthesis: its text, then the disagreements it found between outputs. */
export function renderSynthesis(synthesis: SynthesisResult): string[] {
  const lines = synthesis.text.split('\n').map((line) => `  ${line}`.trimEnd());
  if (synthesis.disagreements.length > 0) {
    lines.push('', '  Disagreements between task outputs:', ...synthesis.disagreements.map((line) => `    - ${line}`));
  }
  lines.push('', `  (synthesis took ${formatDuration(synthesis.durationMs)})`);
  return lines;
}

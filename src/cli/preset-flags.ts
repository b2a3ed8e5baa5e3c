import type { RunResult } from '../contracts/fanout.js';

/** Flags of the preset commands (`analyze`, `review`). */
export interface PresetFlags {
  model?: string;
  concurrency?: number;
  json?: boolean;
  cwd?: string;
}

/** The `--json` line with a run's synthesis, printed before the run-end line; none when there is no synthesis. */
export function synthesisLines(result: RunResult): unknown[] {
  if (result.synthesis === undefined) return [];
  return [{ type: 'synthesis', text: result.synthesis.text, disagreements: result.synthesis.disagreements }];
}

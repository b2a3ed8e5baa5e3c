import type { RunReport } from '../contracts/run-report.js';
import type { FanoutEvent } from '../contracts/events.js';
import type { RunStatus, TaskStatus } from '../contracts/records.js';

/** One task of the final `run-end` line. Times in ms since the epoch; null when the task never started. */
export interface RunEndTask {
  id: string;
  handle: string;
  status: TaskStatus;
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number;
  inputTokens: number;
  outputTokens: number;
  /** Estimated USD; null when the model's price is unknown. */
  costUsd: number | null;
}

/** The last line `--json` prints: a summary of the run built from its report. */
export interface RunEndLine {
  type: 'run-end';
  runId: string;
  status: RunStatus;
  wallMs: number;
  sequentialMs: number;
  criticalPathMs: number;
  speedup: number;
  inputTokens: number;
  outputTokens: number;
  /** Estimated USD of tasks and synthesis; null when a model's price is unknown (0 on the simulated model). */
  costUsd: number | null;
  tasks: RunEndTask[];
}

/** Builds the final `run-end` object from a run's report (keys in the documented order). */
export function runEndLine(report: RunReport): RunEndLine {
  return {
    type: 'run-end',
    runId: report.runId,
    status: report.status,
    wallMs: report.wallMs,
    sequentialMs: report.sequentialMs,
    criticalPathMs: report.criticalPathMs,
    speedup: report.speedup,
    inputTokens: report.inputTokens,
    outputTokens: report.outputTokens,
    costUsd: report.costUsd ?? null,
    tasks: report.tasks.map((task) => ({
      id: task.id,
      handle: task.handle,
      status: task.status,
      startedAt: task.startedAt ?? null,
      endedAt: task.endedAt ?? null,
      durationMs: task.durationMs,
      inputTokens: task.inputTokens,
      outputTokens: task.outputTokens,
      costUsd: task.costUsd ?? null,
    })),
  };
}

/**
 * Whether an engine event is printed as is in `--json` mode. The engine's
 * own `run-end` event is left out: the report-based {@link runEndLine}
 * replaces it, so consumers see exactly one `run-end`, and it is last.
 */
export function isPrintedEvent(event: FanoutEvent): boolean {
  return event.type !== 'run-end';
}

/** One NDJSON line (with its newline). */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

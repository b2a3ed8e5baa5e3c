import type { RunStatus, TaskCounterKey, TaskRecord } from './records.js';
import type { ChangeReview } from './workspace.js';

/** Timing of one task in a report: its record's counters, plus what the report derives from them. */
export interface TaskTiming extends Pick<TaskRecord, 'handle' | TaskCounterKey> {
  /** The task's id in the plan. */
  id: string;
  durationMs: number;
  /** ms between becoming ready and starting. */
  waitMs: number;
  /**
   * The part of `rateLimitWaitMs` its model calls spent queued for a static
   * cap of calls in flight (`providers: { sim: { maxConcurrent: 1 } }`): a
   * cap someone set, not a rate limit (from its `call-waited` events).
   * Absent: none.
   */
  providerCapWaitMs?: number;
}

/**
 * Shortest wait (for a slot, or in retry backoff) worth a diagnostic or a
 * column, in ms: shorter ones are the scheduler's own bookkeeping, not
 * something that held a task back. Adapters showing waits use it too.
 */
export const NOTABLE_WAIT_MS = 50;

/** ms a task's model calls waited for rate limits alone: its `rateLimitWaitMs` less the part spent at a provider cap. */
export function rateLimitOnlyMs(timing: Pick<TaskTiming, 'rateLimitWaitMs' | 'providerCapWaitMs'>): number {
  return Math.max(0, (timing.rateLimitWaitMs ?? 0) - (timing.providerCapWaitMs ?? 0));
}

/** The speedup report of a run. */
export interface RunReport {
  runId: string;
  name: string;
  status: RunStatus;
  simulated: boolean;
  startedAt: number;
  endedAt: number;
  /** First task start to last task end (synthesis excluded). */
  wallMs: number;
  /** Sum of task durations: what running them one after another would take. */
  sequentialMs: number;
  /** Longest chain of the DAG weighted by measured durations. */
  criticalPathMs: number;
  criticalPath: string[];
  /** sequentialMs ÷ wallMs. */
  speedup: number;
  /** criticalPathMs ÷ wallMs: 1 means nothing but dependencies held the run back. */
  efficiency: number;
  tasks: TaskTiming[];
  /** Plain sentences saying where tasks that could have overlapped did not, and why. */
  diagnostics: string[];
  synthesisMs?: number;
  inputTokens: number;
  outputTokens: number;
  /** Estimated cost of tasks and synthesis in USD; undefined when any model's price is unknown. */
  costUsd?: number;
  /** What the tasks changed in their worktrees, the merge, and refused writes and commands; runs with worktrees only. */
  changes?: ChangeReview;
  /**
   * Present when the run was resumed: how many attempts executed it (the
   * first included) and their executing time summed (the time between an
   * attempt's end and the resume not counted). Tasks kept from an earlier
   * attempt keep their own timings.
   */
  resumed?: { attempts: number; executingMs: number };
}

import type { RunStatus, TaskStatus, TodoItem, WaitReason } from './records.js';
import type { FileChange, MergeConflict, ResolvedConflict } from './workspace.js';

/** Events the engine emits, also stored and printed as NDJSON by `--json`. */
export type FanoutEvent =
  | { type: 'run-start'; runId: string; at: number; name: string; tasks: Array<{ id: string; handle: string }>; simulated: boolean }
  | { type: 'task-waiting'; runId: string; at: number; id: string; handle: string; reason: WaitReason; on?: string; detail?: string }
  | { type: 'task-start'; runId: string; at: number; id: string; handle: string }
  | { type: 'model-call'; runId: string; at: number; id: string; handle: string; turn: number; inputTokens: number; outputTokens: number; durationMs: number }
  | {
      type: 'tool-call';
      runId: string;
      at: number;
      id: string;
      handle: string;
      tool: string;
      ok: boolean;
      detail?: string;
      /** Set when the sandbox refused the call (a write outside the task's scope, a denied command). */
      refused?: true;
    }
  | { type: 'task-retry'; runId: string; at: number; id: string; handle: string; attempt: number; waitMs: number; error: string }
  /** A call of the task was refused by a rate limit (429/529): it waits `waitMs` and tries again, spending no retry. */
  | { type: 'rate-limited'; runId: string; at: number; id: string; handle: string; provider: string; waitMs: number; detail: string }
  | {
      /**
       * A model call of the task waited at its endpoint's gate before it
       * started: from `at - waitedMs` to `at`, for `reason` (a rate limit, or
       * the provider's static cap), `detail` saying which (`anthropic,
       * maxConcurrent 4`). A 429's own pause is its `rate-limited` event.
       */
      type: 'call-waited';
      runId: string;
      at: number;
      id: string;
      handle: string;
      reason: 'rate-limit' | 'provider-cap';
      waitedMs: number;
      detail: string;
    }
  | {
      /** An endpoint's adaptive window of calls in flight changed (after an answer of one of this run's tasks). */
      type: 'rate-window';
      runId: string;
      at: number;
      provider: string;
      /** Calls allowed in flight. */
      window: number;
      change: 'grew' | 'shrank';
      reason: string;
    }
  | {
      type: 'task-end';
      runId: string;
      at: number;
      id: string;
      handle: string;
      status: TaskStatus;
      durationMs: number;
      error?: string;
      /** What the task changed, committed on its branch (tasks in a worktree only). */
      changes?: FileChange[];
    }
  | {
      /** The task branches of the run were merged into its result branch (runs with worktrees only). */
      type: 'run-merge';
      runId: string;
      at: number;
      branch: string;
      commit: string;
      merged: string[];
      conflicts: MergeConflict[];
      /** Conflicts the resolver settled (`--resolve`); their tasks are in `merged`. */
      resolved?: ResolvedConflict[];
      /** Set when `apply` was asked: whether the user's branch now holds the result. */
      applied?: boolean;
      /** Why the merge or the apply failed, one line. */
      error?: string;
    }
  | { type: 'todo-update'; runId: string; at: number; item: TodoItem }
  | { type: 'synthesis-start'; runId: string; at: number }
  | { type: 'synthesis-end'; runId: string; at: number; ok: boolean; error?: string }
  | { type: 'run-end'; runId: string; at: number; status: RunStatus };

/** A stored event with its per-run sequence number. */
export interface StoredEvent {
  seq: number;
  event: FanoutEvent;
}

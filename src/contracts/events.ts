import type { RunStatus, TaskStatus, TodoItem, WaitReason } from './records.js';

/** Events the engine emits, also stored and printed as NDJSON by `--json`. */
export type FanoutEvent =
  | { type: 'run-start'; runId: string; at: number; name: string; tasks: Array<{ id: string; handle: string }>; simulated: boolean }
  | { type: 'task-waiting'; runId: string; at: number; id: string; handle: string; reason: WaitReason; on?: string; detail?: string }
  | { type: 'task-start'; runId: string; at: number; id: string; handle: string }
  | { type: 'model-call'; runId: string; at: number; id: string; handle: string; turn: number; inputTokens: number; outputTokens: number; durationMs: number }
  | { type: 'tool-call'; runId: string; at: number; id: string; handle: string; tool: string; ok: boolean; detail?: string }
  | { type: 'task-retry'; runId: string; at: number; id: string; handle: string; attempt: number; waitMs: number; error: string }
  | { type: 'task-end'; runId: string; at: number; id: string; handle: string; status: TaskStatus; durationMs: number; error?: string }
  | { type: 'todo-update'; runId: string; at: number; item: TodoItem }
  | { type: 'synthesis-start'; runId: string; at: number }
  | { type: 'synthesis-end'; runId: string; at: number; ok: boolean; error?: string }
  | { type: 'run-end'; runId: string; at: number; status: RunStatus };

/** A stored event with its per-run sequence number. */
export interface StoredEvent {
  seq: number;
  event: FanoutEvent;
}

import type {
  FanoutEvent,
  StoredEvent,
} from './events.js';
import type {
  RunRecord,
  TaskCounterKey,
  TaskOutput,
  TaskRecord,
  TodoItem,
} from './records.js';

/** Fields of a run that change while it executes. */
export type RunPatch = Partial<
  Pick<RunRecord, 'status' | 'startedAt' | 'endedAt' | 'pid' | 'leaseUntil' | 'attempts' | 'synthesis' | 'error' | 'limit'>
>;

/** Fields of a task that change while it executes. */
export type TaskPatch = Partial<Pick<TaskRecord, TaskCounterKey | 'readyAt' | 'error' | 'writes' | 'refused'>>;

/** A request, recorded by any process, to stop a task or a whole run. */
export interface StopRequest {
  /** A task handle, or a run id to stop every task of the run. */
  target: string;
  requestedAt: number;
}

/**
 * Where everything that must outlive a process lives: runs, tasks, events,
 * outputs, todos and stop requests. Synchronous by design (the embedded
 * store is SQLite); implementations may batch writes internally but every
 * read must see every earlier write of the same process, and `flush()`
 * must make them durable and visible to other processes.
 *
 * Implementations: `SqliteRunStore` (default, `$FANOUT_HOME/fanout.db`) and
 * `MemoryRunStore` (tests, embedding). Both pass `run-store-conformance.ts`.
 */
export interface RunStore {
  /**
   * Where the store is (a directory or file), named in "not found" messages
   * so a user sees which store was searched. Absent: an unnamed store (memory).
   */
  readonly location?: string;
  /** Records a new run and all its tasks in one transaction. */
  createRun(run: RunRecord, tasks: TaskRecord[]): void;
  updateRun(runId: string, patch: RunPatch): void;
  updateTask(handle: string, patch: TaskPatch): void;
  /** Appends an event and returns its sequence number within the run (from 1). */
  appendEvent(event: FanoutEvent): number;
  /** Stores a task's output whole, capped at `maxOutputBytes` (then `truncated` is true). */
  setOutput(output: TaskOutput): void;
  /** Inserts or replaces one todo item of a run; `position` orders the list. */
  setTodo(runId: string, position: number, item: TodoItem): void;
  /** Records a stop request for a handle or a run id. */
  requestStop(target: string, at: number): void;
  /**
   * Deletes a run with everything recorded for it: its tasks, events,
   * outputs, todo items and the stop requests for it or its tasks. Unknown
   * ids are ignored. Whether the run may be deleted (not live) is the
   * caller's to decide.
   */
  deleteRun(runId: string): void;

  getRun(runId: string): RunRecord | undefined;
  /** Most recent first. */
  listRuns(limit?: number): RunRecord[];
  getTask(handle: string): TaskRecord | undefined;
  /** In plan order. */
  listTasks(runId: string): TaskRecord[];
  getOutput(handle: string): TaskOutput | undefined;
  /** Events of a run with seq > `afterSeq`, in order. */
  listEvents(runId: string, afterSeq?: number): StoredEvent[];
  /** In position order. */
  listTodos(runId: string): TodoItem[];
  /**
   * Stop requests for the run or any of its tasks recorded at or after
   * `since` (ms epoch; `requestedAt >= since`), oldest first. A run's own
   * requests are those from its `createdAt` on.
   */
  listStopRequests(runId: string, since: number): StopRequest[];

  /** Makes pending writes durable and visible to other processes. */
  flush(): void;
  close(): void;
}

/** Default cap on a stored output, in bytes of UTF-8 (1 MiB). */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

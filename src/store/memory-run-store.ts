import { FanoutError } from '../contracts/errors.js';
import type { RunRecord, TaskOutput, TaskRecord, TodoItem } from '../contracts/records.js';
import type { StoredEvent, FanoutEvent } from '../contracts/events.js';
import { capOutput, capRunPatch, checkListLimit, checkTasksBelongToRun, resolveMaxOutputBytes } from './store-limits.js';
import { RUN_PATCH_FIELDS, TASK_PATCH_FIELDS, patchEntries, type PatchField } from './record-patch.js';
import type { RunPatch, RunStore, StopRequest, TaskPatch } from '../contracts/run-store.js';

/** Options of {@link MemoryRunStore}. */
export interface MemoryRunStoreOptions {
  /** Cap on a stored output's text, in bytes of UTF-8. @default DEFAULT_MAX_OUTPUT_BYTES */
  maxOutputBytes?: number;
}

interface MemoryRun {
  record: RunRecord;
  /** Insertion order, to break ties between runs created in the same ms. */
  ordinal: number;
  /** Handles in plan order. */
  handles: string[];
  events: StoredEvent[];
  todos: Map<number, TodoItem>;
}

/**
 * A {@link RunStore} that keeps everything in this process's memory, for
 * tests and embedding. Records are copied in and out, so callers can never
 * change stored state by mutating an object, just as with the SQLite store.
 */
export class MemoryRunStore implements RunStore {
  readonly #maxOutputBytes: number;
  readonly #runs = new Map<string, MemoryRun>();
  readonly #tasks = new Map<string, TaskRecord>();
  readonly #outputs = new Map<string, TaskOutput>();
  readonly #stops: StopRequest[] = [];
  #closed = false;

  constructor(options: MemoryRunStoreOptions = {}) {
    this.#maxOutputBytes = resolveMaxOutputBytes(options.maxOutputBytes);
  }

  createRun(run: RunRecord, tasks: TaskRecord[]): void {
    this.#checkOpen();
    if (this.#runs.has(run.runId)) throw storeError(`run ${run.runId} already exists`);
    checkTasksBelongToRun(run, tasks);
    const handles = new Set<string>();
    for (const task of tasks) {
      if (this.#tasks.has(task.handle) || handles.has(task.handle)) {
        throw storeError(`task handle ${task.handle} already exists`);
      }
      handles.add(task.handle);
    }
    const ordered = [...tasks].sort((a, b) => a.index - b.index);
    for (const task of ordered) this.#tasks.set(task.handle, structuredClone(task));
    this.#runs.set(run.runId, {
      record: structuredClone(run),
      ordinal: this.#runs.size,
      handles: ordered.map((task) => task.handle),
      events: [],
      todos: new Map(),
    });
  }

  updateRun(runId: string, patch: RunPatch): void {
    applyPatch(this.#run(runId).record, capRunPatch(patch, this.#maxOutputBytes), RUN_PATCH_FIELDS);
  }

  updateTask(handle: string, patch: TaskPatch): void {
    applyPatch(this.#task(handle), patch, TASK_PATCH_FIELDS);
  }

  appendEvent(event: FanoutEvent): number {
    const run = this.#run(event.runId);
    const seq = run.events.length + 1;
    run.events.push({ seq, event: structuredClone(event) });
    return seq;
  }

  setOutput(output: TaskOutput): void {
    this.#task(output.handle);
    this.#outputs.set(output.handle, structuredClone(capOutput(output, this.#maxOutputBytes)));
  }

  setTodo(runId: string, position: number, item: TodoItem): void {
    this.#run(runId).todos.set(position, structuredClone(item));
  }

  requestStop(target: string, at: number): void {
    this.#checkOpen();
    this.#stops.push({ target, requestedAt: at });
  }

  deleteRun(runId: string): void {
    this.#checkOpen();
    const run = this.#runs.get(runId);
    if (run === undefined) return;
    const handles = new Set(run.handles);
    for (const handle of handles) {
      this.#tasks.delete(handle);
      this.#outputs.delete(handle);
    }
    this.#runs.delete(runId);
    const kept = this.#stops.filter((stop) => stop.target !== runId && !handles.has(stop.target));
    this.#stops.splice(0, this.#stops.length, ...kept);
  }

  getRun(runId: string): RunRecord | undefined {
    this.#checkOpen();
    const run = this.#runs.get(runId);
    return run && structuredClone(run.record);
  }

  listRuns(limit?: number): RunRecord[] {
    this.#checkOpen();
    checkListLimit(limit);
    const runs = [...this.#runs.values()].sort(
      (a, b) => b.record.createdAt - a.record.createdAt || b.ordinal - a.ordinal,
    );
    return runs.slice(0, limit).map((run) => structuredClone(run.record));
  }

  getTask(handle: string): TaskRecord | undefined {
    this.#checkOpen();
    const task = this.#tasks.get(handle);
    return task && structuredClone(task);
  }

  listTasks(runId: string): TaskRecord[] {
    this.#checkOpen();
    const run = this.#runs.get(runId);
    return run ? run.handles.map((handle) => structuredClone(this.#task(handle))) : [];
  }

  getOutput(handle: string): TaskOutput | undefined {
    this.#checkOpen();
    const output = this.#outputs.get(handle);
    return output && structuredClone(output);
  }

  listEvents(runId: string, afterSeq = 0): StoredEvent[] {
    this.#checkOpen();
    const events = this.#runs.get(runId)?.events ?? [];
    // seq n sits at index n - 1, so the events after `afterSeq` start at index afterSeq.
    return structuredClone(events.slice(Math.max(0, afterSeq)));
  }

  listTodos(runId: string): TodoItem[] {
    this.#checkOpen();
    const todos = this.#runs.get(runId)?.todos;
    if (!todos) return [];
    return [...todos.entries()].sort(([a], [b]) => a - b).map(([, item]) => structuredClone(item));
  }

  /** Requests targeting the run or one of its tasks with `requestedAt >= since`, oldest first. */
  listStopRequests(runId: string, since: number): StopRequest[] {
    this.#checkOpen();
    const targets = new Set([runId, ...(this.#runs.get(runId)?.handles ?? [])]);
    return this.#stops
      .filter((stop) => targets.has(stop.target) && stop.requestedAt >= since)
      .sort((a, b) => a.requestedAt - b.requestedAt)
      .map((stop) => ({ ...stop }));
  }

  /** Nothing to do: every write is visible as soon as it is made. */
  flush(): void {
    this.#checkOpen();
  }

  close(): void {
    this.#closed = true;
  }

  #checkOpen(): void {
    if (this.#closed) throw storeError('the memory run store is closed');
  }

  #run(runId: string): MemoryRun {
    this.#checkOpen();
    const run = this.#runs.get(runId);
    if (!run) throw new FanoutError('NOT_FOUND', `no run ${runId} in the store`);
    return run;
  }

  #task(handle: string): TaskRecord {
    this.#checkOpen();
    const task = this.#tasks.get(handle);
    if (!task) throw new FanoutError('NOT_FOUND', `no task ${handle} in the store`);
    return task;
  }
}

function applyPatch<K extends string>(
  target: object,
  patch: Partial<Record<K, unknown>>,
  fields: Readonly<Record<K, PatchField>>,
): void {
  const record = target as Record<string, unknown>;
  for (const [key, , value] of patchEntries(patch, fields)) {
    if (value === undefined) delete record[key];
    else record[key] = structuredClone(value);
  }
}

function storeError(message: string): FanoutError {
  return new FanoutError('STORE_ERROR', message);
}

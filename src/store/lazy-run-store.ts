import { FanoutError } from '../contracts/errors.js';
import type { FanoutEvent, StoredEvent } from '../contracts/events.js';
import type { RunRecord, TaskOutput, TaskRecord, TodoItem } from '../contracts/records.js';
import type { RunPatch, RunStore, StopRequest, TaskPatch } from '../contracts/run-store.js';

/**
 * A RunStore that opens the store it stands for at its first call. A Fanout
 * that checks a plan and then finds it invalid has called no store method,
 * so it never created its home directory or database: `fanout run` checks
 * the plan once, on the Fanout that will run it, and still leaves nothing
 * behind when the check fails.
 */
export class LazyRunStore implements RunStore {
  #open: (() => RunStore) | undefined;
  #store: RunStore | undefined;

  /** Where the store `open` opens is, known before it is opened. */
  readonly location: string | undefined;

  /** `open` is called by the first method called (and by the next one after it threw); its errors are that call's. `location`: see {@link RunStore.location}. */
  constructor(open: () => RunStore, location?: string) {
    this.#open = open;
    this.location = location;
  }

  /** True once the underlying store was opened. */
  get opened(): boolean {
    return this.#store !== undefined;
  }

  createRun(run: RunRecord, tasks: TaskRecord[]): void {
    this.#get().createRun(run, tasks);
  }

  updateRun(runId: string, patch: RunPatch): void {
    this.#get().updateRun(runId, patch);
  }

  updateTask(handle: string, patch: TaskPatch): void {
    this.#get().updateTask(handle, patch);
  }

  appendEvent(event: FanoutEvent): number {
    return this.#get().appendEvent(event);
  }

  setOutput(output: TaskOutput): void {
    this.#get().setOutput(output);
  }

  setTodo(runId: string, position: number, item: TodoItem): void {
    this.#get().setTodo(runId, position, item);
  }

  requestStop(target: string, at: number): void {
    this.#get().requestStop(target, at);
  }

  deleteRun(runId: string): void {
    this.#get().deleteRun(runId);
  }

  getRun(runId: string): RunRecord | undefined {
    return this.#get().getRun(runId);
  }

  listRuns(limit?: number): RunRecord[] {
    return this.#get().listRuns(limit);
  }

  getTask(handle: string): TaskRecord | undefined {
    return this.#get().getTask(handle);
  }

  listTasks(runId: string): TaskRecord[] {
    return this.#get().listTasks(runId);
  }

  getOutput(handle: string): TaskOutput | undefined {
    return this.#get().getOutput(handle);
  }

  listEvents(runId: string, afterSeq?: number): StoredEvent[] {
    return this.#get().listEvents(runId, afterSeq);
  }

  listTodos(runId: string): TodoItem[] {
    return this.#get().listTodos(runId);
  }

  listStopRequests(runId: string, since: number): StopRequest[] {
    return this.#get().listStopRequests(runId, since);
  }

  flush(): void {
    this.#get().flush();
  }

  /** Closes the underlying store if it was opened; a store never opened stays unopened. */
  close(): void {
    this.#open = undefined;
    this.#store?.close();
  }

  #get(): RunStore {
    if (this.#store !== undefined) return this.#store;
    if (this.#open === undefined) throw new FanoutError('STORE_ERROR', 'the run store is closed');
    this.#store = this.#open();
    this.#open = undefined;
    return this.#store;
  }
}

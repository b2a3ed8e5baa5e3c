import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { FanoutError } from '../contracts/errors.js';
import type { FanoutEvent, StoredEvent } from '../contracts/events.js';
import type { RunRecord, TaskOutput, TaskRecord, TodoItem } from '../contracts/records.js';
import { capOutput, capRunPatch, checkListLimit, checkTasksBelongToRun, resolveMaxOutputBytes } from './store-limits.js';
import { RUN_PATCH_FIELDS, TASK_PATCH_FIELDS, type PatchField } from './record-patch.js';
import type { RunPatch, RunStore, StopRequest, TaskPatch } from '../contracts/run-store.js';
import { openDatabase, prepareStatements, type StoreStatements } from './sqlite-database.js';
import { BulkInsert } from './sqlite-bulk-insert.js';
import { pageToEvents, rowToOutput, rowToRun, rowToTask, rowToTodo, type Row } from './sqlite-rows.js';
import { SqliteWriteQueue, type Statement } from './sqlite-write-queue.js';

/** The events one run recorded in the queued write batch, stored as one row. */
interface EventPage {
  first: number;
  last: number;
  /** Each event as JSON, with its seq. */
  events: string[];
}

/** Options of {@link SqliteRunStore}. */
export interface SqliteRunStoreOptions {
  /** Database file (created when missing unless `readonly`), or `:memory:`. */
  path: string;
  /** Cap on a stored output's text, in bytes of UTF-8. @default DEFAULT_MAX_OUTPUT_BYTES */
  maxOutputBytes?: number;
  /** Open for reading only (`status`, `output`); the file must exist with a current schema. @default false */
  readonly?: boolean;
  /** Called once the database is closed (a snapshot removes its copy). */
  onClose?: () => void;
}

/** Writes after which `flush()` (run ends, close) checkpoints the WAL. */
const CHECKPOINT_AFTER_WRITES = 1_000;

/**
 * The default {@link RunStore}: one SQLite file shared by every fanout
 * process of a user (one executes a run while others poll or stop it).
 *
 * Writes go through a write queue (`SqliteWriteQueue`): one transaction per tick,
 * flushed before every read of this instance, on `flush()`, `close()` and a
 * normal exit (signals are the caller's to turn into an exit). Values are
 * checked when queued, so a caller's bad value fails in the caller instead
 * of sinking a whole batch. `createRun` is applied at once so a duplicate
 * id fails in the caller too.
 *
 * Events of a run must be appended by one process at a time (the one that
 * executes it): `appendEvent` numbers them from an in-memory counter.
 */
export class SqliteRunStore implements RunStore {
  /** The database file. */
  readonly path: string;
  /** The database file, as {@link RunStore.location}. */
  get location(): string {
    return this.path;
  }
  readonly #db: Database.Database;
  readonly #maxOutputBytes: number;
  readonly #onClose: (() => void) | undefined;
  readonly #statements: StoreStatements;
  /** UPDATE statements by table, then by the set of fields they write (see #patchWrite). */
  readonly #patchStatements = new Map<string, Map<number, Statement>>();
  /** Absent when read-only. */
  readonly #writes: SqliteWriteQueue | undefined;
  /** The task patches merged into this tick's queued task writes (cleared when the queue is applied). */
  readonly #queuedTaskPatches = new Map<string, TaskPatch>();
  /** Next event seq per run, valid while this process is the run's only event writer. */
  readonly #nextSeq = new Map<string, number>();
  readonly #knownRuns = new Set<string>();
  readonly #knownHandles = new Set<string>();
  /** Each run's page of events in the queued batch (cleared when the queue is applied). */
  readonly #openPages = new Map<string, EventPage>();
  /** Writes applied since this connection last checkpointed the WAL. */
  #uncheckpointed = 0;
  #closed = false;

  /** @throws FanoutError `STORE_ERROR` (naming the path) when the file cannot be opened as a run store. */
  constructor(options: SqliteRunStoreOptions) {
    this.path = options.path;
    const readonly = options.readonly ?? false;
    this.#maxOutputBytes = resolveMaxOutputBytes(options.maxOutputBytes);
    this.#onClose = options.onClose;
    this.#db = openDatabase(this.path, readonly);
    this.#statements = prepareStatements(this.#db);
    this.#writes = readonly
      ? undefined
      : new SqliteWriteQueue(this.#db, {
          describeError: (action, error) => this.#error(action, error),
          onApplied: (writes) => {
            this.#queuedTaskPatches.clear();
            this.#openPages.clear();
            this.#uncheckpointed += writes;
          },
        });
  }

  createRun(run: RunRecord, tasks: TaskRecord[]): void {
    const writes = this.#checkWritable();
    checkTasksBelongToRun(run, tasks);
    writes.apply();
    const { insertRun, insertTasks, insertSpecs, maxSpecId } = this.#statements;
    try {
      this.#db
        .transaction(() => {
          insertRun.run(
            run.runId,
            run.name,
            JSON.stringify(planWithoutTaskRows(run, tasks)),
            JSON.stringify(run.dag),
            run.status,
            run.createdAt,
            run.startedAt ?? null,
            run.endedAt ?? null,
            run.cwd,
            run.pid ?? null,
            run.synthesis === undefined ? null : JSON.stringify(run.synthesis),
            run.error ?? null,
            run.agents === undefined ? null : JSON.stringify(run.agents),
            run.limit ?? null,
            run.leaseUntil ?? null,
            run.attempts === undefined ? null : JSON.stringify(run.attempts),
          );
          // Numbered here, as SQLite numbers an INTEGER PRIMARY KEY (the highest plus one), so that
          // specs go in many rows a statement; the immediate transaction keeps other writers out.
          let specId = (maxSpecId.get() as number | null) ?? 0;
          const specRows = new BulkInsert(insertSpecs);
          const taskRows = new BulkInsert(insertTasks);
          for (const task of tasks) {
            specId += 1;
            specRows.add(specId, JSON.stringify(task.spec));
            taskRows.add(
              task.handle,
              task.runId,
              task.index,
              task.taskId,
              specId,
              task.status,
              task.queuedAt,
              task.readyAt ?? null,
              task.startedAt ?? null,
              task.endedAt ?? null,
              task.turns,
              task.inputTokens,
              task.outputTokens,
              task.retries,
              task.retryWaitMs,
              task.rateLimitWaitMs ?? null,
              task.costUsd ?? null,
              task.waitReason ?? null,
              task.error ?? null,
              task.writes === undefined ? null : JSON.stringify(task.writes),
              task.refused === undefined ? null : JSON.stringify(task.refused),
            );
          }
          specRows.finish();
          taskRows.finish();
        })
        .immediate();
    } catch (error) {
      throw this.#error(`could not create run ${run.runId}`, error);
    }
    this.#knownRuns.add(run.runId);
    for (const task of tasks) this.#knownHandles.add(task.handle);
  }

  updateRun(runId: string, patch: RunPatch): void {
    const writes = this.#checkWritable();
    this.#requireRun(runId);
    const write = this.#patchWrite('runs', 'run_id', runId, capRunPatch(patch, this.#maxOutputBytes), RUN_PATCH_FIELDS);
    if (write !== undefined) writes.push(write[0], write[1]);
  }

  updateTask(handle: string, patch: TaskPatch): void {
    const writes = this.#checkWritable();
    this.#requireTask(handle);
    const queued = this.#queuedTaskPatches.get(handle);
    const merged = queued === undefined ? patch : { ...queued, ...patch };
    const write = this.#patchWrite('tasks', 'handle', handle, merged, TASK_PATCH_FIELDS);
    if (write === undefined) return;
    this.#queuedTaskPatches.set(handle, merged);
    writes.push(write[0], write[1], `task ${handle}`);
  }

  /**
   * The events a run records in one write batch go into one row (a page):
   * one insert per run per tick instead of one per event, a fifth of a
   * 1,000-task run's statements.
   */
  appendEvent(event: FanoutEvent): number {
    const writes = this.#checkWritable();
    const { type, runId, at } = event;
    if (typeof at !== 'number' || typeof type !== 'string') {
      throw new FanoutError('INTERNAL', `cannot store event ${String(type)} at ${String(at)} in run store ${this.path}`);
    }
    let seq = this.#nextSeq.get(runId);
    if (seq === undefined) {
      this.#requireRun(runId);
      seq = ((this.#statements.maxSeq.get(runId) as number | null) ?? 0) + 1;
    }
    // Encoded now, so a value JSON cannot hold fails here rather than in the batch.
    const encoded = `{"seq":${seq},${JSON.stringify(event).slice(1)}`;
    this.#nextSeq.set(runId, seq + 1);
    let page = this.#openPages.get(runId);
    if (page === undefined) {
      const opened: EventPage = { first: seq, last: seq, events: [] };
      const { insertPage } = this.#statements;
      writes.pushWrites(() => insertPage.run(runId, opened.first, opened.last, `[${opened.events.join(',')}]`));
      this.#openPages.set(runId, opened);
      page = opened;
    }
    page.last = seq;
    page.events.push(encoded);
    return seq;
  }

  setOutput(output: TaskOutput): void {
    const writes = this.#checkWritable();
    this.#requireTask(output.handle);
    const { handle, text, json, truncated } = capOutput(output, this.#maxOutputBytes);
    writes.push(this.#statements.upsertOutput, [
      handle,
      text,
      json === undefined ? null : JSON.stringify(json),
      truncated ? 1 : 0,
    ]);
  }

  setTodo(runId: string, position: number, item: TodoItem): void {
    const writes = this.#checkWritable();
    this.#requireRun(runId);
    writes.push(this.#statements.upsertTodo, [runId, position, JSON.stringify(item)], `todo ${position} ${runId}`);
  }

  requestStop(target: string, at: number): void {
    const writes = this.#checkWritable();
    if (typeof target !== 'string' || typeof at !== 'number') {
      throw new FanoutError('INTERNAL', `cannot store a stop request for ${String(target)} at ${String(at)} in run store ${this.path}`);
    }
    writes.push(this.#statements.insertStop, [target, at]);
  }

  deleteRun(runId: string): void {
    const writes = this.#checkWritable();
    writes.apply();
    const { deleteRun } = this.#statements;
    try {
      this.#db.transaction(() => {
        for (const statement of deleteRun) statement.run({ id: runId });
      }).immediate();
    } catch (error) {
      throw this.#error(`could not delete run ${runId}`, error);
    }
    this.#knownRuns.delete(runId);
    this.#nextSeq.delete(runId);
    // Handles are random and never reused: forgetting them is not needed for correctness, only memory.
    this.#knownHandles.clear();
  }

  getRun(runId: string): RunRecord | undefined {
    const row = this.#read(() => this.#statements.getRun.get(runId) as Row | undefined);
    return row && this.#withPlanTasks(rowToRun(row));
  }

  listRuns(limit?: number): RunRecord[] {
    checkListLimit(limit);
    // LIMIT -1 means no limit in SQLite.
    const rows = this.#read(() => this.#statements.listRuns.all(limit ?? -1) as Row[]);
    return rows.map((row) => this.#withPlanTasks(rowToRun(row)));
  }

  /** A run whose plan was stored without its tasks (see {@link planWithoutTaskRows}) gets them back from its task rows. */
  #withPlanTasks(run: RunRecord): RunRecord {
    if (Array.isArray((run.plan as { tasks?: unknown }).tasks)) return run;
    const tasks = this.#listTaskRows(run.runId).map((row) => rowToTask(row).spec);
    return { ...run, plan: { ...run.plan, tasks } };
  }

  #listTaskRows(runId: string): Row[] {
    return this.#read(() => this.#statements.listTasks.all(runId) as Row[]);
  }

  getTask(handle: string): TaskRecord | undefined {
    const row = this.#read(() => this.#statements.getTask.get(handle) as Row | undefined);
    return row && rowToTask(row);
  }

  listTasks(runId: string): TaskRecord[] {
    return this.#read(() => this.#statements.listTasks.all(runId) as Row[]).map(rowToTask);
  }

  getOutput(handle: string): TaskOutput | undefined {
    const row = this.#read(() => this.#statements.getOutput.get(handle) as Row | undefined);
    return row && rowToOutput(row);
  }

  listEvents(runId: string, afterSeq = 0): StoredEvent[] {
    return this.#read(() => this.#statements.listEventPages.all(runId, afterSeq) as Row[]).flatMap((row) => pageToEvents(row, afterSeq));
  }

  listTodos(runId: string): TodoItem[] {
    return this.#read(() => this.#statements.listTodos.all(runId) as Row[]).map(rowToTodo);
  }

  /** Requests targeting the run or one of its tasks with `requestedAt >= since`, oldest first. */
  listStopRequests(runId: string, since: number): StopRequest[] {
    const rows = this.#read(() => this.#statements.listStops.all(since, runId, runId) as Row[]);
    return rows.map((row) => ({ target: row.target as string, requestedAt: row.requested_at as number }));
  }

  /** Also checkpoints the WAL after many writes: the engine flushes when a run ends, off the tasks' path. */
  flush(): void {
    this.#checkOpen();
    this.#writes?.apply();
    if (this.#uncheckpointed < CHECKPOINT_AFTER_WRITES) return;
    this.#uncheckpointed = 0;
    try {
      // PASSIVE: copies what no reader still needs, never waits for readers or writers.
      this.#db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      throw this.#error('could not checkpoint', error);
    }
  }

  /**
   * Flushes pending writes, then closes the database; later calls fail with
   * `STORE_ERROR`. Throws when writes could not be saved, after closing.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#writes?.detach();
    try {
      this.#writes?.apply();
    } finally {
      this.#db.close();
      this.#onClose?.();
    }
    const deferred = this.#writes?.takeDeferredError();
    if (deferred) throw deferred;
  }

  #checkOpen(): void {
    if (this.#closed) throw new FanoutError('STORE_ERROR', `run store ${this.path} is closed`, { where: this.path });
    const deferred = this.#writes?.takeDeferredError();
    if (deferred) throw deferred;
  }

  /** The write queue; throws when the store is closed or read-only. */
  #checkWritable(): SqliteWriteQueue {
    this.#checkOpen();
    if (this.#writes === undefined) {
      throw new FanoutError('STORE_ERROR', `run store ${this.path} was opened read-only`, { where: this.path });
    }
    return this.#writes;
  }

  #read<T>(query: () => T): T {
    this.#checkOpen();
    this.#writes?.apply();
    try {
      return query();
    } catch (error) {
      throw this.#error('could not read', error);
    }
  }

  /** Throws NOT_FOUND unless the run exists. Runs are created at once, so pending writes never matter here. */
  #requireRun(runId: string): void {
    if (this.#knownRuns.has(runId)) return;
    if (this.#statements.runExists.get(runId) === undefined) {
      throw new FanoutError('NOT_FOUND', `no run ${runId} in ${this.path}`);
    }
    this.#knownRuns.add(runId);
  }

  #requireTask(handle: string): void {
    if (this.#knownHandles.has(handle)) return;
    if (this.#statements.taskExists.get(handle) === undefined) {
      throw new FanoutError('NOT_FOUND', `no task ${handle} in ${this.path}`);
    }
    this.#knownHandles.add(handle);
  }

  /**
   * The UPDATE statement and parameters of a patch: known fields only, in a
   * stable order, required fields given as `undefined` left out (an optional
   * one given as `undefined` is cleared). Values are checked here, so a bad
   * one fails in the caller instead of sinking the tick's batch.
   */
  #patchWrite<K extends string>(
    table: string,
    keyColumn: string,
    key: string,
    patch: Partial<Record<K, unknown>>,
    fields: Readonly<Record<K, PatchField>>,
  ): [Statement, unknown[]] | undefined {
    // The statement is cached by which fields the patch sets (a bit each, in `fields` order, fewer than 31): no string is built per write.
    let present = 0;
    let bit = 1;
    const values: unknown[] = [];
    for (const name in fields) {
      const field = fields[name];
      const value = patch[name];
      if (Object.hasOwn(patch, name) && !(value === undefined && field.required)) {
        values.push(value === undefined ? null : this.#storedValue(field, value));
        present |= bit;
      }
      bit <<= 1;
    }
    if (present === 0) return undefined;
    let statements = this.#patchStatements.get(table);
    if (statements === undefined) {
      statements = new Map();
      this.#patchStatements.set(table, statements);
    }
    let statement = statements.get(present);
    if (!statement) {
      const assignments = Object.values<PatchField>(fields)
        .filter((_, index) => (present & (1 << index)) !== 0)
        .map((field) => `${field.column} = ?`)
        .join(', ');
      statement = this.#db.prepare(`UPDATE ${table} SET ${assignments} WHERE ${keyColumn} = ?`);
      statements.set(present, statement);
    }
    values.push(key);
    return [statement, values];
  }

  /** A patch value as its column holds it; anything else fails here, in the caller. */
  #storedValue(field: PatchField, value: unknown): unknown {
    const stored = field.json ? JSON.stringify(value) : value;
    if (stored !== null && typeof stored !== 'number' && typeof stored !== 'string') {
      throw new FanoutError('INTERNAL', `cannot store a ${typeof stored} value (${String(stored)}) in run store ${this.path}`);
    }
    return stored;
  }

  #error(action: string, error: unknown): FanoutError {
    if (error instanceof FanoutError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new FanoutError('STORE_ERROR', `${action} in run store ${this.path}: ${message}`, {
      cause: error,
      where: this.path,
    });
  }
}

/**
 * The plan as stored in its run row: without its tasks when each is the
 * spec of the task row at its position (as the engine records them), so a
 * plan is stored once, not twice (a 100 MB plan made a 330 MB database).
 * A plan whose tasks differ from the rows is stored whole.
 */
function planWithoutTaskRows(run: RunRecord, tasks: readonly TaskRecord[]): object {
  const { plan } = run;
  const byIndex = [...tasks].sort((a, b) => a.index - b.index);
  const same =
    plan.tasks.length === byIndex.length &&
    plan.tasks.every((spec, at) => {
      const row = byIndex[at];
      return row !== undefined && row.index === at && (row.spec === spec || JSON.stringify(row.spec) === JSON.stringify(spec));
    });
  if (!same) return plan;
  const { tasks: _stored, ...rest } = plan;
  return rest;
}

/**
 * Opens the run store of a fanout home directory, `home/fanout.db`,
 * creating both when missing (unless `readonly`); a home directory it
 * creates gets a `.gitignore` of `*`.
 * @throws FanoutError `STORE_ERROR` naming the path when `home` cannot be created or the file is not a run store.
 */
export function openRunStore(home: string, options: Omit<SqliteRunStoreOptions, 'path'> = {}): SqliteRunStore {
  const path = join(home, 'fanout.db');
  if (options.readonly) return new SqliteRunStore({ ...options, path });
  try {
    // Private to its user: the store holds prompts, outputs and transcripts.
    const created = mkdirSync(home, { recursive: true, mode: 0o700 });
    // A store made inside a repository must never be committed; a directory the user already had is theirs to configure.
    if (created !== undefined) writeFileSync(join(home, '.gitignore'), '*\n', { mode: 0o600 });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new FanoutError('STORE_ERROR', `cannot create the fanout home directory ${home}: ${message}`, {
      cause: error,
      where: home,
    });
  }
  return new SqliteRunStore({ ...options, path });
}

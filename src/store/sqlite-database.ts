import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { FanoutError } from '../contracts/errors.js';
import { checkVersion, migrate, SCHEMA_VERSION, type MigrationWaitOptions } from './sqlite-schema.js';
import { prepareInserts, type InsertStatements } from './sqlite-bulk-insert.js';
import type { Statement } from './sqlite-write-queue.js';

/** How long a statement waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 5000;

/**
 * WAL pages after which SQLite checkpoints on its own, inside whichever
 * write batch crosses it (SQLite's default is 1,000). A checkpoint copies
 * pages and syncs the file: a stall of ~10 ms each on the thread that runs
 * the tasks, several per 1,000-task run at the default. This one is a safety
 * net for very long runs; the store checkpoints on `flush()` instead.
 */
const WAL_AUTOCHECKPOINT_PAGES = 16_384;

/** Seams of {@link openDatabase}, for tests. */
export interface OpenDatabaseOptions extends MigrationWaitOptions {
  /** How long a statement waits for another process's write lock, ms. @default 5000 */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating it unless `readonly`) a run store's database file and
 * brings its schema up to date, waiting for another process's migration
 * (see `migrate`); a read-only one must already be current.
 */
export function openDatabase(path: string, readonly: boolean, options: OpenDatabaseOptions = {}): Database.Database {
  let db: Database.Database | undefined;
  try {
    // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database's mode.
    if (!readonly && path !== ':memory:') closeSync(openSync(path, 'a', 0o600));
    db = new Database(path, { readonly, fileMustExist: readonly });
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? BUSY_TIMEOUT_MS}`);
    if (readonly) {
      if (checkVersion(db, path) !== SCHEMA_VERSION) {
        throw new FanoutError(
          'STORE_ERROR',
          `run store ${path} has an older schema; open it once without readonly to migrate it`,
          { where: path },
        );
      }
    } else {
      // WAL lets readers in other processes work while this one writes;
      // NORMAL sync is durable across process crashes and skips an fsync per commit.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      db.pragma('foreign_keys = ON');
      migrate(db, path, options);
    }
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof FanoutError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new FanoutError('STORE_ERROR', `cannot open run store ${path}: ${message}`, { cause: error, where: path });
  }
}

/** The statements a run store runs, prepared once per connection. */
export interface StoreStatements {
  insertRun: Statement;
  insertTasks: InsertStatements;
  insertSpecs: InsertStatements;
  /** The highest spec id, or null: createRun numbers its specs on from it. */
  maxSpecId: Statement;
  insertPage: Statement;
  upsertOutput: Statement;
  upsertTodo: Statement;
  insertStop: Statement;
  deleteRun: Statement[];
  runExists: Statement;
  taskExists: Statement;
  maxSeq: Statement;
  getRun: Statement;
  listRuns: Statement;
  getTask: Statement;
  listTasks: Statement;
  getOutput: Statement;
  listEventPages: Statement;
  listTodos: Statement;
  listStops: Statement;
}

/** Prepares the {@link StoreStatements} of a connection. */
export function prepareStatements(db: Database.Database): StoreStatements {
  const prepare = (sql: string): Statement => db.prepare(sql);
  return {
    insertRun: prepare(
      `INSERT INTO runs (run_id, name, plan, dag, status, created_at, started_at, ended_at, cwd, pid, synthesis, error,
         agents, limit_reason, lease_until, attempts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Columns in the order createRun gives their values.
    insertTasks: prepareInserts(db, 'tasks', [
      'handle', 'run_id', 'idx', 'task_id', 'spec_id', 'status', 'queued_at', 'ready_at', 'started_at', 'ended_at', 'turns',
      'input_tokens', 'output_tokens', 'retries', 'retry_wait_ms', 'rate_limit_wait_ms', 'cost_usd', 'wait_reason', 'error',
      'writes', 'refused',
    ]),
    insertSpecs: prepareInserts(db, 'task_specs', ['id', 'spec']),
    maxSpecId: prepare('SELECT MAX(id) FROM task_specs').pluck(),
    insertPage: prepare('INSERT INTO event_pages (run_id, first_seq, last_seq, events) VALUES (?, ?, ?, ?)'),
    upsertOutput: prepare('INSERT OR REPLACE INTO outputs (handle, text, json, truncated) VALUES (?, ?, ?, ?)'),
    upsertTodo: prepare('INSERT OR REPLACE INTO todos (run_id, position, item) VALUES (?, ?, ?)'),
    insertStop: prepare('INSERT INTO stop_requests (target, requested_at) VALUES (?, ?)'),
    // Children first (foreign keys); stop requests name the run or one of its tasks.
    deleteRun: [
      prepare('DELETE FROM stop_requests WHERE target = @id OR target IN (SELECT handle FROM tasks WHERE run_id = @id)'),
      prepare('DELETE FROM outputs WHERE handle IN (SELECT handle FROM tasks WHERE run_id = @id)'),
      prepare('DELETE FROM task_specs WHERE id IN (SELECT spec_id FROM tasks WHERE run_id = @id)'),
      prepare('DELETE FROM todos WHERE run_id = @id'),
      prepare('DELETE FROM event_pages WHERE run_id = @id'),
      prepare('DELETE FROM tasks WHERE run_id = @id'),
      prepare('DELETE FROM runs WHERE run_id = @id'),
    ],
    runExists: prepare('SELECT 1 FROM runs WHERE run_id = ?'),
    taskExists: prepare('SELECT 1 FROM tasks WHERE handle = ?'),
    maxSeq: prepare('SELECT MAX(last_seq) FROM event_pages WHERE run_id = ?').pluck(),
    getRun: prepare('SELECT * FROM runs WHERE run_id = ?'),
    listRuns: prepare('SELECT * FROM runs ORDER BY created_at DESC, rowid DESC LIMIT ?'),
    // LEFT JOIN: a task whose spec row is missing is reported as corrupt, not silently left out.
    getTask: prepare('SELECT t.*, s.spec FROM tasks t LEFT JOIN task_specs s ON s.id = t.spec_id WHERE t.handle = ?'),
    listTasks: prepare('SELECT t.*, s.spec FROM tasks t LEFT JOIN task_specs s ON s.id = t.spec_id WHERE t.run_id = ? ORDER BY t.idx'),
    getOutput: prepare('SELECT * FROM outputs WHERE handle = ?'),
    listEventPages: prepare('SELECT * FROM event_pages WHERE run_id = ? AND last_seq > ? ORDER BY first_seq'),
    listTodos: prepare('SELECT * FROM todos WHERE run_id = ? ORDER BY position'),
    listStops: prepare(
      // Driven from the stop requests (few), each task target looked up by its key: an IN over the
      // run's tasks built a list of all of them on every poll (12 ms per poll at 10,000 tasks).
      `SELECT s.target, s.requested_at FROM stop_requests s
       WHERE s.requested_at >= ? AND (s.target = ? OR EXISTS (SELECT 1 FROM tasks t WHERE t.handle = s.target AND t.run_id = ?))
       ORDER BY s.requested_at, s.id`,
    ),
  };
}

import type Database from 'better-sqlite3';
import { FanoutError } from '../contracts/errors.js';
import { holdMigrationMarker, migratingProcess } from './migration-marker.js';

/** One step of the schema's history; `version` becomes `PRAGMA user_version` once `sql` has run. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/**
 * Every schema change ever shipped, oldest first. Never edit a released
 * entry: append a new one, so stores written by older versions migrate.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, tasks, events, outputs, todos and stop requests',
    sql: `
      CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        plan TEXT NOT NULL,
        dag TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        ended_at INTEGER,
        cwd TEXT NOT NULL,
        pid INTEGER,
        synthesis TEXT,
        error TEXT
      );
      -- listRuns: most recent first (rowid breaks ties in creation order).
      CREATE INDEX runs_by_created_at ON runs (created_at);

      CREATE TABLE tasks (
        handle TEXT PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs (run_id),
        idx INTEGER NOT NULL,
        task_id TEXT NOT NULL,
        spec TEXT NOT NULL,
        status TEXT NOT NULL,
        queued_at INTEGER NOT NULL,
        ready_at INTEGER,
        started_at INTEGER,
        ended_at INTEGER,
        turns INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        retries INTEGER NOT NULL,
        retry_wait_ms INTEGER NOT NULL,
        wait_reason TEXT,
        error TEXT,
        -- listTasks in plan order, and the run's handles for listStopRequests.
        UNIQUE (run_id, idx)
      );

      CREATE TABLE events (
        run_id TEXT NOT NULL REFERENCES runs (run_id),
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        at INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      ) WITHOUT ROWID;

      CREATE TABLE outputs (
        handle TEXT PRIMARY KEY REFERENCES tasks (handle),
        text TEXT NOT NULL,
        json TEXT,
        truncated INTEGER NOT NULL
      );

      CREATE TABLE todos (
        run_id TEXT NOT NULL REFERENCES runs (run_id),
        position INTEGER NOT NULL,
        item TEXT NOT NULL,
        PRIMARY KEY (run_id, position)
      ) WITHOUT ROWID;

      CREATE TABLE stop_requests (
        id INTEGER PRIMARY KEY,
        target TEXT NOT NULL,
        requested_at INTEGER NOT NULL
      );
      CREATE INDEX stop_requests_by_target ON stop_requests (target, requested_at);
    `,
  },
  {
    version: 2,
    description: 'task cost estimates, resolved agent definitions and the run cap that ended a run',
    sql: `
      ALTER TABLE tasks ADD COLUMN cost_usd REAL;
      ALTER TABLE runs ADD COLUMN agents TEXT;
      ALTER TABLE runs ADD COLUMN limit_reason TEXT;
    `,
  },
  {
    version: 3,
    description: 'events stored a page per write batch: one row holds the events a run recorded in one tick',
    sql: `
      CREATE TABLE event_pages (
        run_id TEXT NOT NULL REFERENCES runs (run_id),
        first_seq INTEGER NOT NULL,
        last_seq INTEGER NOT NULL,
        events TEXT NOT NULL,
        PRIMARY KEY (run_id, first_seq)
      ) WITHOUT ROWID;
      INSERT INTO event_pages (run_id, first_seq, last_seq, events)
        SELECT run_id, seq, seq, json_array(json_patch(json_object('seq', seq, 'type', type, 'at', at), data)) FROM events;
      DROP TABLE events;
    `,
  },
  {
    version: 4,
    description: 'run leases (liveness judged by a renewed deadline, not a pid) and the earlier attempts of resumed runs',
    sql: `
      ALTER TABLE runs ADD COLUMN lease_until INTEGER;
      ALTER TABLE runs ADD COLUMN attempts TEXT;
    `,
  },
  {
    version: 5,
    description: 'the files each task wrote and the tool calls the sandbox refused',
    sql: `
      ALTER TABLE tasks ADD COLUMN writes TEXT;
      ALTER TABLE tasks ADD COLUMN refused TEXT;
    `,
  },
  {
    version: 6,
    description: "the time each task's model calls waited for rate limits",
    sql: `
      ALTER TABLE tasks ADD COLUMN rate_limit_wait_ms INTEGER;
    `,
  },
  {
    version: 7,
    description: "task specs in a table of their own: a task row's updates no longer rewrite its spec",
    // Written once, read by getTask and listTasks: the task rows, updated at
    // every start, wait and end, stay small. Keyed by an INTEGER PRIMARY KEY
    // (one b-tree, appended to; VACUUM keeps it, unlike the tasks' rowids),
    // which the task row names. No foreign key: deleting a spec would scan
    // the tasks for it, as spec_id has no index of its own.
    // DROP COLUMN (SQLite 3.35+) keeps the table, its indexes and its rowids.
    sql: `
      CREATE TABLE task_specs (
        id INTEGER PRIMARY KEY,
        spec TEXT NOT NULL
      );
      ALTER TABLE tasks ADD COLUMN spec_id INTEGER;
      INSERT INTO task_specs (id, spec) SELECT rowid, spec FROM tasks;
      UPDATE tasks SET spec_id = rowid;
      ALTER TABLE tasks DROP COLUMN spec;
    `,
  },
];

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/** The store's `PRAGMA user_version`. */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * How long an opener waits for another process's migration of the store, ms:
 * a 1.4 GB store migrates in ~20 s here. Kept short because no signal
 * handler runs during the wait (Ctrl-C included).
 */
const MIGRATION_WAIT_LIMIT_MS = 2 * 60_000;

/** Seams of {@link migrate}'s wait for another process's migration, for tests. */
export interface MigrationWaitOptions {
  /** @default 2 minutes */
  migrationWaitLimitMs?: number;
  /** The clock of that limit, ms. @default performance.now */
  now?: () => number;
}

/**
 * Brings the schema of `db` (at `path`) up to {@link SCHEMA_VERSION}.
 * Runs under BEGIN IMMEDIATE and re-reads the version inside it, so two
 * processes opening a new store at once migrate it exactly once. Kept out
 * of the write lock by another process's migration (see migration-marker.ts),
 * it asks for the lock again, each time for the connection's busy timeout,
 * until that migration ends or the limit passed; kept out by anything else,
 * it fails after one busy timeout. The wait blocks the thread (the store's
 * API is synchronous): no signal handler runs before it ends.
 * @throws FanoutError `STORE_ERROR` when the store is newer than this code, or another process's
 *   migration outlasted the limit.
 */
export function migrate(db: Database.Database, path: string, options: MigrationWaitOptions = {}): void {
  const now = options.now ?? (() => performance.now());
  const limit = options.migrationWaitLimitMs ?? MIGRATION_WAIT_LIMIT_MS;
  const started = now();
  // Most opens find the schema current: skip the write lock then, as
  // `status` and `output` run while another process writes.
  while (checkVersion(db, path) !== SCHEMA_VERSION) {
    try {
      migrateUnderLock(db, path);
      return;
    } catch (error) {
      if (!String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) throw error;
      const waited = now() - started;
      const migrator = migratingProcess(path);
      if (migrator === undefined) {
        // The migration that kept this opener out may have committed (and removed its marker) since the lock refused it.
        if (checkVersion(db, path) === SCHEMA_VERSION) return;
        throw error;
      }
      if (waited >= limit) {
        throw new FanoutError(
          'STORE_ERROR',
          `run store ${path} is still being migrated by process ${migrator} after ${Math.round(waited / 1000)} s; try again when it is done`,
          { cause: error, where: path },
        );
      }
    }
  }
}

function migrateUnderLock(db: Database.Database, path: string): void {
  let release: (() => void) | undefined;
  try {
    db.transaction(() => {
      const current = checkVersion(db, path);
      if (current === SCHEMA_VERSION) return;
      release = holdMigrationMarker(path);
      for (const migration of MIGRATIONS) {
        if (migration.version <= current) continue;
        db.exec(migration.sql);
        db.pragma(`user_version = ${migration.version}`);
      }
    }).immediate();
  } finally {
    // After the commit: an opener that then finds no marker finds the new schema too.
    release?.();
  }
}

/**
 * Returns the schema version of `db`.
 * @throws FanoutError `STORE_ERROR` when it is newer than {@link SCHEMA_VERSION}.
 */
export function checkVersion(db: Database.Database, path: string): number {
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) {
    throw new FanoutError(
      'STORE_ERROR',
      `run store ${path} has schema version ${version}, newer than this fanout supports (${SCHEMA_VERSION}); upgrade fanout`,
      { where: path },
    );
  }
  return version;
}

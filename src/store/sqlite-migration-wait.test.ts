import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { holdMigrationMarker, migratingProcess } from './migration-marker.js';
import { openDatabase } from './sqlite-database.js';
import { MIGRATIONS, SCHEMA_VERSION, schemaVersion } from './sqlite-schema.js';
import { errorThrownBy } from '../test-support/error-thrown-by.js';

const childScript = fileURLToPath(new URL('./test-support/migrating-child.ts', import.meta.url));
/** Short, so that an opener kept out of the lock learns it quickly; the waits below are counted, not timed. */
const BUSY_MS = 20;

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const closable of open.splice(0).reverse()) closable.close();
});

/** A store at schema version 6, the one before migration 7 (which copies every spec). */
function storeAtVersion6(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fanout-migration-')), 'fanout.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  for (const migration of MIGRATIONS.filter((step) => step.version <= 6)) db.exec(migration.sql);
  db.pragma('user_version = 6');
  db.close();
  return path;
}

/** A connection of "another process" that took the write lock, migrating when `migrating`. */
function holdWriteLock(path: string, migrating: boolean): { finish(): void } {
  const holder = new Database(path);
  open.push(holder);
  holder.exec('BEGIN IMMEDIATE');
  const release = migrating ? holdMigrationMarker(path) : () => {};
  return {
    finish: () => {
      for (const migration of MIGRATIONS.filter((step) => step.version > 6)) {
        holder.exec(migration.sql);
        holder.pragma(`user_version = ${migration.version}`);
      }
      holder.exec('COMMIT');
      release();
    },
  };
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  if (child.pid === undefined) throw new Error('no child process');
  return child.pid;
}

describe('opening a store another process is migrating', () => {
  it('asks for the lock again until the migration ends, then opens the migrated store', () => {
    const path = storeAtVersion6();
    const other = holdWriteLock(path, true);
    let reads = 0;
    // The clock is read once at the start and after each busy timeout; the other migration ends at the third.
    const now = (): number => {
      reads += 1;
      if (reads === 3) other.finish();
      return reads;
    };

    const db = openDatabase(path, false, { busyTimeoutMs: BUSY_MS, now });
    open.push(db);

    expect(reads).toBe(3);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(existsSync(`${path}-migrating`)).toBe(false);
  });

  it('fails after one busy timeout when the lock is held by anything but a migration', () => {
    const path = storeAtVersion6();
    holdWriteLock(path, false);
    let reads = 0;
    const failure = errorThrownBy(() => openDatabase(path, false, { busyTimeoutMs: BUSY_MS, now: () => ++reads }));
    expect(isFanoutError(failure, 'STORE_ERROR')).toBe(true);
    expect(failure.message).toBe(`cannot open run store ${path}: database is locked`);
    // Read at the start and at the one refusal: no second ask for the lock.
    expect(reads).toBe(2);
  });

  it('opens when the migration that kept it out committed, and removed its marker, before the marker was read', () => {
    const path = storeAtVersion6();
    const other = holdWriteLock(path, true);
    let reads = 0;
    // At the refusal (the second read) the migration commits, and a writer takes the lock before the marker is read.
    const now = (): number => {
      reads += 1;
      if (reads === 2) {
        other.finish();
        const writer = new Database(path);
        open.push(writer);
        writer.exec('BEGIN IMMEDIATE');
      }
      return reads;
    };

    const db = openDatabase(path, false, { busyTimeoutMs: BUSY_MS, now });
    open.push(db);

    expect(reads).toBe(2);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
  });

  it('ignores a marker whose process is gone: it fails as if unmarked when the lock is busy, and migrates when it is free', () => {
    const path = storeAtVersion6();
    writeFileSync(`${path}-migrating`, `${deadPid()}\n`);
    expect(migratingProcess(path)).toBeUndefined();
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    const failure = errorThrownBy(() => openDatabase(path, false, { busyTimeoutMs: BUSY_MS }));
    expect(failure.message).toBe(`cannot open run store ${path}: database is locked`);
    other.exec('ROLLBACK');
    other.close();

    const db = openDatabase(path, false, { busyTimeoutMs: BUSY_MS });
    open.push(db);
    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    // Its own migration replaced the stale marker, then removed it.
    expect(existsSync(`${path}-migrating`)).toBe(false);
  });

  it('gives up in one STORE_ERROR line naming the migrating process once its limit passed', () => {
    const path = storeAtVersion6();
    holdWriteLock(path, true);
    let clock = 0;
    const now = (): number => (clock += 48_000);

    const failure = errorThrownBy(() => openDatabase(path, false, { busyTimeoutMs: BUSY_MS, now }));

    expect(isFanoutError(failure, 'STORE_ERROR')).toBe(true);
    // Started at 48 s, read again at 96, 144 and 192: 144 s waited is past the 2 min limit.
    expect(failure.message).toBe(
      `run store ${path} is still being migrated by process ${process.pid} after 144 s; try again when it is done`,
    );
  });

  it('waits for a migration that really holds the lock in another process, then opens', async () => {
    const path = storeAtVersion6();
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, path, '1500'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    const lines = createInterface({ input: child.stdout });
    const [line] = (await once(lines, 'line')) as [string];
    expect(line).toBe('migrating');
    expect(migratingProcess(path)).toBe(child.pid);

    // Kept out for 1.5 s, far past its busy timeout: without waiting for the migration it would fail.
    const db = openDatabase(path, false, { busyTimeoutMs: 100 });
    open.push(db);

    expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(await exited).toEqual([0, null]);
    expect(existsSync(`${path}-migrating`)).toBe(false);
  });
});

import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FanoutError } from '../contracts/errors.js';
import { SqliteRunStore } from './sqlite-run-store.js';
import { realWaiter, type SyncWaiter } from './sync-waiter.js';

/** Copies of a store that keeps changing taken before giving up. */
const COPY_ATTEMPTS = 5;
/** Pause before the next copy, times the copies taken so far (100, 200, 300, 400 ms). */
const COPY_PAUSE_MS = 100;
/** No pause ends later than this after the first copy started (a huge store copies slowly). */
const COPY_TIME_LIMIT_MS = 10_000;

const CHANGED = 'it changed while it was being copied';

/** Seams of {@link copyStore}, for tests. */
export interface CopyOptions {
  /** Copies the store through SQLite, false when SQLite cannot read it in place; default {@link copyThroughSqlite}. */
  copyThroughSqlite?: (path: string, copy: string) => boolean;
  /** Copies one file; default `copyFileSync`. */
  copyFile?: (from: string, to: string) => void;
  /** The clock and sleep of the pauses between copies. */
  waiter?: SyncWaiter;
}

/**
 * A read-only store over a private copy of the run store at `path` (see
 * {@link copyStore}), its schema brought up to date; `close()` removes the
 * copy. For a store this process may not write, and may not read in place
 * with this schema.
 * @throws FanoutError `STORE_ERROR` when no consistent copy could be taken (the store kept changing).
 */
export function openSnapshot(path: string): SqliteRunStore {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-readonly-'));
  const copy = join(dir, 'fanout.db');
  try {
    copyStore(path, copy);
    // Opened once for writing so SQLite folds the copied log into the copy (closing it checkpoints), and
    // an older schema is migrated: the copy is this process's own, and the store stays for a writer to migrate.
    new SqliteRunStore({ path: copy }).close();
    return new SqliteRunStore({ path: copy, readonly: true, onClose: () => rmSync(dir, { recursive: true, force: true }) });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if (error instanceof FanoutError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new FanoutError('STORE_ERROR', `cannot read run store ${path} from a copy: ${message}`, { cause: error, where: path });
  }
}

/**
 * Copies the store through a read-only connection: one read transaction, so
 * one committed state whatever its owner does meanwhile. False (nothing left
 * at `copy`) when SQLite cannot read it in place, whatever the reason: the
 * file copy tried then reports its own failure.
 */
export function copyThroughSqlite(path: string, copy: string): boolean {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.prepare('VACUUM INTO ?').run(copy);
    return true;
  } catch {
    removeCopy(copy);
    return false;
  } finally {
    db?.close();
  }
}

/**
 * Copies one consistent state of the run store at `path` to `copy`. Where
 * SQLite can read the store in place, it copies one committed state
 * (`VACUUM INTO`). Where it cannot (a WAL store needs a `-shm` file, which a
 * directory this process may not write lacks while its owner's fanout has
 * the store closed), the database file and its `-wal` are copied without a
 * lock (SQLite offers none then), and the copy is kept only if neither file
 * changed meanwhile and it passes SQLite's `quick_check`. Tried again after
 * a pause while neither works (the owner may have opened the store since,
 * letting SQLite read it in place).
 * @throws FanoutError `STORE_ERROR` when every try failed so (the store kept changing).
 */
export function copyStore(path: string, copy: string, options: CopyOptions = {}): void {
  const inPlace = options.copyThroughSqlite ?? copyThroughSqlite;
  const copyFile = options.copyFile ?? copyFileSync;
  const waiter = options.waiter ?? realWaiter;
  const started = waiter.now();
  for (let attempt = 1; ; attempt++) {
    if (inPlace(path, copy)) return;
    const problem = copyOnce(path, copy, copyFile);
    if (problem === undefined) return;
    removeCopy(copy);
    const pause = COPY_PAUSE_MS * attempt;
    const elapsed = waiter.now() - started;
    if (attempt === COPY_ATTEMPTS || elapsed + pause > COPY_TIME_LIMIT_MS) {
      throw new FanoutError(
        'STORE_ERROR',
        `cannot read run store ${path} (this process may not open it in place): ${problem}, ` +
          `${attempt} copies in ${(elapsed / 1000).toFixed(1)} s (its owner's fanout is likely writing it); try again`,
        { where: path },
      );
    }
    waiter.sleep(pause);
  }
}

/** Copies the files once; returns why the copy cannot be trusted, or undefined. */
function copyOnce(path: string, copy: string, copyFile: (from: string, to: string) => void): string | undefined {
  const wal = `${path}-wal`;
  const before = [fileState(path), fileState(wal)];
  try {
    copyFile(path, copy);
    if (before[1] !== undefined) copyFile(wal, `${copy}-wal`);
  } catch (error) {
    // The log went away mid-copy: its writer closed the store.
    if ((error as { code?: unknown }).code === 'ENOENT') return CHANGED;
    throw error;
  }
  if (fileState(path) !== before[0] || fileState(wal) !== before[1]) return CHANGED;
  return checkCopy(copy);
}

/** What changes when a file is written or replaced; undefined when it is missing. */
function fileState(file: string): string | undefined {
  const stats = statSync(file, { bigint: true, throwIfNoEntry: false });
  return stats && `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

/**
 * Why the copied files are not one sound database, or undefined. Catches a
 * tear the files' sizes and times missed (a write within one tick of the
 * file system's clock) when it broke the structure; one that left every
 * page well formed goes unseen.
 */
function checkCopy(copy: string): string | undefined {
  let db: Database.Database | undefined;
  try {
    db = new Database(copy, { fileMustExist: true });
    const verdict = db.pragma('quick_check', { simple: true });
    return verdict === 'ok' ? undefined : `its copy failed SQLite's quick_check (${String(verdict)})`;
  } catch (error) {
    if (!/^SQLITE_(CORRUPT|NOTADB)/.test(String((error as { code?: unknown }).code))) throw error;
    return `its copy is malformed (${(error as Error).message})`;
  } finally {
    db?.close();
  }
}

function removeCopy(copy: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${copy}${suffix}`, { force: true });
}

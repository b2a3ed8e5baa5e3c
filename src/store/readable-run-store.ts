import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFanoutError } from '../contracts/errors.js';
import { openRunStore, SqliteRunStore } from './sqlite-run-store.js';

/** Failures that mean "this process may not write here" (a read-only FANOUT_HOME or file system). */
const NOT_WRITABLE = /EACCES|EPERM|EROFS|readonly database|read-only file system|unable to open database file/i;

/**
 * Opens the run store of `home` for writing when it can, else for reading
 * only, so `runs`, `status`, `output`, `logs` and `report` work on a store
 * this process may not write (a read-only `$FANOUT_HOME`, a mounted copy).
 * Read-only, SQLite still needs the database's `-shm` file in WAL mode; where
 * the directory allows neither that nor anything else, the store is read from
 * a private snapshot (the database and its `-wal`, copied to a temporary
 * directory that `close()` removes, its schema brought up to date). Writes to such a store fail with
 * `STORE_ERROR` (`… was opened read-only`). Any other failure is thrown as
 * `openRunStore` throws it.
 */
export function openReadableRunStore(home: string): SqliteRunStore {
  try {
    return openRunStore(home);
  } catch (writable) {
    const path = join(home, 'fanout.db');
    if (!isFanoutError(writable, 'STORE_ERROR') || !NOT_WRITABLE.test(describe(writable)) || !existsSync(path)) throw writable;
    try {
      return openRunStore(home, { readonly: true });
    } catch {
      return openSnapshot(path);
    }
  }
}

function describe(error: Error): string {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  return `${error.message} ${String(cause?.code ?? '')} ${String(cause?.message ?? '')}`;
}

/** A read-only store over a copy of `path` (and its `-wal`, folded in), removed on close. */
function openSnapshot(path: string): SqliteRunStore {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-readonly-'));
  const copy = join(dir, 'fanout.db');
  try {
    copyFileSync(path, copy);
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    // Opened once for writing so SQLite folds the copied log into the copy (closing it checkpoints), and
    // an older schema is migrated: the copy is this process's own, and the store stays for a writer to migrate.
    new SqliteRunStore({ path: copy }).close();
    return new SqliteRunStore({ path: copy, readonly: true, onClose: () => rmSync(dir, { recursive: true, force: true }) });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

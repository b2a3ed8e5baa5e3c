import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isFanoutError } from '../contracts/errors.js';
import { openRunStore, type SqliteRunStore } from './sqlite-run-store.js';
import { openSnapshot } from './store-snapshot.js';

/** Failures that mean "this process may not write here" (a read-only FANOUT_HOME or file system). */
const NOT_WRITABLE = /EACCES|EPERM|EROFS|readonly database|read-only file system|unable to open database file/i;

/**
 * Opens the run store of `home` for writing when it can, else for reading
 * only, so `runs`, `status`, `output`, `logs` and `report` work on a store
 * this process may not write (a read-only `$FANOUT_HOME`, a mounted copy).
 * Read-only, SQLite still needs the database's `-shm` file in WAL mode; where
 * there is none and the directory may not get one, or the schema is older,
 * the store is read from a private snapshot of one consistent state (see
 * `openSnapshot`), which `close()` removes. Writes to such a store fail with
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

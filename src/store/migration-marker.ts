import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * A schema migration holds the store's write lock for as long as it runs:
 * minutes on a store of hundreds of MB, far past the 5 s other processes
 * wait for that lock. The migrating process marks its work with a file next
 * to the database holding its pid, so an opener kept out of the lock can
 * tell a migration (worth waiting for) from anything else (not). The lock
 * is the truth, the marker only a hint: a process that dies mid-migration
 * loses its lock at once, so an opener takes it and migrates whatever the
 * marker says; a marker naming a process that is gone is ignored.
 */
function markerOf(path: string): string {
  return `${path}-migrating`;
}

/**
 * Marks the store at `path` as being migrated by this process, which must
 * hold its write lock; returns the removal, to call once the migration's
 * transaction ended. Nothing for an in-memory database.
 */
export function holdMigrationMarker(path: string): () => void {
  if (path === ':memory:' || path === '') return () => {};
  const marker = markerOf(path);
  try {
    // A stale marker is replaced, never written through: created exclusively, a symlink planted at its name (by
    // another user of a shared FANOUT_HOME) cannot make this process overwrite the file it points to.
    rmSync(marker, { force: true });
    writeFileSync(marker, `${process.pid}\n`, { mode: 0o600, flag: 'wx' });
  } catch {
    // Only a hint for other openers: without it they fail after the busy timeout, as before markers.
    return () => {};
  }
  return () => rmSync(marker, { force: true });
}

/** The pid of a live process that marked the store at `path` as being migrated, or undefined. */
export function migratingProcess(path: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(markerOf(path), 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: alive, another user's (a shared FANOUT_HOME).
    return (error as { code?: unknown }).code === 'EPERM' ? pid : undefined;
  }
}

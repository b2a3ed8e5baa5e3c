import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { SqliteRunStore } from './sqlite-run-store.js';
import { copyStore, copyThroughSqlite, openSnapshot } from './store-snapshot.js';
import type { SyncWaiter } from './sync-waiter.js';
import { seedRun } from './test-support/run-fixtures.js';

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const closable of open.splice(0).reverse()) closable.close();
});

/** A store at a fresh path with run r1, left open as its owner's fanout would. */
function ownedStore(): { path: string; owner: SqliteRunStore } {
  const path = join(mkdtempSync(join(tmpdir(), 'fanout-snapshot-')), 'fanout.db');
  const owner = new SqliteRunStore({ path });
  open.push(owner);
  seedRun(owner, 'r1');
  owner.flush();
  return { path, owner };
}

/** A waiter on a fake clock that records its pauses. */
function fakeWaiter(): SyncWaiter & { pauses: number[]; advance(ms: number): void } {
  let now = 0;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => now,
    sleep: (ms) => {
      pauses.push(ms);
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** Reads run r1's status from the copy at `copy`. */
function statusIn(copy: string): string | undefined {
  const store = new SqliteRunStore({ path: copy, readonly: true });
  try {
    return store.getRun('r1')?.status;
  } finally {
    store.close();
  }
}

describe('openSnapshot', () => {
  it("copies one committed state of a store its owner has open, writes still in the owner's log included", () => {
    const { path, owner } = ownedStore();
    owner.updateRun('r1', { status: 'failed' });
    owner.flush();
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);

    const snapshot = openSnapshot(path);
    open.push(snapshot);
    owner.updateRun('r1', { status: 'succeeded' });
    owner.flush();
    expect(snapshot.getRun('r1')?.status).toBe('failed');
    expect(snapshot.listTasks('r1')).toHaveLength(3);
  });

  it('removes its copy on close', () => {
    const { path } = ownedStore();
    const snapshot = openSnapshot(path);
    const copy = snapshot.path;
    expect(existsSync(copy)).toBe(true);
    snapshot.close();
    expect(existsSync(copy)).toBe(false);
  });
});

/** As where SQLite cannot read the store in place: no `-shm`, in a directory this process may not write. */
const notInPlace = (): boolean => false;

describe('copyStore', () => {
  it('copies again, after a pause, a copy that its owner tore by writing and checkpointing in the middle of it', () => {
    const { path, owner } = ownedStore();
    const checkpointer = new Database(path);
    open.push(checkpointer);
    const waiter = fakeWaiter();
    const copied: string[] = [];
    const copyFile = (from: string, to: string): void => {
      copied.push(from);
      if (copied.length > 1) return copyFileSync(from, to);
      // The first half of the database as it was, the rest after the owner's write reached it.
      const bytes = readFileSync(from);
      writeFileSync(to, bytes.subarray(0, bytes.length >> 1));
      owner.updateRun('r1', { status: 'failed' });
      owner.flush();
      checkpointer.pragma('wal_checkpoint(TRUNCATE)');
      appendFileSync(to, readFileSync(from).subarray(bytes.length >> 1));
    };
    const copy = join(mkdtempSync(join(tmpdir(), 'fanout-snapshot-copy-')), 'fanout.db');

    copyStore(path, copy, { copyThroughSqlite: notInPlace, copyFile, waiter });

    expect(waiter.pauses).toEqual([100]);
    expect(copied.filter((file) => file === path)).toHaveLength(2);
    expect(statusIn(copy)).toBe('failed');
  });

  it('copies through SQLite at a later try once it can read the store in place', () => {
    const { path, owner } = ownedStore();
    const waiter = fakeWaiter();
    let tries = 0;
    const inPlace = (from: string, to: string): boolean => ++tries > 1 && copyThroughSqlite(from, to);
    const copyFile = (from: string, to: string): void => {
      copyFileSync(from, to);
      owner.updateRun('r1', { status: 'failed' });
      owner.flush();
    };
    const copy = join(mkdtempSync(join(tmpdir(), 'fanout-snapshot-copy-')), 'fanout.db');

    copyStore(path, copy, { copyThroughSqlite: inPlace, copyFile, waiter });

    expect(tries).toBe(2);
    expect(waiter.pauses).toEqual([100]);
    expect(statusIn(copy)).toBe('failed');
  });

  it('copies again a copy that fails quick_check though the files did not change', () => {
    const { path, owner } = ownedStore();
    owner.close();
    const waiter = fakeWaiter();
    let copies = 0;
    const copyFile = (from: string, to: string): void => {
      copyFileSync(from, to);
      copies += 1;
      // The last page (a table's b-tree) overwritten, as a copy of two moments can leave it.
      if (copies === 1) overwriteLastPage(to);
    };
    const copy = join(mkdtempSync(join(tmpdir(), 'fanout-snapshot-copy-')), 'fanout.db');

    copyStore(path, copy, { copyThroughSqlite: notInPlace, copyFile, waiter });

    expect(waiter.pauses).toEqual([100]);
    expect(copies).toBe(2);
    expect(statusIn(copy)).toBe('running');
  });

  it('gives up in one STORE_ERROR line, its copy removed, when the store changes during every copy', () => {
    const { path, owner } = ownedStore();
    const waiter = fakeWaiter();
    let writes = 0;
    const copyFile = (from: string, to: string): void => {
      copyFileSync(from, to);
      owner.updateRun('r1', { error: `write ${++writes}` });
      owner.flush();
    };
    const copy = join(mkdtempSync(join(tmpdir(), 'fanout-snapshot-copy-')), 'fanout.db');

    let failure: unknown;
    try {
      copyStore(path, copy, { copyThroughSqlite: notInPlace, copyFile, waiter });
    } catch (error) {
      failure = error;
    }

    expect(isFanoutError(failure, 'STORE_ERROR')).toBe(true);
    const message = (failure as Error).message;
    expect(message).toContain(path);
    expect(message).toContain('it changed while it was being copied, 5 copies in 1.0 s');
    expect(message).toMatch(/; try again$/);
    expect(message).not.toContain('\n');
    expect(waiter.pauses).toEqual([100, 200, 300, 400]);
    expect(existsSync(copy) || existsSync(`${copy}-wal`)).toBe(false);
  });

  it('stops pausing at its time limit when copies are slow', () => {
    const { path, owner } = ownedStore();
    const waiter = fakeWaiter();
    let writes = 0;
    const copyFile = (from: string, to: string): void => {
      copyFileSync(from, to);
      if (from !== path) return;
      waiter.advance(3_000);
      owner.updateRun('r1', { error: `write ${++writes}` });
      owner.flush();
    };
    const copy = join(mkdtempSync(join(tmpdir(), 'fanout-snapshot-copy-')), 'fanout.db');

    expect(() => copyStore(path, copy, { copyThroughSqlite: notInPlace, copyFile, waiter })).toThrow(/4 copies in 12\.6 s .*; try again$/);
    // 3 s copies and 100, 200, 300 ms pauses: a fourth pause would end after 10 s.
    expect(waiter.pauses).toEqual([100, 200, 300]);
  });
});

/** Overwrites the last page of the database file at `file` with bytes no b-tree page has. */
function overwriteLastPage(file: string): void {
  const bytes = readFileSync(file);
  const pageSize = bytes.readUInt16BE(16);
  bytes.fill(0xee, bytes.length - pageSize);
  writeFileSync(file, bytes);
}

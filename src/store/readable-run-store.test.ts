import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FanoutError, isFanoutError } from '../contracts/errors.js';
import { createFanout } from '../engine/create-fanout.js';
import { ManualClock } from '../engine/manual-clock.js';
import { openReadableRunStore } from './readable-run-store.js';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './sqlite-schema.js';
import { openRunStore } from './sqlite-run-store.js';
import { makeRunFixture, seedRun } from './test-support/run-fixtures.js';
import type { ModelResolver } from '../contracts/model.js';

const undo: Array<() => void> = [];
afterEach(() => {
  for (const step of undo.splice(0).reverse()) step();
});

/**
 * Makes `home` and its database unwritable for this process: by mode for a
 * user, by the immutable attribute for root (whom modes do not stop).
 * False where neither is possible here.
 */
function makeReadOnly(home: string): boolean {
  const files = readdirSync(home).map((name) => join(home, name));
  if (process.getuid?.() !== 0) {
    for (const file of files) chmodSync(file, 0o400);
    chmodSync(home, 0o500);
    undo.push(() => chmodSync(home, 0o700));
    return true;
  }
  try {
    execFileSync('chattr', ['+i', ...files, home], { stdio: 'ignore' });
  } catch {
    return false;
  }
  undo.push(() => execFileSync('chattr', ['-i', ...files, home], { stdio: 'ignore' }));
  return true;
}

const noModels: ModelResolver = {
  resolve: () => {
    throw new FanoutError('MODEL_CONFIG', 'no model in this test');
  },
  close: async () => {},
};

describe('openReadableRunStore', () => {
  it('opens a writable store for writing', () => {
    const home = join(mkdtempSync(join(tmpdir(), 'fanout-readable-')), 'home');
    const store = openReadableRunStore(home);
    seedRun(store, 'r1');
    store.updateRun('r1', { status: 'failed' });
    expect(store.getRun('r1')?.status).toBe('failed');
    store.close();
  });

  it('reads a store this process may not write: runs, status and output work, writes fail in one line', async (context) => {
    const home = join(mkdtempSync(join(tmpdir(), 'fanout-readable-')), 'home');
    const clock = new ManualClock();
    const writer = openRunStore(home);
    const { tasks } = seedRun(writer, 'r1');
    // Its process died: the lease passed long ago.
    writer.updateRun('r1', { startedAt: clock.now(), pid: 1, leaseUntil: clock.now() + 1_000 });
    writer.setOutput({ handle: tasks[0]?.handle ?? '', text: 'kept output', truncated: false });
    writer.close();
    if (!makeReadOnly(home)) context.skip();

    const store = openReadableRunStore(home);
    const fanout = createFanout({ store, models: noModels, clock });
    try {
      await clock.advance(5_000);
      expect(fanout.runs().map((run) => [run.runId, run.status])).toEqual([['r1', 'interrupted']]);
      const view = fanout.status('r1');
      expect(view.run.error).toMatch(/^run r1 was interrupted \(not recorded: .*opened read-only\)$/);
      expect((await fanout.output(tasks[0]?.handle ?? '')).output?.text).toBe('kept output');
      let refused: unknown;
      try {
        store.requestStop('r1', clock.now());
      } catch (error) {
        refused = error;
      }
      expect(isFanoutError(refused, 'STORE_ERROR')).toBe(true);
      expect((refused as Error).message).toMatch(/was opened read-only$/);
    } finally {
      await fanout.close();
    }
  });

  it('reads a store of an older schema this process may not write, from a migrated private copy', (context) => {
    const home = join(mkdtempSync(join(tmpdir(), 'fanout-readable-')), 'home');
    mkdirSync(home);
    const db = new Database(join(home, 'fanout.db'));
    db.pragma('journal_mode = WAL');
    for (const migration of MIGRATIONS.filter((step) => step.version <= 6)) db.exec(migration.sql);
    db.pragma('user_version = 6');
    const { plan } = makeRunFixture('old');
    db.prepare(`INSERT INTO runs (run_id, name, plan, dag, status, created_at, cwd) VALUES ('old', 'old', ?, '{}', 'succeeded', 1, '/x')`).run(
      JSON.stringify(plan),
    );
    const oldTask = db.prepare(
      `INSERT INTO tasks (handle, run_id, idx, task_id, spec, status, queued_at, turns, input_tokens, output_tokens, retries, retry_wait_ms)
       VALUES (?, 'old', ?, ?, ?, 'succeeded', 2, 1, 0, 0, 0, 0)`,
    );
    plan.tasks.forEach((spec, index) => oldTask.run(`old-${spec.id}`, index, spec.id, JSON.stringify(spec)));
    db.close();
    if (!makeReadOnly(home)) context.skip();

    const store = openReadableRunStore(home);
    try {
      expect(store.listTasks('old').map((task) => task.spec)).toEqual(plan.tasks);
      expect(store.getRun('old')?.plan).toEqual(plan);
    } finally {
      store.close();
    }
    // The store itself is left as it was, for a writer to migrate: user_version is the header's 4 bytes at 60.
    expect(readFileSync(join(home, 'fanout.db')).readUInt32BE(60)).toBe(6);
  });
});

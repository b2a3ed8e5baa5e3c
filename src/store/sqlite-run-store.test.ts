import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { describeRunStoreConformance } from './run-store-conformance.js';
import { MIGRATIONS, SCHEMA_VERSION } from './sqlite-schema.js';
import { openRunStore, SqliteRunStore } from './sqlite-run-store.js';
import { makeRunFixture, seedRun } from './test-support/run-fixtures.js';

const run = promisify(execFile);
const childScript = fileURLToPath(new URL('./test-support/store-child.ts', import.meta.url));

let dir: string;
let counter = 0;
const freshPath = (): string => join(dir, `store-${++counter}.db`);
const opened: SqliteRunStore[] = [];
const open = (options: ConstructorParameters<typeof SqliteRunStore>[0]): SqliteRunStore => {
  const store = new SqliteRunStore(options);
  opened.push(store);
  return store;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fanout-store-'));
});
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeRunStoreConformance('SqliteRunStore', () => new SqliteRunStore({ path: freshPath() }));

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectStoreError(action: () => unknown, messagePart: string): void {
  const error = thrownBy(action);
  expect(isFanoutError(error, 'STORE_ERROR'), String(error)).toBe(true);
  expect((error as Error).message).toContain(messagePart);
}

describe('SqliteRunStore durability', () => {
  it('keeps everything across close and reopen, and numbers new events after the stored ones', () => {
    const path = freshPath();
    const first = new SqliteRunStore({ path });
    const { run: created } = seedRun(first, 'r1');
    first.updateTask('r1-a', { status: 'succeeded', turns: 3 });
    first.appendEvent({ type: 'task-start', runId: 'r1', at: 1, id: 'a', handle: 'r1-a' });
    first.appendEvent({ type: 'task-end', runId: 'r1', at: 2, id: 'a', handle: 'r1-a', status: 'succeeded', durationMs: 1 });
    first.setOutput({ handle: 'r1-a', text: 'answer', json: { ok: true }, truncated: false });
    first.setTodo('r1', 0, { id: 'a', content: 'A', status: 'completed', handle: 'r1-a' });
    first.requestStop('r1', 5);
    first.close();

    const second = open({ path });
    expect(second.getRun('r1')).toEqual(created);
    expect(second.getTask('r1-a')).toMatchObject({ status: 'succeeded', turns: 3 });
    expect(second.listEvents('r1').map((stored) => stored.event.type)).toEqual(['task-start', 'task-end']);
    expect(second.getOutput('r1-a')).toEqual({ handle: 'r1-a', text: 'answer', json: { ok: true }, truncated: false });
    expect(second.listTodos('r1')).toEqual([{ id: 'a', content: 'A', status: 'completed', handle: 'r1-a' }]);
    expect(second.listStopRequests('r1', 0)).toEqual([{ target: 'r1', requestedAt: 5 }]);
    expect(second.appendEvent({ type: 'run-end', runId: 'r1', at: 3, status: 'succeeded' })).toBe(3);
  });

  it('batches writes: another connection sees them after flush()', () => {
    const path = freshPath();
    const writer = open({ path });
    const reader = open({ path, readonly: true });
    seedRun(writer, 'r1');
    writer.updateRun('r1', { status: 'succeeded' });
    writer.appendEvent({ type: 'run-end', runId: 'r1', at: 9, status: 'succeeded' });
    expect(reader.getRun('r1')?.status).toBe('running');
    expect(reader.listEvents('r1')).toEqual([]);
    writer.flush();
    expect(reader.getRun('r1')?.status).toBe('succeeded');
    expect(reader.listEvents('r1')).toHaveLength(1);
  });

  it('leaves writes in the WAL while a run goes on, and checkpoints them on flush() once there are many', () => {
    const path = freshPath();
    const store = open({ path });
    seedRun(store, 'r1');
    store.flush();
    const before = statSync(path).size;
    // One batch per event: more than SQLite's default autocheckpoint of 1,000 pages, so SQLite alone would have checkpointed.
    const text = 'x'.repeat(4000);
    for (let i = 0; i < 1100; i++) {
      store.appendEvent({ type: 'tool-call', runId: 'r1', at: i, id: 'a', handle: 'r1-a', tool: 'read_file', ok: true, detail: text });
      store.getRun('r1');
    }
    expect(statSync(path).size).toBe(before);
    store.flush();
    expect(statSync(path).size).toBeGreaterThan(before + 1100 * 4000);
    expect(store.listEvents('r1')).toHaveLength(1100);
  });

  it('stores the events a run records in one batch as one page, and reads them back one by one', () => {
    const path = freshPath();
    const store = open({ path });
    seedRun(store, 'r1');
    seedRun(store, 'r2');
    for (let at = 1; at <= 5; at++) store.appendEvent({ type: 'task-start', runId: 'r1', at, id: 'a', handle: 'r1-a' });
    store.appendEvent({ type: 'run-end', runId: 'r2', at: 7, status: 'failed' });
    store.flush();
    store.appendEvent({ type: 'run-end', runId: 'r1', at: 8, status: 'succeeded' });
    store.flush();
    const db = new Database(path, { readonly: true });
    const pages = db.prepare('SELECT run_id, first_seq, last_seq FROM event_pages ORDER BY run_id, first_seq').all();
    db.close();
    expect(pages).toEqual([
      { run_id: 'r1', first_seq: 1, last_seq: 5 },
      { run_id: 'r1', first_seq: 6, last_seq: 6 },
      { run_id: 'r2', first_seq: 1, last_seq: 1 },
    ]);
    expect(store.listEvents('r1').map(({ seq, event }) => [seq, event.type, event.at])).toEqual([
      [1, 'task-start', 1], [2, 'task-start', 2], [3, 'task-start', 3], [4, 'task-start', 4], [5, 'task-start', 5], [6, 'run-end', 8],
    ]);
    expect(store.listEvents('r1', 4).map(({ seq }) => seq)).toEqual([5, 6]);
  });

  it('flushes queued writes on the next tick without an explicit flush()', async () => {
    const path = freshPath();
    const writer = open({ path });
    const reader = open({ path, readonly: true });
    seedRun(writer, 'r1');
    writer.setOutput({ handle: 'r1-b', text: 'soon', truncated: false });
    await new Promise((resolve) => setImmediate(resolve));
    expect(reader.getOutput('r1-b')?.text).toBe('soon');
  });

  it('refuses writes through a read-only store', () => {
    const path = freshPath();
    seedRun(open({ path }), 'r1');
    const reader = open({ path, readonly: true });
    expectStoreError(() => reader.updateRun('r1', { status: 'failed' }), 'read-only');
  });
});

describe('SqliteRunStore across processes', () => {
  it('lets another process read what this one wrote', async () => {
    const path = freshPath();
    const store = open({ path });
    const { run: created, tasks } = seedRun(store, 'r1');
    store.appendEvent({ type: 'task-start', runId: 'r1', at: 1, id: 'a', handle: 'r1-a' });
    store.setTodo('r1', 0, { id: 'a', content: 'A', status: 'in_progress', handle: 'r1-a' });
    store.setOutput({ handle: 'r1-c', text: 'ünïcödé', truncated: false });
    store.flush();

    const { stdout } = await run(process.execPath, ['--import', 'tsx', childScript, 'read', path, 'r1']);
    expect(JSON.parse(stdout)).toEqual({
      run: created,
      tasks,
      events: [{ seq: 1, event: { type: 'task-start', runId: 'r1', at: 1, id: 'a', handle: 'r1-a' } }],
      todos: [{ id: 'a', content: 'A', status: 'in_progress', handle: 'r1-a' }],
      outputs: [null, null, { handle: 'r1-c', text: 'ünïcödé', truncated: false }],
    });
  });

  it('keeps the queued writes of a process that calls process.exit() without close()', async () => {
    const path = freshPath();
    await run(process.execPath, ['--import', 'tsx', childScript, 'write', path, 'r7']);
    const store = open({ path });
    expect(store.getRun('r7')?.status).toBe('succeeded');
    expect(store.listEvents('r7').map((stored) => stored.seq)).toEqual([1, 2, 3]);
    expect(store.getOutput('r7-a')?.text).toBe('from the child');
  });
});

describe('SqliteRunStore schema and errors', () => {
  it('creates the schema at the current user_version', () => {
    const path = freshPath();
    open({ path }).close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    db.close();
    expect(tables).toEqual(['event_pages', 'outputs', 'runs', 'stop_requests', 'task_specs', 'tasks', 'todos']);
  });

  it('migrates a version-1 store, keeping its runs', () => {
    const path = freshPath();
    const db = new Database(path);
    db.exec(MIGRATIONS[0]?.sql ?? '');
    db.pragma('user_version = 1');
    db.prepare(
      `INSERT INTO runs (run_id, name, plan, dag, status, created_at, cwd) VALUES ('old', 'old', '{"tasks":[]}', '{}', 'succeeded', 1, '/x')`,
    ).run();
    const oldEvent = db.prepare('INSERT INTO events (run_id, seq, type, at, data) VALUES (?, ?, ?, ?, ?)');
    oldEvent.run('old', 1, 'task-start', 5, '{"id":"a","handle":"old-a"}');
    oldEvent.run('old', 2, 'run-end', 9, '{"status":"succeeded"}');
    db.close();
    const store = open({ path });
    expect(store.getRun('old')).toMatchObject({ runId: 'old', status: 'succeeded' });
    expect(store.getRun('old')).not.toHaveProperty('agents');
    // Version 3 keeps each earlier event, as a page of one.
    expect(store.listEvents('old')).toEqual([
      { seq: 1, event: { type: 'task-start', runId: 'old', at: 5, id: 'a', handle: 'old-a' } },
      { seq: 2, event: { type: 'run-end', runId: 'old', at: 9, status: 'succeeded' } },
    ]);
    expect(store.appendEvent({ type: 'run-end', runId: 'old', at: 10, status: 'succeeded' })).toBe(3);
    expect(store.listEvents('old', 2)).toEqual([{ seq: 3, event: { type: 'run-end', runId: 'old', at: 10, status: 'succeeded' } }]);
    seedRun(store, 'r1');
    store.updateTask('r1-a', { costUsd: 0.5 });
    expect(store.getTask('r1-a')?.costUsd).toBe(0.5);
  });

  it('migrates a version-6 store, moving each task spec out of its task row', () => {
    const path = freshPath();
    const db = new Database(path);
    for (const migration of MIGRATIONS.filter((step) => step.version <= 6)) db.exec(migration.sql);
    db.pragma('user_version = 6');
    const fixture = makeRunFixture('old');
    const { tasks: _tasks, ...planWithoutTasks } = fixture.plan;
    db.prepare(`INSERT INTO runs (run_id, name, plan, dag, status, created_at, cwd) VALUES ('old', 'old', ?, '{}', 'running', 1, '/x')`).run(
      JSON.stringify(planWithoutTasks),
    );
    const oldTask = db.prepare(
      `INSERT INTO tasks (handle, run_id, idx, task_id, spec, status, queued_at, turns, input_tokens, output_tokens, retries, retry_wait_ms)
       VALUES (?, 'old', ?, ?, ?, 'queued', 2, 0, 0, 0, 0, 0)`,
    );
    fixture.plan.tasks.forEach((spec, index) => oldTask.run(`old-${spec.id}`, index, spec.id, JSON.stringify(spec)));
    db.prepare("INSERT INTO outputs (handle, text, json, truncated) VALUES ('old-a', 'kept', NULL, 0)").run();
    db.close();

    const store = open({ path });
    expect(store.listTasks('old').map((task) => task.spec)).toEqual(fixture.plan.tasks);
    expect(store.getTask('old-b')).toMatchObject({ handle: 'old-b', index: 1, taskId: 'b', spec: fixture.plan.tasks[1], status: 'queued' });
    expect(store.getRun('old')?.plan).toEqual(fixture.plan);
    expect(store.getOutput('old-a')?.text).toBe('kept');
    store.updateTask('old-a', { status: 'succeeded', turns: 1 });
    expect(store.getTask('old-a')).toMatchObject({ status: 'succeeded', turns: 1, spec: fixture.plan.tasks[0] });
    const { run: later } = seedRun(store, 'new');
    store.deleteRun('old');
    expect(store.listTasks('old')).toEqual([]);
    expect(store.listTasks('new').map((task) => task.spec)).toEqual(later.plan.tasks);
    store.flush();
    const migrated = new Database(path, { readonly: true });
    const columns = migrated.prepare("SELECT name FROM pragma_table_info('tasks')").pluck().all();
    const specRows = migrated.prepare('SELECT COUNT(*) FROM task_specs').pluck().get();
    migrated.close();
    expect(columns).not.toContain('spec');
    // Only the deleted run's specs went with it.
    expect(specRows).toBe(later.plan.tasks.length);
  });

  it('migrates a vacuumed version-6 store of several runs, each spec staying with its own task', () => {
    const path = freshPath();
    const db = new Database(path);
    for (const migration of MIGRATIONS.filter((step) => step.version <= 6)) db.exec(migration.sql);
    db.pragma('user_version = 6');
    const oldTask = db.prepare(
      `INSERT INTO tasks (handle, run_id, idx, task_id, spec, status, queued_at, turns, input_tokens, output_tokens, retries, retry_wait_ms)
       VALUES (?, ?, ?, ?, ?, 'queued', 2, 0, 0, 0, 0, 0)`,
    );
    const runs = ['r1', 'r2', 'r3'].map((runId) => makeRunFixture(runId));
    for (const fixture of runs) {
      const { runId, plan } = fixture;
      const specs = plan.tasks.map((spec) => ({ ...spec, prompt: `${spec.prompt} of ${runId}` }));
      // r2's plan differs from its task rows, so it was stored whole.
      const stored = runId === 'r2' ? plan : { ...plan, tasks: undefined };
      db.prepare(`INSERT INTO runs (run_id, name, plan, dag, status, created_at, cwd) VALUES (?, ?, ?, '{}', 'running', 1, '/x')`).run(
        runId,
        runId,
        JSON.stringify(stored),
      );
      // Rows written out of plan order, so rowids do not follow the runs' indexes.
      for (let index = specs.length - 1; index >= 0; index--) {
        const spec = specs[index];
        if (spec !== undefined) oldTask.run(`${runId}-${spec.id}`, runId, index, spec.id, JSON.stringify(spec));
      }
    }
    db.prepare("DELETE FROM tasks WHERE handle = 'r1-c'").run();
    // VACUUM renumbers the rowids of a table without an INTEGER PRIMARY KEY.
    db.exec('VACUUM');
    db.close();

    const store = open({ path });
    for (const { runId, plan } of runs) {
      const kept = store.listTasks(runId);
      expect(kept.map((task) => [task.handle, task.spec.id, task.spec.prompt])).toEqual(
        plan.tasks
          .filter((spec) => !(runId === 'r1' && spec.id === 'c'))
          .map((spec) => [`${runId}-${spec.id}`, spec.id, `${spec.prompt} of ${runId}`]),
      );
    }
    expect(store.getRun('r2')?.plan).toEqual(runs[1]?.plan);
    expect(store.getRun('r3')?.plan.tasks.map((spec) => spec.prompt)).toEqual(runs[2]?.plan.tasks.map((spec) => `${spec.prompt} of r3`));
    store.deleteRun('r2');
    seedRun(store, 'r4');
    expect(store.listTasks('r3').map((task) => task.spec.prompt)).toEqual(runs[2]?.plan.tasks.map((spec) => `${spec.prompt} of r3`));
    expect(store.listTasks('r4').map((task) => task.spec)).toEqual(makeRunFixture('r4').plan.tasks);
  });

  it('refuses a store written by a newer schema', () => {
    const path = freshPath();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expectStoreError(() => open({ path }), `schema version ${SCHEMA_VERSION + 1}`);
  });

  it('refuses to open a file that is not a SQLite database, naming it', () => {
    const path = freshPath();
    writeFileSync(path, 'this is not a database, just text that is long enough to be read as a header\n'.repeat(20));
    expectStoreError(() => open({ path }), path);
  });

  it('refuses a path in a missing directory, and a home that cannot be created', () => {
    const missing = join(dir, 'no-such-dir', 'fanout.db');
    expectStoreError(() => open({ path: missing }), missing);
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expectStoreError(() => openRunStore(join(file, 'home')), join(file, 'home'));
  });

  it('opens home/fanout.db, creating the home directory', () => {
    const home = join(dir, 'nested', 'home');
    const store = openRunStore(home);
    opened.push(store);
    expect(store.path).toBe(join(home, 'fanout.db'));
    seedRun(store, 'r1');
    expect(store.getRun('r1')?.name).toBe('review r1');
  });

  it('reports a row whose JSON does not parse, naming the table and key', () => {
    const path = freshPath();
    const store = open({ path });
    seedRun(store, 'r1');
    store.flush();
    const db = new Database(path);
    db.prepare("UPDATE runs SET plan = '{oops' WHERE run_id = 'r1'").run();
    db.prepare("UPDATE task_specs SET spec = '[1]' WHERE id = (SELECT spec_id FROM tasks WHERE handle = 'r1-b')").run();
    db.prepare("DELETE FROM task_specs WHERE id = (SELECT spec_id FROM tasks WHERE handle = 'r1-c')").run();
    db.prepare("INSERT INTO event_pages (run_id, first_seq, last_seq, events) VALUES ('r1', 1, 1, '[{\"seq\":1}]')").run();
    db.close();
    expectStoreError(() => store.getRun('r1'), 'runs (run_id = r1): column plan is not valid JSON');
    expectStoreError(() => store.listTasks('r1'), 'of task r1-b: column spec should hold a JSON object');
    expectStoreError(() => store.getTask('r1-c'), 'of task r1-c: column spec should be text');
    expectStoreError(() => store.listEvents('r1'), 'event_pages (run_id, first_seq = r1, 1): column events holds an event without');
  });

  it('caps outputs at maxOutputBytes', () => {
    const store = open({ path: freshPath(), maxOutputBytes: 5 });
    seedRun(store, 'r1');
    store.setOutput({ handle: 'r1-a', text: 'abcd€', truncated: false });
    expect(store.getOutput('r1-a')).toEqual({ handle: 'r1-a', text: 'abcd', truncated: true });
  });

  it('reports a lost batch at the next call instead of crashing the process', async () => {
    const path = freshPath();
    const store = open({ path });
    seedRun(store, 'r1');
    store.appendEvent({ type: 'task-start', runId: 'r1', at: 1, id: 'a', handle: 'r1-a' });
    store.flush();
    // Another process appended to r1 behind this one's back: the next seq collides.
    const db = new Database(path);
    db.prepare("INSERT INTO event_pages (run_id, first_seq, last_seq, events) VALUES ('r1', 2, 2, '[]')").run();
    db.close();
    store.appendEvent({ type: 'task-start', runId: 'r1', at: 1, id: 'a', handle: 'r1-a' });
    await new Promise((resolve) => setImmediate(resolve));
    expectStoreError(() => store.getRun('r1'), '1 writes were lost');
    expect(store.getRun('r1')?.runId).toBe('r1');
  });

  it('rejects a value SQLite cannot store in the call that gives it, keeping the other writes', () => {
    const store = open({ path: freshPath() });
    seedRun(store, 'r1');
    store.updateTask('r1-a', { turns: 2 });
    expect(isFanoutError(thrownBy(() => store.updateTask('r1-a', { retries: true } as never)), 'INTERNAL')).toBe(true);
    store.flush();
    expect(store.getTask('r1-a')).toMatchObject({ turns: 2, retries: 0 });
  });

  it('writes a row changed twice in one tick as one statement holding both changes', () => {
    const path = freshPath();
    const store = open({ path });
    seedRun(store, 'r1');
    store.flush();
    // Triggers fire once per row each statement writes: the log counts the statements that reached the file.
    const observer = new Database(path);
    observer.exec(`
      CREATE TABLE statement_log (id INTEGER PRIMARY KEY, what TEXT NOT NULL);
      CREATE TRIGGER log_task_update AFTER UPDATE ON tasks BEGIN INSERT INTO statement_log (what) VALUES ('task ' || NEW.handle); END;
      CREATE TRIGGER log_todo_write AFTER INSERT ON todos BEGIN INSERT INTO statement_log (what) VALUES ('todo ' || NEW.position); END;
    `);
    const statements = (): string[] => observer.prepare('SELECT what FROM statement_log ORDER BY id').pluck().all() as string[];
    store.updateTask('r1-a', { status: 'running', startedAt: 5, waitReason: 'concurrency' });
    store.updateTask('r1-a', { turns: 2, waitReason: undefined });
    store.setTodo('r1', 0, { id: 'a', content: 'A', status: 'in_progress', handle: 'r1-a' });
    store.setTodo('r1', 0, { id: 'a', content: 'A', status: 'completed', handle: 'r1-a' });
    store.flush();
    const reader = open({ path, readonly: true });
    const task = reader.getTask('r1-a');
    expect(task).toMatchObject({ status: 'running', startedAt: 5, turns: 2 });
    expect(task?.waitReason).toBeUndefined();
    expect(reader.listTodos('r1')).toEqual([{ id: 'a', content: 'A', status: 'completed', handle: 'r1-a' }]);
    expect(statements()).toEqual(['task r1-a', 'todo 0']);
    // A change after the flush is a new statement, not folded into the applied one.
    store.updateTask('r1-a', { status: 'succeeded' });
    store.flush();
    expect(reader.getTask('r1-a')).toMatchObject({ status: 'succeeded', startedAt: 5, turns: 2 });
    expect(statements()).toEqual(['task r1-a', 'todo 0', 'task r1-a']);
    observer.close();
  });

  it('rejects a run id that already exists in the file, from another instance', () => {
    const path = freshPath();
    seedRun(open({ path }), 'r1');
    const other = open({ path });
    expectStoreError(() => other.createRun(makeRunFixture('r1'), []), 'could not create run r1');
  });
});

describe('openRunStore file modes', () => {
  it('creates the home directory 0700 and the database and its WAL files 0600', () => {
    const parent = mkdtempSync(join(tmpdir(), 'fanout-modes-'));
    const home = join(parent, 'home');
    try {
      const store = openRunStore(home);
      try {
        expect(statSync(home).mode & 0o777).toBe(0o700);
        for (const name of readdirSync(home)) expect([name, statSync(join(home, name)).mode & 0o777]).toEqual([name, 0o600]);
        expect(readdirSync(home)).toContain('fanout.db');
      } finally {
        store.close();
      }
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('SqliteRunStore plan storage', () => {
  it('stores a plan once: its tasks live in the task rows, and come back with the run', () => {
    const path = freshPath();
    const store = new SqliteRunStore({ path });
    try {
      const { run } = seedRun(store, 'r1');
      store.flush();
      const raw = new Database(path, { readonly: true });
      try {
        const stored = JSON.parse((raw.prepare('SELECT plan FROM runs WHERE run_id = ?').get('r1') as { plan: string }).plan) as object;
        expect(stored).not.toHaveProperty('tasks');
      } finally {
        raw.close();
      }
      expect(store.getRun('r1')?.plan).toEqual(run.plan);
      expect(store.listRuns()[0]?.plan).toEqual(run.plan);
    } finally {
      store.close();
    }
  });
});

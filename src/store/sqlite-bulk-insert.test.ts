import { afterEach, describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import type { RunRecord, TaskRecord } from '../contracts/records.js';
import { ROWS_PER_INSERT } from './sqlite-bulk-insert.js';
import { SqliteRunStore } from './sqlite-run-store.js';
import { makeRunFixture, makeTaskFixture, seedRun } from './test-support/run-fixtures.js';

const opened: SqliteRunStore[] = [];
const open = (): SqliteRunStore => {
  const store = new SqliteRunStore({ path: ':memory:' });
  opened.push(store);
  return store;
};
afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

/** A run of `count` tasks, each with a spec of its own, their handles `<runId>-<index>`. */
function manyTaskRun(runId: string, count: number): { run: RunRecord; tasks: TaskRecord[] } {
  const base = makeRunFixture(runId);
  const specs = Array.from({ length: count }, (_, index) => ({ id: `t${index}`, prompt: `Look at ${index}` }));
  const run = { ...base, plan: { ...base.plan, tasks: specs } };
  return { run, tasks: specs.map((_, index) => ({ ...makeTaskFixture(run, index), handle: `${runId}-${index}` })) };
}

describe('createRun of many tasks (rows inserted many a statement)', () => {
  it('stores each task with its own spec, numbering specs after the newest kept one when later ones were deleted', () => {
    const store = open();
    seedRun(store, 'kept');
    // The newest specs go with it: the next ids are numbered from the kept run's.
    seedRun(store, 'gone');
    store.deleteRun('gone');
    // Two whole batches of ROWS_PER_INSERT rows and a rest inserted one by one.
    const { run, tasks } = manyTaskRun('big', ROWS_PER_INSERT * 2 + 3);
    store.createRun(run, tasks);
    expect(store.listTasks('big')).toEqual(tasks);
    expect(store.getRun('big')?.plan).toEqual(run.plan);
    expect(store.listTasks('kept').map((task) => task.spec)).toEqual(makeRunFixture('kept').plan.tasks);
  });

  it('creates nothing of a run when a task row in a later batch fails', () => {
    const store = open();
    seedRun(store, 'r1');
    const { run, tasks } = manyTaskRun('r2', ROWS_PER_INSERT + 1);
    // The last task, inserted after the first batch went in, reuses a handle of run r1.
    tasks[ROWS_PER_INSERT] = { ...tasks[ROWS_PER_INSERT]!, handle: 'r1-a' };
    let error: unknown;
    try {
      store.createRun(run, tasks);
    } catch (thrown) {
      error = thrown;
    }
    expect(isFanoutError(error, 'STORE_ERROR'), String(error)).toBe(true);
    expect((error as Error).message).toContain('could not create run r2');
    expect(store.getRun('r2')).toBeUndefined();
    expect(store.getTask('r2-0')).toBeUndefined();
    expect(store.listTasks('r1')).toHaveLength(3);
  });
});

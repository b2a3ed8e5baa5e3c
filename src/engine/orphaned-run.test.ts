import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MemoryRunStore } from '../store/memory-run-store.js';
import { settleOrphanedRun } from './orphaned-run.js';
import { newRunRecords } from './run-records.js';
import { readTodos } from './todo-list.js';
import type { RunRecord } from '../contracts/records.js';

const T = 1_700_000_000_000;

function storedRun(patch: Partial<RunRecord>): { store: MemoryRunStore; run: RunRecord } {
  const store = new MemoryRunStore();
  const plan = { tasks: [{ id: 'a', prompt: 'a' }] };
  const dag = { tasks: ['a'], edges: [], conflicts: [], order: ['a'], criticalPath: ['a'], levels: [['a']] };
  const { run, tasks } = newRunRecords({ plan, dag, now: T, cwd: '/w', executing: false });
  store.createRun({ ...run, ...patch }, tasks);
  return { store, run: store.getRun(run.runId) as RunRecord };
}

describe('settleOrphanedRun', () => {
  it('leaves a run alone while its process lives, once it has ended, and before any process ran it', () => {
    for (const patch of [{ pid: process.pid, startedAt: T }, { pid: 1 << 22, status: 'succeeded' as const }, {}]) {
      const { store, run } = storedRun(patch);
      expect(settleOrphanedRun(store, run, T + 1000)).toBe(run);
      expect(store.listTasks(run.runId).map((task) => task.status)).toEqual(['queued']);
      expect(readTodos(store, run.runId, store.listTasks(run.runId)).map((item) => item.status)).toEqual(['pending', 'pending']);
    }
  });

  it('ends a run that recorded no event yet at its start, its last sign of life', () => {
    const pid = spawnSync(process.execPath, ['-e', '']).pid ?? 0;
    const { store, run } = storedRun({ pid, startedAt: T });
    expect(settleOrphanedRun(store, run, T + 1000)).toMatchObject({ status: 'interrupted', endedAt: T });
    expect(store.listTasks(run.runId)).toEqual([expect.objectContaining({ status: 'stopped', endedAt: T })]);
    expect(readTodos(store, run.runId, store.listTasks(run.runId)).map((item) => item.status)).toEqual(['stopped', 'stopped']);
  });
});

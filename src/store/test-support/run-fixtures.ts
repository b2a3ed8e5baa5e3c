import type { RunRecord, TaskRecord } from '../../contracts/records.js';
import type { RunStore } from '../../contracts/run-store.js';

/** A run record with every field a store must keep (tasks `a`, `b`, `c`; `b` depends on `a`). */
export function makeRunFixture(runId: string, createdAt = 1_700_000_000_000): RunRecord {
  return {
    runId,
    name: `review ${runId}`,
    plan: {
      name: `review ${runId}`,
      concurrency: 4,
      synthesis: 'Merge the findings.',
      tasks: [
        { id: 'a', prompt: 'Look at A', files: ['src/a/**'] },
        { id: 'b', prompt: 'Look at B', dependsOn: ['a'], writes: ['src/b.ts'] },
        { id: 'c', prompt: 'Look at C', outputFormat: { type: 'object', properties: { ok: { type: 'boolean' } } } },
      ],
    },
    dag: {
      tasks: ['a', 'b', 'c'],
      edges: [{ from: 'a', to: 'b', kind: 'dependency' }],
      conflicts: [],
      order: ['a', 'c', 'b'],
      criticalPath: ['a', 'b'],
      levels: [['a', 'c'], ['b']],
    },
    status: 'running',
    createdAt,
    cwd: '/tmp/project',
  };
}

/** The task record of `run`'s task number `index`, freshly queued. */
export function makeTaskFixture(run: RunRecord, index: number): TaskRecord {
  const spec = run.plan.tasks[index];
  if (!spec) throw new Error(`fixture run ${run.runId} has no task ${index}`);
  return {
    handle: `${run.runId}-${spec.id}`,
    runId: run.runId,
    index,
    taskId: spec.id,
    spec,
    status: 'queued',
    queuedAt: run.createdAt + 1,
    turns: 0,
    inputTokens: 0,
    outputTokens: 0,
    retries: 0,
    retryWaitMs: 0,
  };
}

/** Creates a fixture run with its three tasks in `store` and returns them. */
export function seedRun(store: RunStore, runId: string, createdAt?: number): { run: RunRecord; tasks: TaskRecord[] } {
  const run = makeRunFixture(runId, createdAt);
  const tasks = run.plan.tasks.map((_, index) => makeTaskFixture(run, index));
  store.createRun(run, tasks);
  return { run, tasks };
}

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { textResponse } from '../models/scripted-model.js';
import { LEASE_RENEW_MS, LEASE_TTL_MS } from './run-liveness.js';
import { heldStep, task } from './test-support/engine-harness.js';
import { useHarnesses } from './test-support/use-harnesses.js';

const setup = useHarnesses('## Result\nmerged', '## Result\nmerged');

const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid ?? 0;

describe('Fanout.runs and Fanout.status', () => {
  it('finds a run by id, by task handle, or the latest one, with its tasks, todo list and report', async () => {
    const { fanout, model, clock } = setup();
    model('scripted:a', [textResponse('a done')]);
    model('scripted:b', [textResponse('b done')]);
    const first = fanout.spawn([task('a')], { name: 'first' });
    await fanout.wait(first.runId);
    await clock.advance(10);
    const second = fanout.prepare([task('b')], { name: 'second' });

    expect(fanout.runs().map((run) => run.name)).toEqual(['second', 'first']);
    expect(fanout.runs(1).map((run) => run.name)).toEqual(['second']);

    const byId = fanout.status(first.runId);
    expect(byId.run).toMatchObject({ runId: first.runId, status: 'succeeded' });
    expect(byId.tasks.map((record) => [record.taskId, record.status])).toEqual([['a', 'succeeded']]);
    expect(byId.todos.map((item) => item.status)).toEqual(['completed', 'completed']);
    expect(byId.report).toMatchObject({ runId: first.runId, status: 'succeeded', tasks: [expect.objectContaining({ id: 'a' })] });

    expect(fanout.status(first.handles[0]?.handle).run.runId).toBe(first.runId);
    expect(fanout.status().run).toMatchObject({ runId: second.runId, status: 'running' });
    expect(fanout.status().todos.map((item) => item.status)).toEqual(['pending', 'pending']);
  });

  it('throws NOT_FOUND for an unknown target, and when there is no run yet', () => {
    const { fanout } = setup();
    expect(() => fanout.status()).toThrowError(expect.objectContaining({ code: 'NOT_FOUND', message: 'no runs in the store yet' }));
    expect(() => fanout.status('run-nope')).toThrowError(
      expect.objectContaining({
        code: 'NOT_FOUND',
        message: 'no run or task run-nope in the store (expected a run id or a task handle)',
      }),
    );
    expect(fanout.runs()).toEqual([]);
  });
});

describe('a run whose process died', () => {
  it('is recorded as interrupted, its unfinished tasks stopped at its last sign of life, its todo list to match', async () => {
    const { fanout, model, store, clock } = setup();
    for (const id of ['a', 'b', 'c']) model(`scripted:${id}`, []);
    const { runId, handles } = fanout.prepare([task('a'), task('b'), task('c', { dependsOn: ['b'] })]);
    const [a, b, c] = handles.map((entry) => entry.handle);
    const pid = deadPid();
    const start = clock.now();
    // What the dead process had recorded: a finished, b running, c waiting for b.
    store.updateRun(runId, { startedAt: start, pid });
    store.updateTask(a ?? '', { status: 'succeeded', startedAt: start, endedAt: start + 100 });
    store.updateTask(b ?? '', { status: 'running', startedAt: start + 100 });
    store.setTodo(runId, 0, { id: 'a', content: 'a', status: 'completed', handle: a ?? '' });
    store.setTodo(runId, 1, { id: 'b', content: 'b', status: 'in_progress', handle: b ?? '' });
    store.appendEvent({ type: 'model-call', runId, at: start + 700, id: 'b', handle: b ?? '', turn: 1, inputTokens: 1, outputTokens: 1, durationMs: 600 });
    await clock.advance(3_600_000);

    const view = fanout.status(runId);
    const error = `the run was interrupted before the task finished: its process (pid ${pid}) stopped (killed or crashed)`;
    expect(view.run).toMatchObject({ status: 'interrupted', endedAt: start + 700 });
    expect(view.run.error).toBe(
      `run ${runId} was interrupted: its process (pid ${pid}) stopped before the run finished (no sign of life since ${new Date(start + 700).toISOString()}); continue it with fanout resume ${runId}`,
    );
    expect(view.tasks.map(({ taskId, status, endedAt }) => ({ taskId, status, endedAt }))).toEqual([
      { taskId: 'a', status: 'succeeded', endedAt: start + 100 },
      { taskId: 'b', status: 'stopped', endedAt: start + 700 },
      { taskId: 'c', status: 'stopped', endedAt: start + 700 },
    ]);
    expect(store.getTask(b ?? '')?.error).toBe(error);
    expect(store.getTask(c ?? '')?.error).toBe(error);
    expect(view.todos.map((item) => item.status)).toEqual(['completed', 'stopped', 'stopped', 'stopped']);
    expect(view.report.tasks.find((timing) => timing.id === 'b')?.durationMs).toBe(600);

    // Elapsed times no longer grow, and the run stays as recorded.
    await clock.advance(60_000);
    expect(fanout.status(c).report).toEqual(view.report);
    expect(fanout.runs()[0]).toMatchObject({ runId, status: 'interrupted' });
  });

  it('shows as interrupted in the list of runs, and a wait for it returns at once', async () => {
    const { fanout, model, store, clock } = setup();
    model('scripted:a', []);
    const { runId } = fanout.prepare([task('a')]);
    store.updateRun(runId, { startedAt: clock.now(), pid: deadPid() });
    expect(fanout.runs()[0]).toMatchObject({ runId, status: 'interrupted', endedAt: clock.now() });
    await expect(fanout.wait(runId)).resolves.toMatchObject({ status: 'interrupted', tasks: [expect.objectContaining({ status: 'stopped' })] });
  });

  it('is judged by its lease, not its pid: valid with a pid this process cannot see, expired with a live one', async () => {
    const { fanout, model, store, clock } = setup();
    model('scripted:a', []);
    model('scripted:b', []);
    const start = clock.now();
    const unseen = fanout.prepare([task('a')]).runId;
    const zombie = fanout.prepare([task('b')]).runId;
    // Another PID namespace: the pid means nothing here. A zombie or a reused pid: it exists.
    store.updateRun(unseen, { startedAt: clock.now(), pid: deadPid(), leaseUntil: clock.now() + LEASE_TTL_MS });
    store.updateRun(zombie, { startedAt: clock.now(), pid: process.pid, leaseUntil: clock.now() + LEASE_TTL_MS });
    await clock.advance(LEASE_TTL_MS);
    expect(fanout.status(unseen).run.status).toBe('running');
    store.updateRun(unseen, { leaseUntil: clock.now() + LEASE_TTL_MS });
    await clock.advance(1);
    // Ended at its last sign of life: the lease's last renewal.
    expect(fanout.status(zombie).run).toMatchObject({ status: 'interrupted', endedAt: start });
    expect(fanout.status(unseen).run.status).toBe('running');
  });

  it('stays alive for other processes while its executor renews the lease', async () => {
    const executor = setup();
    const other = setup({ store: executor.store, clock: executor.clock, resolver: executor.resolver });
    const held = heldStep();
    executor.model('scripted:a', [held.step]);
    const { runId } = executor.fanout.spawn([task('a')]);
    expect(executor.store.getRun(runId)?.leaseUntil).toBe(executor.clock.now() + LEASE_TTL_MS);
    await executor.clock.advance(10 * LEASE_TTL_MS);
    expect(executor.store.getRun(runId)?.leaseUntil).toBeGreaterThan(executor.clock.now() + LEASE_TTL_MS - LEASE_RENEW_MS - 1_000);
    expect(other.fanout.status(runId).run.status).toBe('running');
    held.answer();
    await expect(executor.fanout.wait(runId)).resolves.toMatchObject({ status: 'succeeded' });
  });

  it('is left alone while its process lives, and a run executing here is never taken for one', async () => {
    const { fanout, model } = setup();
    const held = heldStep();
    model('scripted:a', [held.step]);
    const { runId } = fanout.spawn([task('a')]);
    expect(fanout.status(runId).run.status).toBe('running');
    expect(fanout.status(runId).tasks[0]?.status).toBe('running');
    held.answer();
    await expect(fanout.wait(runId)).resolves.toMatchObject({ status: 'succeeded' });
  });
});

import { describe, expect, it } from 'vitest';
import { textResponse } from '../models/scripted-model.js';
import { settle } from './manual-clock.js';
import { heldStep, task, type Harness } from './test-support/engine-harness.js';
import { useHarnesses } from './test-support/use-harnesses.js';

const setup = useHarnesses('## Result\nmerged\n## Disagreements\n- none');

function statusOf(harness: Harness, runId: string): Record<string, string> {
  return Object.fromEntries(harness.store.listTasks(runId).map((record) => [record.taskId, record.status]));
}

describe('stop', () => {
  it('stops a running task by handle, skips its dependents and lets its siblings finish', async () => {
    const harness = setup();
    const sibling = heldStep();
    harness.model('scripted:a', [heldStep().step]);
    harness.model('scripted:after', []);
    harness.model('scripted:sibling', [sibling.step]);
    const { runId, handles } = harness.fanout.spawn([task('a'), task('after', { dependsOn: ['a'] }), task('sibling')]);

    await harness.fanout.stop(handles[0]?.handle ?? '');
    expect(statusOf(harness, runId)).toEqual({ a: 'stopped', after: 'skipped', sibling: 'running' });
    expect(harness.store.getTask(handles[0]?.handle ?? '')?.error).toBe('task a stopped by request');
    expect(harness.store.getTask(handles[1]?.handle ?? '')?.error).toBe('dependency a was stopped');

    sibling.answer();
    const result = await harness.fanout.wait(runId);
    expect(statusOf(harness, runId).sibling).toBe('succeeded');
    expect(result.status).toBe('stopped');
  });

  it('stops a queued task before it starts', async () => {
    const harness = setup();
    const first = heldStep();
    harness.model('scripted:a', [first.step]);
    harness.model('scripted:b', []);
    const { runId, handles } = harness.fanout.spawn([task('a'), task('b')], { concurrency: 1 });
    await harness.fanout.stop(handles[1]?.handle ?? '');
    expect(statusOf(harness, runId)).toEqual({ a: 'running', b: 'stopped' });
    first.answer();
    await harness.fanout.wait(runId);
    expect(harness.store.getTask(handles[1]?.handle ?? '')?.startedAt).toBeUndefined();
  });

  it('stops every task of a run by run id, and skips synthesis', async () => {
    const harness = setup();
    harness.model('scripted:a', [heldStep().step]);
    harness.model('scripted:b', []);
    harness.model('scripted:c', [heldStep().step]);
    const { runId } = harness.fanout.spawn([task('a'), task('b', { dependsOn: ['a'] }), task('c')]);
    await harness.fanout.stop(runId);
    expect(statusOf(harness, runId)).toEqual({ a: 'stopped', b: 'stopped', c: 'stopped' });
    const result = await harness.fanout.wait(runId);
    expect(result.status).toBe('stopped');
    expect(harness.eventsOf('synthesis-start')).toEqual([]);
    expect(harness.fanout.todos(runId).map((item) => item.status)).toEqual(['stopped', 'stopped', 'stopped', 'stopped']);
  });

  it('stops the whole run when the spawn signal fires', async () => {
    const harness = setup();
    harness.model('scripted:a', [heldStep().step]);
    harness.model('scripted:b', []);
    const controller = new AbortController();
    const { runId } = harness.fanout.spawn([task('a'), task('b')], { signal: controller.signal, concurrency: 1 });
    controller.abort();
    const result = await harness.fanout.wait(runId);
    expect(result.status).toBe('stopped');
    expect(statusOf(harness, runId)).toEqual({ a: 'stopped', b: 'stopped' });
    expect(harness.store.getRun(runId)?.error).toBe(`run ${runId} stopped: the caller aborted it (AbortSignal)`);
  });

  it('says why the spawn signal fired when its reason does', async () => {
    const harness = setup();
    harness.model('scripted:a', [heldStep().step]);
    const controller = new AbortController();
    const { runId } = harness.fanout.spawn([task('a')], { signal: controller.signal });
    controller.abort(new Error('interrupted by Ctrl-C'));
    await harness.fanout.wait(runId);
    expect(harness.store.getRun(runId)?.error).toBe(`run ${runId} stopped: interrupted by Ctrl-C`);
  });

  it('returns the stopped result from run() when its signal fires', async () => {
    const harness = setup();
    harness.model('scripted:a', [heldStep().step]);
    const controller = new AbortController();
    const pending = harness.fanout.run([task('a')], { signal: controller.signal });
    controller.abort();
    await expect(pending).resolves.toMatchObject({ status: 'stopped', tasks: [expect.objectContaining({ status: 'stopped' })] });
  });

  it('honours a stop request recorded by another instance on the same store at the next poll', async () => {
    const executor = setup({ pollMs: 200 });
    const other = setup({ store: executor.store, clock: executor.clock, resolver: executor.resolver });
    executor.model('scripted:a', [heldStep().step]);
    executor.model('scripted:b', [heldStep().step]);
    const { runId, handles } = executor.fanout.spawn([task('a'), task('b')]);

    await other.fanout.stop(handles[0]?.handle ?? '');
    expect(statusOf(executor, runId)).toEqual({ a: 'running', b: 'running' });
    await executor.clock.advance(200);
    expect(statusOf(executor, runId)).toEqual({ a: 'stopped', b: 'running' });

    await other.fanout.stop(runId);
    await executor.clock.advance(200);
    expect(statusOf(executor, runId)).toEqual({ a: 'stopped', b: 'stopped' });
    expect((await other.fanout.wait(runId)).status).toBe('stopped');
  });

  it('applies stop requests recorded before a prepared run starts', async () => {
    const harness = setup();
    harness.model('scripted:a', []);
    harness.model('scripted:b', [textResponse('b done')]);
    const { runId, handles } = harness.fanout.prepare([task('a'), task('b')]);
    await harness.fanout.stop(handles[0]?.handle ?? '');
    harness.fanout.start(runId);
    const result = await harness.fanout.wait(runId);
    expect(result.tasks.map((record) => record.status)).toEqual(['stopped', 'succeeded']);
  });

  it('throws NOT_FOUND for an unknown target; a finished target resolves as already finished, recording no request', async () => {
    const harness = setup();
    await expect(harness.fanout.stop('task-unknown')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    harness.model('scripted:a', [textResponse('done')]);
    const { runId, handles } = harness.fanout.spawn([task('a')]);
    await harness.fanout.wait(runId);
    const other = setup({ store: harness.store, clock: harness.clock, resolver: harness.resolver });
    const finished = { runId, stopped: 0, alreadyFinished: true };
    await expect(harness.fanout.stop(handles[0]?.handle ?? '')).resolves.toEqual(finished);
    await expect(harness.fanout.stop(runId)).resolves.toEqual(finished);
    await expect(other.fanout.stop(runId)).resolves.toEqual(finished);
    await settle();
    expect(harness.store.listStopRequests(runId, 0)).toEqual([]);
    expect(harness.store.getRun(runId)?.status).toBe('succeeded');
  });

  it('says how many unfinished tasks a stop applied to, here or in another process', async () => {
    const harness = setup();
    const other = setup({ store: harness.store, clock: harness.clock, resolver: harness.resolver });
    harness.model('scripted:a', [textResponse('a done')]);
    harness.model('scripted:b', [heldStep().step]);
    harness.model('scripted:c', [heldStep().step]);
    harness.model('scripted:d', []);
    const { runId, handles } = harness.fanout.spawn([task('a'), task('b'), task('c'), task('d', { dependsOn: ['c'] })]);
    await settle();
    const [, b, c] = handles.map((entry) => entry.handle);
    await expect(harness.fanout.stop(b ?? '')).resolves.toEqual({ runId, stopped: 1, alreadyFinished: false });
    await expect(other.fanout.stop(c ?? '')).resolves.toEqual({ runId, stopped: 1, alreadyFinished: false });
    expect(harness.store.listStopRequests(runId, 0).map((request) => request.target)).toEqual([c]);
    await expect(harness.fanout.stop(runId)).resolves.toEqual({ runId, stopped: 2, alreadyFinished: false });
    expect(statusOf(harness, runId)).toEqual({ a: 'succeeded', b: 'stopped', c: 'stopped', d: 'stopped' });
  });
});

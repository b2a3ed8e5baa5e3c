import { describe, expect, it } from 'vitest';
import { textResponse } from '../models/scripted-model.js';
import { settle } from './manual-clock.js';
import { LEASE_TTL_MS } from './run-liveness.js';
import { heldStep, task } from './test-support/engine-harness.js';
import { useHarnesses } from './test-support/use-harnesses.js';

const setup = useHarnesses('## Result\nmerged\n## Disagreements\n- none');

describe('output', () => {
  it('returns the current status without blocking, and the output once done', async () => {
    const { fanout, model } = setup();
    const held = heldStep();
    model('scripted:a', [held.step]);
    const { runId, handles } = fanout.spawn([task('a')]);
    const handle = handles[0]?.handle ?? '';
    expect(await fanout.output(handle)).toEqual({ handle, runId, taskId: 'a', status: 'running', done: false });

    held.answer('the answer');
    await fanout.wait(runId);
    expect(await fanout.output(handle)).toEqual({
      handle,
      runId,
      taskId: 'a',
      status: 'succeeded',
      done: true,
      output: { handle, text: 'the answer', truncated: false },
    });
  });

  it('blocks until the task ends', async () => {
    const { fanout, model } = setup();
    const held = heldStep();
    model('scripted:a', [held.step]);
    const { handles } = fanout.spawn([task('a')]);
    let settled = false;
    const pending = fanout.output(handles[0]?.handle ?? '', { block: true }).finally(() => {
      settled = true;
    });
    await settle();
    expect(settled).toBe(false);
    held.answer('late answer');
    await expect(pending).resolves.toMatchObject({ status: 'succeeded', done: true, output: { text: 'late answer' } });
  });

  it('gives up blocking after timeoutMs and returns the current status', async () => {
    const { fanout, model, clock } = setup();
    const held = heldStep();
    model('scripted:a', [held.step]);
    const { handles } = fanout.spawn([task('a')]);
    const pending = fanout.output(handles[0]?.handle ?? '', { block: true, timeoutMs: 1000 });
    await clock.advance(1000);
    await expect(pending).resolves.toMatchObject({ status: 'running', done: false });
    held.answer();
  });

  it('rejects with ABORTED when its signal fires while blocking', async () => {
    const { fanout, model } = setup();
    const held = heldStep();
    model('scripted:a', [held.step]);
    const { handles } = fanout.spawn([task('a')]);
    const controller = new AbortController();
    const pending = fanout.output(handles[0]?.handle ?? '', { block: true, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    held.answer();
  });

  it('throws NOT_FOUND for an unknown handle', async () => {
    const { fanout } = setup();
    await expect(fanout.output('task-aaaaaaaaaaaa')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('blocks on a task another instance executes, polling the shared store', async () => {
    const executor = setup({ pollMs: 200 });
    const reader = setup({ store: executor.store, clock: executor.clock, resolver: executor.resolver, pollMs: 200 });
    const held = heldStep();
    executor.model('scripted:a', [held.step]);
    const { runId, handles } = executor.fanout.spawn([task('a')]);
    const pending = reader.fanout.output(handles[0]?.handle ?? '', { block: true });
    const finished = reader.fanout.wait(runId);

    held.answer('from the executor');
    await settle();
    await executor.clock.advance(200);
    await expect(pending).resolves.toMatchObject({ status: 'succeeded', output: { text: 'from the executor' } });
    await expect(finished).resolves.toMatchObject({ status: 'succeeded', synthesis: { text: 'merged' } });
  });

  it('executes a prepared run started by another instance (detach)', async () => {
    const parent = setup();
    const child = setup({ store: parent.store, clock: parent.clock, resolver: parent.resolver });
    parent.model('scripted:a', [textResponse('detached answer')]);
    const { runId, handles } = parent.fanout.prepare([task('a')]);
    expect(parent.store.getRun(runId)).toMatchObject({ status: 'running' });
    expect(parent.store.getRun(runId)?.pid).toBeUndefined();
    expect(parent.store.getTask(handles[0]?.handle ?? '')?.status).toBe('queued');
    expect(parent.fanout.todos(runId).map((item) => item.status)).toEqual(['pending', 'pending']);

    child.fanout.start(runId);
    expect(() => child.fanout.start(runId)).toThrowError(expect.objectContaining({ code: 'OPTION_INVALID' }));
    const result = await child.fanout.wait(runId);
    expect(result.outputs.a?.text).toBe('detached answer');
    expect(parent.store.getRun(runId)?.pid).toBe(process.pid);
    expect(() => child.fanout.start(runId)).toThrowError(expect.objectContaining({ code: 'OPTION_INVALID' }));
  });

  it('reports a task of a run whose lease expired while waiting as stopped, the run as interrupted', async () => {
    const { fanout, model, store, clock } = setup({ pollMs: 200 });
    model('scripted:a', []);
    const { runId, handles } = fanout.prepare([task('a')]);
    const handle = handles[0]?.handle ?? '';
    // Its pid is alive (this process): only the lease can tell that nothing executes the run any more.
    store.updateRun(runId, { startedAt: clock.now(), pid: process.pid, leaseUntil: clock.now() + LEASE_TTL_MS });
    store.updateTask(handle, { status: 'running', startedAt: clock.now() });

    const pending = fanout.output(handle, { block: true });
    await clock.advance(LEASE_TTL_MS);
    expect(store.getTask(handle)?.status).toBe('running');
    await clock.advance(200);
    const result = await pending;
    expect(result).toMatchObject({ status: 'stopped', done: true });
    expect(result.error).toBe(`the run was interrupted before the task finished: its process (pid ${process.pid}) stopped (killed or crashed)`);
    expect(store.getRun(runId)).toMatchObject({ status: 'interrupted', error: expect.stringContaining(`its process (pid ${process.pid}) stopped`) });
    await expect(fanout.wait(runId)).resolves.toMatchObject({ status: 'interrupted' });
  });
});

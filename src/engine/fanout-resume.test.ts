import { describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import { textResponse } from '../models/scripted-model.js';
import { isRunOrphaned, LEASE_TTL_MS } from './run-liveness.js';
import { resetForResume } from './run-resume.js';
import { heldStep, task, type Harness } from './test-support/engine-harness.js';
import { useHarnesses } from './test-support/use-harnesses.js';

const setup = useHarnesses();

const SYNTHESIS = textResponse('## Result\nmerged\n## Disagreements\n- none');

function statusOf(harness: Harness, runId: string): Record<string, string> {
  return Object.fromEntries(harness.store.listTasks(runId).map((record) => [record.taskId, record.status]));
}

function refusal(run: () => unknown): FanoutError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FanoutError);
    return error as FanoutError;
  }
  throw new Error('expected a refusal');
}

/**
 * A run whose process was killed: `a` had succeeded (its output stored), `b`
 * was running, `c` waits for `b`; the lease was renewed at `start` and then
 * never again.
 */
function killedRun(harness: Harness): { runId: string; handles: Record<string, string>; start: number } {
  const { fanout, store, clock } = harness;
  // `a` has no step left: calling its model again would fail the run.
  harness.model('scripted:a', []);
  harness.model('scripted:b', [textResponse('b again')]);
  harness.model('scripted:c', [textResponse('c at last')]);
  harness.model('scripted:synthesis', [SYNTHESIS]);
  const { runId, handles } = fanout.prepare([task('a'), task('b'), task('c', { dependsOn: ['b'] })]);
  const byId = Object.fromEntries(handles.map((entry) => [entry.id, entry.handle]));
  const start = clock.now();
  store.updateRun(runId, { startedAt: start, pid: process.pid, leaseUntil: start + LEASE_TTL_MS });
  store.updateTask(byId.a ?? '', { status: 'succeeded', startedAt: start, endedAt: start + 1_000, turns: 1 });
  store.setOutput({ handle: byId.a ?? '', text: 'a from the first attempt', truncated: false });
  store.updateTask(byId.b ?? '', { status: 'running', startedAt: start + 1_000, turns: 3 });
  return { runId, handles: byId, start };
}

describe('resume', () => {
  it('continues a killed run in place: succeeded tasks kept, the others run, synthesis, same handles, attempts counted', async () => {
    const harness = setup();
    const { fanout, clock } = harness;
    const { runId, handles, start } = killedRun(harness);
    await clock.advance(LEASE_TTL_MS + 60_000);
    expect(fanout.status(runId).run.status).toBe('interrupted');

    const a = harness.resolver.resolve('scripted:a');
    const resumedAt = clock.now();
    const spawned = fanout.resume(runId);
    expect(spawned.handles).toEqual([
      { id: 'a', handle: handles.a },
      { id: 'b', handle: handles.b },
      { id: 'c', handle: handles.c },
    ]);
    const result = await fanout.wait(runId);
    expect(result.status).toBe('succeeded');
    expect(a.requests).toHaveLength(0);
    expect(result.outputs.a?.text).toBe('a from the first attempt');
    expect(result.outputs.b?.text).toBe('b again');
    expect(result.outputs.c?.text).toBe('c at last');
    expect(result.synthesis?.text).toContain('merged');
    expect(result.tasks.find((record) => record.taskId === 'b')).toMatchObject({ turns: 1, startedAt: resumedAt });
    expect(fanout.todos(runId).map((item) => item.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const run = harness.store.getRun(runId);
    expect(run?.attempts).toEqual([expect.objectContaining({ startedAt: start, endedAt: start, status: 'interrupted' })]);
    expect(run?.startedAt).toBe(resumedAt);
    expect(result.report.resumed).toEqual({ attempts: 2, executingMs: (run?.endedAt ?? 0) - resumedAt });
  });

  it('refuses a run whose lease is valid in one line, and a run that succeeded', async () => {
    const harness = setup();
    const { runId } = killedRun(harness);
    await harness.clock.advance(10_000);
    const live = refusal(() => harness.fanout.resume(runId));
    expect(live.code).toBe('OPTION_INVALID');
    expect(live.message).toBe(
      `run ${runId} is still running: its process (pid ${process.pid}) holds its lease for 20 s more; stop it first (fanout stop ${runId}) or wait for it`,
    );
    expect(harness.store.getRun(runId)?.status).toBe('running');

    harness.model('scripted:solo', [textResponse('done')]);
    const done = harness.fanout.spawn([task('solo')]).runId;
    await harness.fanout.wait(done);
    expect(refusal(() => harness.fanout.resume(done)).message).toBe(`run ${done} already succeeded: nothing to resume`);
    expect(refusal(() => harness.fanout.resume('run-nope')).code).toBe('NOT_FOUND');
  });

  it('continues a stopped run without obeying the stop that ended it, re-queuing the dependents it skipped', async () => {
    const harness = setup();
    const { fanout } = harness;
    harness.model('scripted:a', [heldStep().step, textResponse('a second time')]);
    harness.model('scripted:after', [textResponse('after a')]);
    harness.model('scripted:done', [textResponse('done early')]);
    harness.model('scripted:synthesis', [SYNTHESIS]);
    const { runId } = fanout.spawn([task('a'), task('after', { dependsOn: ['a'] }), task('done')]);
    await harness.clock.advance(0);
    await fanout.stop(runId);
    expect(statusOf(harness, runId)).toEqual({ a: 'stopped', after: 'stopped', done: 'succeeded' });

    const done = harness.resolver.models.get('scripted:done');
    fanout.resume(runId);
    // The stop request that ended the first attempt is in the store; the resumed run is past it.
    await harness.clock.advance(1_000);
    const result = await fanout.wait(runId);
    expect(result.status).toBe('succeeded');
    expect(statusOf(harness, runId)).toEqual({ a: 'succeeded', after: 'succeeded', done: 'succeeded' });
    expect(done?.requests).toHaveLength(1);
    expect(result.report.resumed?.attempts).toBe(2);
  });

  it('runs only the synthesis of a run whose tasks all succeeded and whose synthesis failed', async () => {
    const harness = setup();
    const { fanout } = harness;
    harness.model('scripted:a', [textResponse('only a')]);
    harness.model('scripted:synthesis', [{ error: new FanoutError('MODEL_ERROR', 'model scripted:synthesis: HTTP 400') }]);
    const { runId } = fanout.spawn([task('a')]);
    expect((await fanout.wait(runId)).status).toBe('failed');

    harness.model('scripted:synthesis', [SYNTHESIS]);
    fanout.resume(runId);
    const result = await fanout.wait(runId);
    expect(result).toMatchObject({ status: 'succeeded', synthesis: expect.objectContaining({ text: expect.stringContaining('merged') }) });
    expect(harness.resolver.models.get('scripted:a')?.requests).toHaveLength(1);
  });

  it('claims the run with a fresh lease in the write that makes it running, so no reader settles it interrupted before it begins', async () => {
    const harness = setup();
    const { store, clock } = harness;
    const { runId } = killedRun(harness);
    await clock.advance(LEASE_TTL_MS + 60_000);
    const killed = harness.fanout.status(runId).run;
    const now = clock.now();
    resetForResume(store, killed, now, now + LEASE_TTL_MS);
    // What another process reads between the reset and the execution's first lease renewal.
    const stored = store.getRun(runId);
    expect(stored).toMatchObject({ status: 'running', startedAt: now, pid: process.pid, leaseUntil: now + LEASE_TTL_MS });
    expect(isRunOrphaned(stored ?? killed, now + 1)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import type { ModelRequest } from '../contracts/model.js';
import { textResponse, toolResponse } from '../models/scripted-model.js';
import { settle } from './manual-clock.js';
import { deferred, heldStep, task } from './test-support/engine-harness.js';
import { useHarnesses } from './test-support/use-harnesses.js';

const setup = useHarnesses();

describe('model calls of a run', () => {
  it('waits out a rate limit for retry-after, spending no retry, and pauses the other tasks of the endpoint meanwhile', async () => {
    const harness = setup();
    const { fanout, model, clock, store } = harness;
    const retried = deferred();
    fanout.on((event) => {
      if (event.type === 'rate-limited') retried.resolve();
    });
    model('scripted:a', [
      { error: new FanoutError('MODEL_ERROR', 'rate limited', { retryable: true, status: 429, retryAfterMs: 3000 }) },
      textResponse('a done'),
    ]);
    const b = model('scripted:b', [
      async () => {
        await retried.promise;
        return toolResponse([{ name: 'no_such_tool', input: {} }]);
      },
      textResponse('b done'),
    ]);
    model('scripted:synthesis', [textResponse('## Result\nboth\n## Disagreements\n- none')]);
    const { runId, handles } = fanout.spawn([task('a'), task('b')]);
    await settle();
    expect(b.requests).toHaveLength(1);
    expect(store.getTask(handles[1]?.handle ?? '')?.waitReason).toBe('rate-limit');

    await clock.advance(2999);
    expect(b.requests).toHaveLength(1);
    await clock.advance(1);
    const result = await fanout.wait(runId);
    expect(result.status).toBe('succeeded');
    expect(b.requests).toHaveLength(2);
    expect(result.tasks.map(({ taskId, retries, retryWaitMs, rateLimitWaitMs, turns }) => ({ taskId, retries, retryWaitMs, rateLimitWaitMs, turns }))).toEqual([
      { taskId: 'a', retries: 0, retryWaitMs: 0, rateLimitWaitMs: 3000, turns: 1 },
      { taskId: 'b', retries: 0, retryWaitMs: 0, rateLimitWaitMs: 3000, turns: 2 },
    ]);
    expect(harness.eventsOf('task-retry')).toEqual([]);
    // Both sat out the pause in the gate's queue.
    expect(harness.eventsOf('call-waited').map(({ id, reason, waitedMs }) => [id, reason, waitedMs])).toEqual([
      ['a', 'rate-limit', 3000],
      ['b', 'rate-limit', 3000],
    ]);
    expect(harness.eventsOf('rate-limited')).toEqual([
      expect.objectContaining({ id: 'a', provider: 'scripted', waitMs: 3000, detail: 'HTTP 429 from scripted: waiting 3 s, window 1' }),
    ]);
    expect(harness.eventsOf('rate-window')).toEqual([
      expect.objectContaining({ provider: 'scripted', window: 1, change: 'shrank', reason: 'HTTP 429' }),
    ]);
    expect(harness.eventsOf('tool-call')).toEqual([expect.objectContaining({ id: 'b', tool: 'no_such_tool', ok: false })]);
    expect(harness.eventsOf('model-call').map((event) => [event.id, event.turn])).toEqual([
      ['b', 1],
      ['a', 1],
      ['b', 2],
    ]);
    expect(result.report.diagnostics).toEqual([
      "a waited 3.0 s for its provider's rate limits (rate limit)",
      "b waited 3.0 s for its provider's rate limits (rate limit)",
    ]);
  });

  it('records provider-cap waits when the provider has no free slot', async () => {
    const harness = setup({ providers: { scripted: { maxConcurrent: 1 } } });
    const { fanout, model, store } = harness;
    const a = heldStep();
    model('scripted:a', [a.step]);
    model('scripted:b', [textResponse('b done')]);
    model('scripted:synthesis', [textResponse('## Result\nboth\n## Disagreements\n- none')]);
    const { runId, handles } = fanout.spawn([task('a'), task('b')]);
    await settle();
    expect(store.getTask(handles[1]?.handle ?? '')).toMatchObject({ status: 'running', waitReason: 'provider-cap' });
    expect(harness.eventsOf('task-waiting')).toEqual([
      expect.objectContaining({ id: 'b', reason: 'provider-cap', detail: 'scripted, maxConcurrent 1' }),
    ]);
    await harness.clock.advance(700);
    a.answer();
    const result = await fanout.wait(runId);
    // The wait's end and length are stored, so the timeline can draw it.
    expect(harness.eventsOf('call-waited')).toEqual([
      expect.objectContaining({ id: 'b', reason: 'provider-cap', detail: 'scripted, maxConcurrent 1', waitedMs: 700, at: (result.tasks[1]?.startedAt ?? 0) + 700 }),
    ]);
    // A cap someone set, not a rate limit: said for what it is, with its length (from the call-waited event).
    expect(result.report.diagnostics).toEqual(['b waited 700 ms for a model-call slot of its provider (provider cap)']);
    expect(result.report.tasks[1]).toMatchObject({ rateLimitWaitMs: 700, providerCapWaitMs: 700 });
  });

  it("caps the provider's calls by the plan's providers, as the run records them", async () => {
    const harness = setup();
    const { fanout, model } = harness;
    const a = heldStep();
    model('scripted:a', [a.step]);
    model('scripted:b', [textResponse('b done')]);
    model('scripted:synthesis', [textResponse('## Result\nboth\n## Disagreements\n- none')]);
    const { runId } = fanout.spawn({ providers: { scripted: { maxConcurrent: 2 } }, tasks: [task('a'), task('b')] }, { providers: { scripted: { maxConcurrent: 1, rpm: 100 } } });
    await settle();
    expect(harness.eventsOf('task-waiting')).toEqual([expect.objectContaining({ id: 'b', reason: 'provider-cap', detail: 'scripted, maxConcurrent 1' })]);
    expect(harness.store.getRun(runId)?.plan.providers).toEqual({ scripted: { maxConcurrent: 1, rpm: 100 } });
    a.answer();
    await expect(fanout.wait(runId)).resolves.toMatchObject({ status: 'succeeded' });
  });

  it('fails a task whose model error is not retryable, with the error on the record', async () => {
    const harness = setup();
    const { fanout, model } = harness;
    model('scripted:a', [{ error: new FanoutError('MODEL_ERROR', 'invalid api key', { status: 401 }) }]);
    model('scripted:synthesis', []);
    const result = await fanout.run([task('a')]);
    expect(result.tasks[0]).toMatchObject({ status: 'failed', error: 'invalid api key', retries: 0 });
    expect(result.outputs).toEqual({});
    expect(harness.eventsOf('synthesis-start')).toEqual([]);
    expect(harness.fanout.todos(result.runId).map((item) => item.status)).toEqual(['failed', 'skipped']);
  });

  it('passes the rendered prompts, the task limits and its sim options to the agent', async () => {
    const harness = setup();
    const { fanout, model } = harness;
    const a = model('scripted:a', [textResponse('{"ok":true}')]);
    model('scripted:synthesis', [textResponse('## Result\nok\n## Disagreements\n- none')]);
    const result = await fanout.run([
      task('a', {
        role: 'security',
        prompt: 'Audit the login.',
        sim: { latencyMs: 5 },
        outputFormat: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
      }),
    ]);
    expect(a.requests[0]?.system).toContain('security');
    expect(JSON.stringify(a.requests[0]?.messages)).toContain('Audit the login.');
    expect(a.requests[0]?.providerOptions).toEqual({ sim: { latencyMs: 5 } });
    expect(result.outputs.a).toMatchObject({ text: '{"ok":true}', json: { ok: true } });
  });

  it('gives every task its own abort signal: 300 tasks in flight at once print no MaxListenersExceededWarning', async () => {
    const harness = setup();
    const { fanout, model } = harness;
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const release = deferred();
      const signals = new Set<AbortSignal>();
      const step = async (request: ModelRequest) => {
        // The first answer, without rate-limit headers, opens the endpoint's window to the other 299.
        const first = signals.size === 0;
        signals.add(request.signal);
        // What the SDK does for every call in flight.
        request.signal.addEventListener('abort', () => {}, { once: true });
        if (!first) await release.promise;
        return textResponse('done');
      };
      const ids = Array.from({ length: 300 }, (_, index) => `t${index}`);
      model('scripted:shared', ids.map(() => step), 'sim');
      model('scripted:synthesis', []);
      const controller = new AbortController();
      const { runId } = fanout.spawn(
        { synthesis: false, tasks: ids.map((id) => task(id, { model: 'scripted:shared' })) },
        { concurrency: 300, signal: controller.signal },
      );
      await settle();
      expect(signals.size).toBe(300);
      release.resolve();
      await expect(fanout.wait(runId)).resolves.toMatchObject({ status: 'succeeded' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

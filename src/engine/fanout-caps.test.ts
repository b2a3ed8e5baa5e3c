import { describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { textResponse, toolResponse } from '../models/scripted-model.js';
import { createPriceTable } from '../models/pricing.js';
import { settle } from './manual-clock.js';
import { heldStep, task, type Harness, type HarnessOptions } from './test-support/engine-harness.js';
import { useHarnesses } from './test-support/use-harnesses.js';

const listFiles = (inputTokens: number, outputTokens: number) =>
  toolResponse([{ name: 'list_files', input: {} }], { inputTokens, outputTokens });
const merged = '## Result\nmerged\n## Disagreements\n- none';

/** Prices of the scripted models, in USD per million tokens. */
const prices = createPriceTable({
  'scripted:a': { inputPerMTok: 1, outputPerMTok: 4 },
  'scripted:b': { inputPerMTok: 3, outputPerMTok: 15 },
  'scripted:synthesis': { inputPerMTok: 0.5, outputPerMTok: 1 },
});

let harness: Harness;
const makeHarness = useHarnesses();

function setup(options: HarnessOptions = {}): Harness {
  harness = makeHarness(options);
  return harness;
}

describe('caps of one task', () => {
  it('stops at maxTokens after the call that reaches it, asking for fewer tokens once less than the default is left', async () => {
    const { fanout, model } = setup();
    const a = model('scripted:a', [listFiles(1000, 500), listFiles(3000, 710), textResponse('never')]);
    const synthesis = model('scripted:synthesis', []);
    const result = await fanout.run([task('a', { maxTokens: 5000 })]);
    expect(a.requests.map((request) => request.maxTokens)).toEqual([4096, 3500]);
    expect(result.tasks[0]).toMatchObject({
      status: 'limit',
      error: 'maxTokens 5000 reached (5,210 tokens used)',
      turns: 2,
      inputTokens: 4000,
      outputTokens: 1210,
    });
    expect(result.status).toBe('failed');
    expect(synthesis.requests).toEqual([]);
    expect(result.report.diagnostics).toEqual(['a stopped at a cap: maxTokens 5000 reached (5,210 tokens used)']);
  });

  it('stops at budgetUsd with the estimated cost of its calls', async () => {
    const { fanout, model } = setup({ prices });
    model('scripted:a', [listFiles(4000, 1000), listFiles(2000, 500), textResponse('never')]);
    model('scripted:synthesis', []);
    const result = await fanout.run([task('a', { budgetUsd: 0.01 })]);
    expect(result.tasks[0]).toMatchObject({
      status: 'limit',
      error: 'budgetUsd $0.01 reached ($0.012 spent)',
      costUsd: (6000 * 1 + 1500 * 4) / 1_000_000,
    });
  });

  it('stops at maxTurns with tool calls pending', async () => {
    const { fanout, model } = setup();
    model('scripted:a', [listFiles(1, 1), listFiles(1, 1), textResponse('never')]);
    model('scripted:synthesis', []);
    const result = await fanout.run([task('a', { maxTurns: 2 })]);
    expect(result.tasks[0]).toMatchObject({ status: 'limit', error: 'maxTurns 2 reached (2 model calls) before a final answer' });
  });

  it('keeps a final answer whose call crossed the cap: the cap forbids the next call only', async () => {
    const { fanout, model } = setup();
    model('scripted:a', [textResponse('done', { inputTokens: 900, outputTokens: 200 })]);
    model('scripted:synthesis', [textResponse(merged)]);
    const result = await fanout.run([task('a', { maxTokens: 1000 })]);
    expect(result.tasks[0]).toMatchObject({ status: 'succeeded', inputTokens: 900, outputTokens: 200 });
    expect(result.status).toBe('succeeded');
  });
});

describe('caps of the whole run', () => {
  it('maxTokens: running tasks stop with limit, unstarted ones are skipped, no synthesis, the report says so', async () => {
    const { fanout, model, store } = setup();
    model('scripted:a', [listFiles(600, 500), textResponse('never')]);
    const b = heldStep();
    model('scripted:b', [b.step]);
    model('scripted:c', []);
    const synthesis = model('scripted:synthesis', []);
    const reason = 'run maxTokens 1000 reached (1,100 tokens used)';
    const result = await fanout.run({ maxTokens: 1000, concurrency: 2, tasks: [task('a'), task('b'), task('c')] });
    expect(result.tasks.map(({ taskId, status, error }) => ({ taskId, status, error }))).toEqual([
      { taskId: 'a', status: 'limit', error: reason },
      { taskId: 'b', status: 'limit', error: reason },
      { taskId: 'c', status: 'skipped', error: reason },
    ]);
    expect(result.status).toBe('failed');
    expect(store.getRun(result.runId)).toMatchObject({ status: 'failed', error: reason, limit: reason });
    expect(synthesis.requests).toEqual([]);
    expect(fanout.todos(result.runId).map((item) => item.status)).toEqual(['failed', 'failed', 'skipped', 'skipped']);
    expect(result.report.diagnostics).toEqual([
      `the run stopped at a cap: ${reason}; 2 running tasks stopped (limit), 1 task not started skipped, synthesis skipped`,
    ]);
  });

  it('maxTurns counts every model call of the run, and skips the dependents of a stopped task', async () => {
    const { fanout, model } = setup();
    model('scripted:a', [listFiles(1, 1), listFiles(1, 1), listFiles(1, 1), textResponse('never')]);
    model('scripted:b', []);
    model('scripted:synthesis', []);
    const result = await fanout.run({ maxTurns: 3, tasks: [task('a'), task('b', { dependsOn: ['a'] })] });
    expect(result.tasks.map(({ status, error, turns }) => ({ status, error, turns }))).toEqual([
      { status: 'limit', error: 'run maxTurns 3 reached (3 model calls)', turns: 3 },
      { status: 'skipped', error: 'run maxTurns 3 reached (3 model calls)', turns: 0 },
    ]);
  });

  it('budgetUsd counts every task, and the synthesis needs room too', async () => {
    const { fanout, model } = setup({ prices });
    model('scripted:a', [textResponse('a done', { inputTokens: 4000, outputTokens: 1000 })]);
    model('scripted:b', [textResponse('b done', { inputTokens: 1000, outputTokens: 100 })]);
    const synthesis = model('scripted:synthesis', []);
    const result = await fanout.run({ budgetUsd: 0.01, tasks: [task('a'), task('b', { dependsOn: ['a'] })] });
    expect(result.tasks.map((record) => record.status)).toEqual(['succeeded', 'succeeded']);
    expect(result.status).toBe('failed');
    expect(harness.store.getRun(result.runId)?.limit).toBe('run budgetUsd $0.01 reached ($0.0125 spent)');
    expect(synthesis.requests).toEqual([]);
    expect(result.report.diagnostics).toEqual([
      'the run stopped at a cap: run budgetUsd $0.01 reached ($0.0125 spent); synthesis skipped',
    ]);
  });

  it('timeoutMs: measured on the injected clock from the start of the run', async () => {
    const { fanout, model, clock } = setup();
    model('scripted:a', [heldStep().step]);
    model('scripted:b', []);
    model('scripted:synthesis', []);
    const { runId } = fanout.spawn({ timeoutMs: 10_000, concurrency: 1, tasks: [task('a'), task('b')] });
    await clock.advance(9_999);
    expect(fanout.todos(runId).map((item) => item.status)).toEqual(['in_progress', 'pending', 'pending']);
    await clock.advance(1);
    const result = await fanout.wait(runId);
    const reason = 'run timeoutMs 10000 reached (10,000 ms elapsed)';
    expect(result.tasks.map(({ status, error }) => ({ status, error }))).toEqual([
      { status: 'limit', error: reason },
      { status: 'skipped', error: reason },
    ]);
    expect(result).toMatchObject({ status: 'failed' });
    expect(clock.pendingTimers).toBe(0);
  });

  it('timeoutMs: a jump of the wall clock neither ends the run early nor stretches its limit', async () => {
    const { fanout, model, clock } = setup();
    model('scripted:a', [heldStep().step]);
    model('scripted:synthesis', []);
    const { runId } = fanout.spawn({ timeoutMs: 10_000, tasks: [task('a')] });
    // The machine slept for an hour, then NTP stepped the clock two hours back.
    clock.jumpWall(3_600_000);
    await clock.advance(5_000);
    expect(fanout.status(runId).run.status).toBe('running');
    clock.jumpWall(-7_200_000);
    await clock.advance(4_999);
    expect(fanout.status(runId).run.status).toBe('running');
    await clock.advance(1);
    const result = await fanout.wait(runId);
    expect(result.tasks.map(({ status, error }) => ({ status, error }))).toEqual([{ status: 'limit', error: 'run timeoutMs 10000 reached (10,000 ms elapsed)' }]);
  });

  it('timeoutMs cuts a synthesis short', async () => {
    const { fanout, model, clock } = setup();
    model('scripted:a', [textResponse('a done')]);
    const held = heldStep();
    model('scripted:synthesis', [held.step]);
    const { runId } = fanout.spawn({ timeoutMs: 10_000, tasks: [task('a')] });
    await held.called;
    await clock.advance(10_000);
    const result = await fanout.wait(runId);
    expect(result.status).toBe('failed');
    expect(harness.store.getRun(runId)?.error).toBe('run timeoutMs 10000 reached (10,000 ms elapsed)');
    expect(harness.eventsOf('synthesis-end')).toEqual([
      expect.objectContaining({ ok: false, error: 'run timeoutMs 10000 reached (10,000 ms elapsed)' }),
    ]);
  });

  it("asks each call of a task for no more tokens than the smaller of the task's room and the run's", async () => {
    const { fanout, model } = setup();
    const a = model('scripted:a', [listFiles(1000, 500), listFiles(500, 100), textResponse('a done', { inputTokens: 10, outputTokens: 5 })]);
    const b = model('scripted:b', [listFiles(1000, 500), textResponse('b done', { inputTokens: 10, outputTokens: 5 })]);
    const c = model('scripted:c', [textResponse('c done', { inputTokens: 10, outputTokens: 5 })]);
    model('scripted:synthesis', [textResponse(merged)]);
    const result = await fanout.run({
      maxTokens: 5000,
      concurrency: 1,
      tasks: [task('a', { maxTokens: 9000 }), task('b', { maxTokens: 2500 }), task('c')],
    });
    expect(result.tasks.map((record) => record.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // a: the run's room is the smaller (5,000, 3,500, 2,900 left); b: its own (2,500, 1,000 left); c: the run's alone.
    expect(a.requests.map((request) => request.maxTokens)).toEqual([4096, 3500, 2900]);
    expect(b.requests.map((request) => request.maxTokens)).toEqual([2500, 1000]);
    expect(c.requests.map((request) => request.maxTokens)).toEqual([1370]);
  });

  it('gives the synthesis call no more output tokens than the run has left', async () => {
    const { fanout, model } = setup();
    model('scripted:a', [textResponse('a done', { inputTokens: 10, outputTokens: 5 })]);
    const synthesis = model('scripted:synthesis', [textResponse(merged)]);
    const result = await fanout.run({ maxTokens: 5000, tasks: [task('a')] });
    expect(result.status).toBe('succeeded');
    expect(synthesis.requests[0]?.maxTokens).toBe(4985);
  });

  it('ends a run without caps as before: no timers, no limit', async () => {
    const { fanout, model, clock } = setup();
    model('scripted:a', [textResponse('a done')]);
    model('scripted:synthesis', [textResponse(merged)]);
    const result = await fanout.run([task('a')]);
    await settle();
    expect(result.status).toBe('succeeded');
    expect(harness.store.getRun(result.runId)).not.toHaveProperty('limit');
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('estimated cost', () => {
  it('prices every call of every task and the synthesis with the price table given', async () => {
    const { fanout, model, store } = setup({ prices });
    model('scripted:a', [listFiles(100, 20), textResponse('a done', { inputTokens: 200, outputTokens: 30 })]);
    model('scripted:b', [textResponse('b done', { inputTokens: 1000, outputTokens: 100 })]);
    model('scripted:synthesis', [textResponse(merged, { inputTokens: 70, outputTokens: 9 })]);
    const result = await fanout.run([task('a'), task('b')]);
    const a = (300 * 1 + 50 * 4) / 1_000_000;
    const b = (1000 * 3 + 100 * 15) / 1_000_000;
    const synthesis = (70 * 0.5 + 9 * 1) / 1_000_000;
    expect(result.tasks.map((record) => record.costUsd)).toEqual([a, b]);
    expect(store.listTasks(result.runId).map((record) => record.costUsd)).toEqual([a, b]);
    expect(result.synthesis?.costUsd).toBe(synthesis);
    expect(result.report.tasks.map((timing) => timing.costUsd)).toEqual([a, b]);
    expect(result.report.costUsd).toBeCloseTo(a + b + synthesis, 12);
  });

  it('records a cost of 0 from the start for priced models, and none for models without a price', async () => {
    const { fanout, model, store } = setup({ prices: createPriceTable({ 'scripted:a': { inputPerMTok: 1, outputPerMTok: 1 } }) });
    model('scripted:a', [heldStep().step]);
    model('scripted:b', [textResponse('b done')]);
    model('scripted:synthesis', []);
    const { runId, handles } = fanout.spawn([task('a'), task('b')]);
    expect(store.getTask(handles[0]?.handle ?? '')?.costUsd).toBe(0);
    await settle();
    const report = fanout.report(runId);
    expect(report.tasks.map((timing) => timing.costUsd)).toEqual([0, undefined]);
    expect(report.costUsd).toBeUndefined();
    await fanout.stop(runId);
  });
});

describe('budgets need prices', () => {
  it('rejects a task budget on a model without a price, recording nothing', () => {
    const { fanout, model, store } = setup();
    model('scripted:a', []);
    model('scripted:synthesis', []);
    let error: unknown;
    try {
      fanout.spawn([task('x', { model: 'scripted:synthesis' }), task('a', { budgetUsd: 1 })]);
    } catch (thrown) {
      error = thrown;
    }
    expect(isFanoutError(error, 'PLAN_INVALID')).toBe(true);
    expect((error as Error).message).toBe(
      'plan: tasks[1].budgetUsd: no price is known for model "scripted:a" (used by task a), so the budget cannot be enforced; ' +
        'add the model to a price file (see "Caps and prices" in docs/plan-format.md)',
    );
    expect(store.listRuns()).toEqual([]);
    expect(harness.events).toEqual([]);
  });

  it('rejects a run budget when the synthesis model has no price', () => {
    const { fanout, model, store } = setup({ prices: createPriceTable({ 'scripted:a': { inputPerMTok: 1, outputPerMTok: 1 } }) });
    model('scripted:a', []);
    model('scripted:synthesis', []);
    expect(() => fanout.spawn({ budgetUsd: 1, tasks: [task('a')] })).toThrow(
      /^plan: budgetUsd: no price is known for model "scripted:synthesis" \(used by the synthesis\)/,
    );
    expect(store.listRuns()).toEqual([]);
    // A synthesize function makes no model call, so nothing needs a price then.
    expect(() => fanout.prepare({ budgetUsd: 1, tasks: [task('a')] }, { synthesize: async () => 'merged' })).not.toThrow();
  });
});

import { describe, expect, it } from 'vitest';
import { FanoutError, isFanoutError } from '../contracts/errors.js';
import { textResponse } from '../models/scripted-model.js';
import { settle } from './manual-clock.js';
import { useHarnesses } from './test-support/use-harnesses.js';

const validPlan = { name: 'csv', tasks: [{ id: 'export', prompt: 'Write the CSV export.', writes: ['src/export/**'] }] };
const fenced = (value: unknown): string => `\`\`\`json\n${JSON.stringify(value)}\n\`\`\``;

const setup = useHarnesses();

describe('Fanout.plan', () => {
  it('turns a request into a validated plan with one call of the default model, through the provider gate', async () => {
    const harness = setup();
    const { fanout, model, clock } = harness;
    const planner = model('scripted:synthesis', [
      { error: new FanoutError('MODEL_ERROR', 'overloaded', { retryable: true, status: 529, retryAfterMs: 2000 }) },
      textResponse(fenced(validPlan)),
    ]);
    const pending = fanout.plan('Add a CSV export');
    await settle();
    expect(planner.requests).toHaveLength(1);
    await clock.advance(2000);
    await expect(pending).resolves.toEqual(validPlan);
    expect(planner.requests).toHaveLength(2);
    expect(planner.requests[0]).toMatchObject({ tools: [], providerOptions: { sim: { kind: 'planner' } } });
    expect(JSON.stringify(planner.requests[0]?.messages)).toContain('Add a CSV export');
    expect(harness.store.listRuns()).toEqual([]);
  });

  it('uses the model given, and returns the plan repaired after one invalid answer', async () => {
    const harness = setup();
    const { fanout, model } = harness;
    const planner = model('scripted:planner', [
      textResponse(fenced({ tasks: [{ id: 'a', prompt: 'x', dependsOn: ['zz'] }] })),
      textResponse(fenced(validPlan)),
    ]);
    await expect(fanout.plan('Add a CSV export', { model: 'scripted:planner' })).resolves.toEqual(validPlan);
    expect(planner.requests).toHaveLength(2);
    expect(JSON.stringify(planner.requests[1]?.messages.at(-1))).toContain('depends on unknown task');
  });

  it('rejects with one PLAN_INVALID line when the repair is invalid too', async () => {
    const harness = setup();
    harness.model('scripted:synthesis', [textResponse('no plan'), textResponse(fenced({ tasks: [] }))]);
    const error = await harness.fanout.plan('Add a CSV export').catch((thrown: unknown) => thrown);
    expect(isFanoutError(error, 'PLAN_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/^the planner's plan is invalid after one repair: planner: tasks: expected at least one task/);
  });

  it('fails with MODEL_CONFIG for a model that cannot be resolved, and stops when its signal fires', async () => {
    const harness = setup();
    await expect(harness.fanout.plan('x', { model: 'scripted:none' })).rejects.toMatchObject({ code: 'MODEL_CONFIG' });
    harness.model('scripted:synthesis', [textResponse('never')]);
    const controller = new AbortController();
    controller.abort();
    await expect(harness.fanout.plan('x', { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

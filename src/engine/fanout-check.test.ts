import { describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import { createPriceTable } from '../models/pricing.js';
import { ScriptedModel, textResponse, type ScriptedStep } from '../models/scripted-model.js';
import { task, type Harness } from './test-support/engine-harness.js';
import { useHarnesses } from './test-support/use-harnesses.js';

/** A scripted model with an endpoint: its preflight counts calls and fails with `failure`, when given. */
class EndpointModel extends ScriptedModel {
  preflights = 0;
  readonly #failure: FanoutError | undefined;

  constructor(spec: string, steps: ScriptedStep[], failure?: FanoutError) {
    super(steps, { spec });
    this.#failure = failure;
  }

  async preflight(): Promise<void> {
    this.preflights += 1;
    if (this.#failure !== undefined) throw this.#failure;
  }
}

const unreachable = (url: string): FanoutError =>
  new FanoutError('MODEL_CONFIG', `cannot reach ${url} (connection refused)`);

const setup = useHarnesses();

function endpoint(harness: Harness, spec: string, steps: ScriptedStep[] = [], failure?: FanoutError): EndpointModel {
  const model = new EndpointModel(spec, steps, failure);
  harness.resolver.models.set(spec, model);
  return model;
}

const cycle = [task('a', { dependsOn: ['b'] }), task('b', { dependsOn: ['a'] })];

describe('the plan source in error messages', () => {
  it('names the plan file in the errors of spawn, prepare and check', async () => {
    const harness = setup();
    harness.model('scripted:synthesis', []);
    harness.model('scripted:a', []);
    harness.model('scripted:b', []);
    const message = /^cycle\.yaml: tasks: dependency cycle: a → b → a/;
    expect(() => harness.fanout.spawn(cycle, { source: 'cycle.yaml' })).toThrowError(message);
    expect(() => harness.fanout.prepare(cycle, { source: 'cycle.yaml' })).toThrowError(message);
    await expect(harness.fanout.check(cycle, { source: 'cycle.yaml' })).rejects.toThrowError(message);
    expect(() => harness.fanout.spawn({ tasks: [{ id: 'a' } as never] }, { source: 'bad.yaml' })).toThrowError(/^bad\.yaml: tasks\[0\]\.prompt/);
    expect(() => harness.fanout.spawn(cycle)).toThrowError(/^plan: tasks: dependency cycle/);
  });

  it('names the plan file when a budget has no price', () => {
    const harness = setup({ prices: createPriceTable({}) });
    harness.model('scripted:synthesis', []);
    harness.model('scripted:a', []);
    expect(() => harness.fanout.spawn([task('a', { budgetUsd: 1 })], { source: 'budget.yaml' })).toThrowError(
      /^budget\.yaml: tasks\[0\]\.budgetUsd: no price is known for model "scripted:a"/,
    );
  });
});

describe('Fanout.check', () => {
  it('resolves with the checked run and its DAG after one preflight per distinct model, tasks and synthesis, recording nothing', async () => {
    const harness = setup();
    const synthesis = endpoint(harness, 'scripted:synthesis');
    const shared = endpoint(harness, 'scripted:shared');
    const { fanout, store, events } = harness;
    const { dag } = await fanout.check([
      task('a', { model: 'scripted:shared' }),
      task('b', { model: 'scripted:shared', dependsOn: ['a'] }),
    ]);
    expect(dag.levels).toEqual([['a'], ['b']]);
    expect(dag.edges).toEqual([expect.objectContaining({ from: 'a', to: 'b', kind: 'dependency' })]);
    expect([shared.preflights, synthesis.preflights]).toEqual([1, 1]);
    expect(store.listRuns()).toEqual([]);
    expect(events).toEqual([]);
    expect(shared.requests).toEqual([]);
  });

  it('does not preflight the run model when nothing calls it (no synthesis)', async () => {
    const harness = setup();
    const synthesis = endpoint(harness, 'scripted:synthesis', [], unreachable('http://127.0.0.1:9/'));
    const a = endpoint(harness, 'scripted:a');
    await harness.fanout.check({ synthesis: false, tasks: [task('a')] });
    await harness.fanout.check([task('a')], { synthesize: async () => 'merged' });
    expect([a.preflights, synthesis.preflights]).toEqual([2, 0]);
  });

  it('rejects with the preflight error of the first unreachable model in plan order, recording nothing', async () => {
    const harness = setup();
    endpoint(harness, 'scripted:synthesis');
    endpoint(harness, 'scripted:a');
    const b = endpoint(harness, 'scripted:b', [], unreachable('http://127.0.0.1:9/b'));
    const c = endpoint(harness, 'scripted:c', [], unreachable('http://127.0.0.1:9/c'));
    await expect(harness.fanout.check([task('a'), task('b'), task('c')])).rejects.toMatchObject({
      code: 'MODEL_CONFIG',
      message: 'cannot reach http://127.0.0.1:9/b (connection refused)',
    });
    // All of them were tried at once, not one after the other.
    expect([b.preflights, c.preflights]).toEqual([1, 1]);
    expect(harness.store.listRuns()).toEqual([]);
  });

  it('rejects what spawn throws, before any preflight', async () => {
    const harness = setup();
    const synthesis = endpoint(harness, 'scripted:synthesis');
    endpoint(harness, 'scripted:a');
    await expect(harness.fanout.check([task('a'), task('unknown-model')], { source: 'plan.yaml' })).rejects.toMatchObject({
      code: 'MODEL_CONFIG',
      message: expect.stringMatching(/^plan\.yaml: tasks\[1\]\.model: /),
    });
    await expect(harness.fanout.check([task('a'), task('a')])).rejects.toMatchObject({ code: 'PLAN_INVALID' });
    expect(synthesis.preflights).toBe(0);
  });
});

describe('Fanout.run and the preflight', () => {
  it('fails before recording anything when a model is unreachable', async () => {
    const harness = setup();
    endpoint(harness, 'scripted:synthesis', [textResponse('merged')]);
    const a = endpoint(harness, 'scripted:a', [textResponse('a done')], unreachable('http://127.0.0.1:9/'));
    await expect(harness.fanout.run([task('a')])).rejects.toMatchObject({ code: 'MODEL_CONFIG' });
    expect(harness.store.listRuns()).toEqual([]);
    expect(harness.events).toEqual([]);
    expect(a.requests).toEqual([]);
  });

  it('runs after every preflight passed; spawn, being synchronous, does not preflight', async () => {
    const harness = setup();
    const synthesis = endpoint(harness, 'scripted:synthesis', [textResponse('## Result\nmerged')]);
    const a = endpoint(harness, 'scripted:a', [textResponse('a done'), textResponse('a again')]);
    await expect(harness.fanout.run([task('a')])).resolves.toMatchObject({ status: 'succeeded' });
    expect([a.preflights, synthesis.preflights]).toEqual([1, 1]);
    harness.fanout.spawn({ synthesis: false, tasks: [task('a')] });
    expect(a.preflights).toBe(1);
  });

  it('runs a checked run without a second preflight', async () => {
    const harness = setup();
    const synthesis = endpoint(harness, 'scripted:synthesis', [textResponse('## Result\nmerged')]);
    const a = endpoint(harness, 'scripted:a', [textResponse('a done')]);
    const checked = await harness.fanout.check([task('a')]);
    await expect(harness.fanout.run(checked)).resolves.toMatchObject({ status: 'succeeded' });
    expect([a.preflights, synthesis.preflights]).toEqual([1, 1]);
  });
});

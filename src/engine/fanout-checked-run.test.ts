import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FanoutEvent } from '../contracts/events.js';
import type { Plan } from '../contracts/plan.js';
import { textResponse } from '../models/scripted-model.js';
import type { CheckedRun } from '../contracts/fanout.js';
import { heldStep, task, type Harness } from './test-support/engine-harness.js';
import { useHarnesses } from './test-support/use-harnesses.js';

const SYNTHESIS_ANSWER = '## Result\nmerged\n## Disagreements\n- none';

let dirs: string[] = [];

/** Counts the resolver's calls from now on. */
function countResolves(harness: Harness): { count: number } {
  const counter = { count: 0 };
  const resolve = harness.resolver.resolve.bind(harness.resolver);
  harness.resolver.resolve = (spec) => {
    counter.count += 1;
    return resolve(spec);
  };
  return counter;
}

function planFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-checked-run-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

// Registered after the removal above: vitest runs afterEach hooks last-first, so the harnesses close before their plan files go.
const setup = useHarnesses(SYNTHESIS_ANSWER);

describe('a checked run', () => {
  it('is spawned as it was checked: its models are not resolved again, its options apply', async () => {
    const harness = setup();
    const { fanout, model, store } = harness;
    model('scripted:a', [textResponse('a done')]);
    const resolves = countResolves(harness);
    const merged: string[] = [];
    const checked = await fanout.check([task('a')], {
      name: 'named',
      concurrency: 1,
      maxTokens: 5000,
      synthesize: async (outputs) => {
        merged.push(...Object.keys(outputs));
        return 'merged here';
      },
    });
    expect(checked.plan).toMatchObject({ concurrency: 1, maxTokens: 5000, tasks: [{ id: 'a', model: 'scripted:a' }] });
    expect(checked.dag.tasks).toEqual(['a']);
    // Scripted models are no simulated model.
    expect(checked.simulated).toBe(false);
    const afterCheck = resolves.count;

    const { runId } = fanout.spawn(checked);
    expect(resolves.count).toBe(afterCheck);
    const result = await fanout.wait(runId);
    expect(result).toMatchObject({ status: 'succeeded', synthesis: { text: 'merged here' } });
    expect(merged).toEqual(['a']);
    expect(store.getRun(runId)).toMatchObject({ name: 'named', plan: { concurrency: 1, maxTokens: 5000 } });
  });

  it('keeps what was checked: its plan is a frozen copy, and changing the given plan afterwards changes nothing', async () => {
    const { fanout, model, store } = setup();
    model('scripted:a', [textResponse('a done')]);
    const plan: Plan = { tasks: [task('a', { outputFormat: { type: 'object', properties: {} } })] };
    const checked = await fanout.check(plan);
    (plan.tasks[0] as { prompt: string }).prompt = 'changed after the check';
    (plan.tasks[0]?.outputFormat as Record<string, unknown>).type = 'string';
    expect(() => {
      (checked.plan.tasks[0] as { prompt: string }).prompt = 'changed through the checked run';
    }).toThrow(TypeError);
    expect(() => (checked.dag.order as string[]).push('x')).toThrow(TypeError);

    const { runId } = fanout.spawn(checked);
    expect(store.listTasks(runId)[0]?.spec).toMatchObject({ prompt: 'Do a.', outputFormat: { type: 'object' } });
    await fanout.wait(runId);
  });

  it('cannot be forged: a look-alike is checked as the plan it claims to be, a copy too', async () => {
    const { fanout, model, store } = setup();
    model('scripted:a', []);
    const checked = await fanout.check([task('a')]);
    const lookAlike = { plan: checked.plan, dag: checked.dag, simulated: false } as unknown as CheckedRun;
    expect(() => fanout.spawn(lookAlike)).toThrowError(expect.objectContaining({ code: 'PLAN_INVALID' }));
    expect(() => fanout.spawn({ ...checked } as unknown as CheckedRun)).toThrowError(expect.objectContaining({ code: 'PLAN_INVALID' }));
    expect(() => fanout.prepare(Object.create(checked) as CheckedRun)).toThrowError(expect.objectContaining({ code: 'PLAN_INVALID' }));
    expect(store.listRuns()).toEqual([]);
  });

  it('is accepted only by the Fanout that checked it', async () => {
    const first = setup();
    const second = setup({ store: first.store, resolver: first.resolver });
    first.model('scripted:a', []);
    const checked = await first.fanout.check([task('a')]);
    expect(() => second.fanout.spawn(checked)).toThrowError(
      expect.objectContaining({ code: 'OPTION_INVALID', message: expect.stringContaining('another Fanout instance') }),
    );
    expect(first.store.listRuns()).toEqual([]);
  });

  it('refuses options the check fixed, naming the option, rather than ignoring them', async () => {
    const { fanout, model, store } = setup();
    model('scripted:a', []);
    const checked = await fanout.check([task('a')]);
    expect(() => fanout.spawn(checked, { concurrency: 2 } as never)).toThrowError(
      expect.objectContaining({ code: 'OPTION_INVALID', message: expect.stringMatching(/^concurrency: a checked run runs as it was checked/) }),
    );
    expect(() => fanout.prepare(checked as never, { name: 'late' })).toThrowError(expect.objectContaining({ code: 'OPTION_INVALID' }));
    await expect(fanout.run(checked, { strict: true } as never)).rejects.toMatchObject({ code: 'OPTION_INVALID' });
    expect(store.listRuns()).toEqual([]);
  });

  it('is prepared as checked, and each spawn of it is a new run', async () => {
    const { fanout, model, store } = setup();
    model('scripted:a', [textResponse('one'), textResponse('two')]);
    const checked = await fanout.check({ synthesis: false, tasks: [task('a')] }, { name: 'twice' });
    const prepared = fanout.prepare(checked);
    expect(store.getRun(prepared.runId)).toMatchObject({ name: 'twice' });
    const spawned = fanout.spawn(checked);
    expect(spawned.runId).not.toBe(prepared.runId);
    expect((await fanout.wait(spawned.runId)).outputs.a?.text).toBe('one');
  });
});

describe('onEvent', () => {
  it("gets every event of its run, from run-start on, and none of another run's", async () => {
    const { fanout, model, events } = setup();
    const held = heldStep();
    model('scripted:a', [textResponse('a done')]);
    model('scripted:other', [held.step]);
    const other = fanout.spawn({ synthesis: false, tasks: [task('other')] });
    const seen: FanoutEvent[] = [];
    const { runId } = fanout.spawn(await fanout.check([task('a')]), { onEvent: (event) => seen.push(event) });
    // Delivered while spawn ran: the caller had no run id yet and needed none.
    expect(seen[0]).toMatchObject({ type: 'run-start', runId });
    await fanout.wait(runId);
    held.answer();
    await fanout.wait(other.runId);
    expect(seen).toEqual(events.filter((event) => event.runId === runId));
    expect(seen.at(-1)).toMatchObject({ type: 'run-end', runId });
  });

  it('is given to spawn with a plan, to run, and to start of a prepared run', async () => {
    const { fanout, model } = setup();
    model('scripted:a', [textResponse('1'), textResponse('2'), textResponse('3')]);
    const plan: Plan = { synthesis: false, tasks: [task('a')] };
    const types = (list: FanoutEvent[]): string[] => list.map((event) => event.type);

    const spawned: FanoutEvent[] = [];
    await fanout.wait(fanout.spawn(plan, { onEvent: (event) => spawned.push(event) }).runId);
    const ran: FanoutEvent[] = [];
    await fanout.run(plan, { onEvent: (event) => ran.push(event) });
    const started: FanoutEvent[] = [];
    const { runId } = fanout.prepare(plan);
    fanout.start(runId, { onEvent: (event) => started.push(event) });
    await fanout.wait(runId);

    for (const list of [spawned, ran, started]) {
      expect(types(list).at(0)).toBe('run-start');
      expect(types(list)).toContain('task-end');
      expect(types(list).at(-1)).toBe('run-end');
    }
  });

  it('a listener that throws does not break the run', async () => {
    const { fanout, model } = setup();
    model('scripted:a', [textResponse('a done')]);
    const { runId } = fanout.spawn([task('a')], {
      onEvent: () => {
        throw new Error('broken view');
      },
    });
    expect((await fanout.wait(runId)).status).toBe('succeeded');
  });
});

describe('a plan given as a file', () => {
  it('is read by check, and named in its errors', async () => {
    const { fanout, model } = setup();
    model('scripted:a', [textResponse('a done')]);
    const good = planFile('good.yaml', 'synthesis: false\ntasks:\n  - id: a\n    prompt: Do a.\n    model: scripted:a\n');
    const checked = await fanout.check(good);
    expect(checked.plan.tasks.map((spec) => spec.id)).toEqual(['a']);
    expect((await fanout.run(checked)).outputs.a?.text).toBe('a done');

    const cycle = planFile('cycle.yaml', 'tasks:\n  - { id: a, prompt: x, dependsOn: [b] }\n  - { id: b, prompt: y, dependsOn: [a] }\n');
    await expect(fanout.check(cycle)).rejects.toThrowError(`${cycle}: tasks: dependency cycle`);
    const bad = planFile('bad.yaml', 'tasks:\n  - id: a\n');
    expect(() => fanout.spawn(bad)).toThrowError(new RegExp(`^${bad.replace(/[.]/g, '\\.')}: tasks\\[0\\]\\.prompt`));
    expect(() => fanout.spawn(join(tmpdir(), 'no-such-plan.yaml'))).toThrowError(/cannot read plan file: file not found/);
  });
});

describe('the run caps given as spawn options', () => {
  it("replace the plan's own, and are checked like it", () => {
    const { fanout, model, store } = setup();
    model('scripted:a', [heldStep().step]);
    const { runId } = fanout.spawn({ maxTokens: 1, tasks: [task('a')] }, { maxTokens: 900, budgetUsd: undefined, timeoutMs: 60_000 });
    expect(store.getRun(runId)?.plan).toMatchObject({ maxTokens: 900, timeoutMs: 60_000 });
    expect(() => fanout.spawn([task('a')], { maxTokens: 1.5 })).toThrowError(/^maxTokens must be an integer >= 1, got 1.5/);
    expect(() => fanout.spawn([task('a')], { budgetUsd: 0 })).toThrowError(/^budgetUsd must be a positive number, got 0/);
    expect(() => fanout.spawn([task('a')], { timeoutMs: -5 })).toThrowError(/^timeoutMs must be an integer >= 1/);
  });
});

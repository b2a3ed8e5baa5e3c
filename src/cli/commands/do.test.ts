import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createFanout } from '../../engine/index.js';
import type { Fanout } from '../../contracts/fanout.js';
import type { ModelResolver } from '../../contracts/model.js';
import { ScriptedModel, textResponse, type ScriptedStep } from '../../models/scripted-model.js';
import { loadPlanFile } from '../../plan/index.js';
import { planFromRequest } from '../../planner/index.js';
import { MemoryRunStore } from '../../store/memory-run-store.js';
import { runCli } from '../program.js';
import { commandWorkspace } from '../test-support/command-workspace.js';
import { recordingIo } from '../test-support/fake-io.js';
import { RUN_END_KEYS } from '../test-support/run-end-keys.js';
import { DEMO_REQUEST } from '../render-demo.js';

// `fanout do` in this process: on the simulated model through the default Fanout, or on a
// scripted planner (a fake of fanout's Model contract) where the simulated planner cannot misbehave.

/** A Fanout whose every model is one ScriptedModel (which fails any call nobody scripted), on a memory store. */
function scripted(steps: ScriptedStep[]): { model: ScriptedModel; createFanout: (cwd: string) => Fanout } {
  const model = new ScriptedModel(steps);
  const models: ModelResolver = { resolve: () => model, close: async () => {} };
  return { model, createFanout: (cwd) => createFanout({ store: new MemoryRunStore(), models, cwd, defaultModel: 'scripted', planner: planFromRequest }) };
}

const fenced = (plan: unknown): string => `\`\`\`json\n${JSON.stringify(plan)}\n\`\`\``;

describe('fanout do: bad input, one line, exit 2, nothing started', () => {
  it('an empty request, or --force without --plan-only', async () => {
    const { io } = commandWorkspace();
    for (const argv of [['do', '  '], ['do', 'x', '--force']]) {
      const run = io();
      expect(await runCli(argv, run)).toBe(2);
      expect(run.err()).toMatch(/^fanout: [^\n]+\n$/);
    }
  });

  it('a --plan-only file that exists is refused before the planner is called', async () => {
    const { file, io } = commandWorkspace();
    file('plan.yaml', 'keep me\n');
    const planner = scripted([]);
    const run = { ...io(), createFanout: planner.createFanout };
    expect(await runCli(['do', 'Build it', '--plan-only', 'plan.yaml'], run)).toBe(2);
    expect(run.err()).toBe('fanout: plan.yaml: the file already exists; add --force to overwrite it\n');
    expect(planner.model.requests).toHaveLength(0);
  });

  it('a --plan-only file that cannot be created is refused before the planner is called', async () => {
    const { dir, file, io } = commandWorkspace();
    file('taken/keep.txt', 'x\n');
    const cases: Array<[string, string]> = [
      ['missing/dir/p.yaml', `fanout: --plan-only missing/dir/p.yaml: the directory ${join(dir, 'missing/dir')} does not exist\n`],
      ['taken/keep.txt/p.yaml', `fanout: --plan-only taken/keep.txt/p.yaml: ${join(dir, 'taken/keep.txt')} is not a directory\n`],
      ['taken', 'fanout: --plan-only taken: is a directory (expected a file name, e.g. plan.yaml)\n'],
    ];
    for (const [target, message] of cases) {
      const planner = scripted([]);
      const run = { ...io(), createFanout: planner.createFanout };
      expect(await runCli(['do', 'Build it', '--plan-only', target, '--force'], run)).toBe(2);
      expect(run.err()).toBe(message);
      expect(run.out()).toBe('');
      expect(planner.model.requests).toHaveLength(0);
    }
  });

  it('a planner answer still invalid after the repair', async () => {
    const { io } = commandWorkspace();
    const planner = scripted([textResponse('no plan here'), textResponse(fenced({ tasks: [] }))]);
    const run = { ...io(), createFanout: planner.createFanout };
    expect(await runCli(['do', 'Build it'], run)).toBe(2);
    expect(run.err()).toMatch(/^fanout: the planner's plan is invalid after one repair: [^\n]*tasks[^\n]*\n$/);
    // The planner's call and its repair, and nothing else: no task ran.
    expect(planner.model.requests).toHaveLength(2);
  });

  it('with --strict, a planner plan whose tasks conflict', async () => {
    const { io } = commandWorkspace();
    const conflicting = { tasks: [{ id: 'a', prompt: 'x', writes: ['src/**'] }, { id: 'b', prompt: 'y', writes: ['src/b.ts'] }] };
    const planner = scripted([textResponse(fenced(conflicting))]);
    const run = { ...io(), createFanout: planner.createFanout };
    expect(await runCli(['do', 'Build it', '--strict'], run)).toBe(2);
    expect(run.err()).toMatch(/^fanout: [^\n]*conflict[^\n]*\n$/);
    expect(planner.model.requests).toHaveLength(1);
  });
});

describe('fanout do on the simulated model', () => {
  it('--plan-only writes the 5-task plan (with the cap flags) as YAML that check accepts, and runs nothing', async () => {
    const { dir, io } = commandWorkspace();
    const run = io();
    expect(await runCli(['do', DEMO_REQUEST, '--plan-only', 'auth.yaml', '--max-tokens', '40000', '--budget', '0.5'], run)).toBe(0);
    expect(run.out()).toContain('SIMULATED model');
    expect(run.out()).toMatch(/Plan "[^"]+": 5 tasks, one subagent each/);
    expect(run.out()).toContain('5 independent tasks, no conflicts: all 5 can start at once.');
    expect(run.out()).toContain('Plan written to auth.yaml. Edit it, then: fanout run auth.yaml');

    const plan = loadPlanFile(join(dir, 'auth.yaml'));
    expect(plan.tasks.map((task) => task.id)).toEqual([
      'login-endpoint',
      'registration-endpoint',
      'password-reset-endpoint',
      'auth-middleware',
      'integration-tests',
    ]);
    expect(plan).toMatchObject({ maxTokens: 40_000, budgetUsd: 0.5 });
    const check = io();
    expect(await runCli(['check', 'auth.yaml', '--strict'], check)).toBe(0);
    expect(check.out()).toContain('5 independent tasks, no conflicts');

    const runs = io();
    // No store was even created: runs has none to read.
    expect(await runCli(['runs'], runs)).toBe(2);
    expect(runs.err()).toContain('no fanout store');

    const again = io();
    expect(await runCli(['do', 'add a and b', '--plan-only', 'auth.yaml', '--force'], again)).toBe(0);
    expect(readFileSync(join(dir, 'auth.yaml'), 'utf8')).toContain('fanout do "add a and b"');
  });

  it('prints the plan and its DAG, then runs it like run: progress, synthesis, timing with cost, SIMULATED label', async () => {
    const { dir, io } = commandWorkspace();
    const run = io();
    expect(await runCli(['do', DEMO_REQUEST, '--concurrency', '5'], run)).toBe(0);
    const text = run.out();
    expect(text.indexOf('Critical path: login-endpoint')).toBeLessThan(text.indexOf('run run-'));
    expect(text).toMatch(/login-endpoint\s+backend engineer\s+reads -\s+writes src\/auth\/login\.ts, src\/auth\/login\.test\.ts/);
    expect(text).toMatch(/run run-\S+ "[^"]+": 5 tasks \(SIMULATED model\)/);
    expect(text).toMatch(/✔ integration-tests \[task-\S+\] succeeded/);
    expect(text).toContain('Synthesis');
    expect(text).toMatch(/Speedup\s+\S+×/);
    expect(text).toMatch(/Cost \(estimated\)\s+\$0 \(simulated\)/);
    expect(text.lastIndexOf('SIMULATED model:')).toBeGreaterThan(text.indexOf('Timing'));
    expect(existsSync(join(dir, 'auth.yaml'))).toBe(false);
  });
});

describe('fanout do --json', () => {
  it('prints only JSON: the plan line first, then events, the run-end line last', async () => {
    const { io } = commandWorkspace();
    const run = io();
    expect(await runCli(['do', DEMO_REQUEST, '--json'], run)).toBe(0);
    expect(run.err()).toBe('');
    const lines = run.out().trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'plan', dag: { levels: [expect.arrayContaining(['login-endpoint', 'integration-tests'])] } });
    expect((lines[0] as { plan: { tasks: unknown[] } }).plan.tasks).toHaveLength(5);
    expect(lines[1]).toMatchObject({ type: 'run-start', simulated: true });
    const last = lines.at(-1) as Record<string, unknown>;
    expect(Object.keys(last)).toEqual(RUN_END_KEYS);
    expect(last).toMatchObject({ type: 'run-end', status: 'succeeded', costUsd: 0 });
    expect(lines.filter((line) => line.type === 'run-end')).toHaveLength(1);
  });
});

describe('fanout do at a terminal', () => {
  function terminal(home: string, cwd: string, answer: string) {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    stdin.end(answer);
    return { ...recordingIo({ tty: true, cwd, env: { FANOUT_HOME: home } }), stdin };
  }

  it('asks before running; "n" runs nothing and exits 0, --yes does not ask', async () => {
    const { dir, home, io } = commandWorkspace();
    const declined = terminal(home, dir, 'n\n');
    expect(await runCli(['do', 'add a and b'], declined)).toBe(0);
    expect(declined.out()).toMatch(/Run these 2 tasks\? \[Y\/n\] Not run\.\n$/);
    // The estimate is shown before the question.
    expect(declined.out()).toMatch(/Estimate: 2 tasks \+ synthesis ≈ \S+ tokens in \/ \S+ out, \$0 estimated\n[\s\S]*Assumed: [^\n]+\n\nRun these 2 tasks\?/);
    const runs = io();
    // No store was even created: runs has none to read.
    expect(await runCli(['runs'], runs)).toBe(2);
    expect(runs.err()).toContain('no fanout store');

    const yes = terminal(home, dir, '');
    expect(await runCli(['do', 'add a and b', '--yes'], yes)).toBe(0);
    expect(yes.out()).not.toContain('[Y/n]');
    expect(yes.out()).toContain('Timing');
  });
});

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openRunStore } from '../../store/index.js';
import { runCli } from '../program.js';
import { commandWorkspace as workspace } from '../test-support/command-workspace.js';

// Commands in this process, on a real store in a temp FANOUT_HOME and the simulated model.

describe('read-only commands on an empty home', () => {
  it('exit 2 with one line naming FANOUT_HOME, and create nothing there', async () => {
    const { io, home } = workspace();
    for (const argv of [['runs'], ['status'], ['status', 'run-nope'], ['output', 'task-nope'], ['stop', 'task-nope'], ['logs', 'run-nope'], ['report', 'run-nope'], ['diff', 'run-nope'], ['clean']]) {
      const failed = io();
      expect(await runCli(argv, failed)).toBe(2);
      expect(failed.err()).toBe(`fanout: no fanout store in FANOUT_HOME=${home} (no runs there yet); start one with: fanout run <plan> or fanout demo\n`);
    }
    expect(existsSync(home)).toBe(false);
  });

  it('runs says there are none in a store without runs; unknown ids exit 2 naming the store', async () => {
    const { io, home } = workspace();
    openRunStore(home).close();
    const runs = io();
    expect(await runCli(['runs'], runs)).toBe(0);
    expect(runs.out()).toBe(`Store: ${home}\nNo runs yet. Try: fanout demo\n`);

    for (const argv of [['status'], ['status', 'run-nope'], ['output', 'task-nope'], ['stop', 'task-nope']]) {
      const failed = io();
      expect(await runCli(argv, failed)).toBe(2);
      expect(failed.err()).toMatch(/^fanout: [^\n]+\n$/);
      expect(failed.err()).toContain(home);
    }
  });
});

describe('run --provider-limit', () => {
  it("records the caps with the run, the tighter of the flag's and the plan's", async () => {
    const { file, io, home } = workspace();
    file('plan.yaml', 'providers: { sim: { maxConcurrent: 4, rpm: 100 } }\ntasks:\n  - id: a\n    prompt: do a\n');
    const run = io();
    expect(await runCli(['run', 'plan.yaml', '--provider-limit', 'sim=maxConcurrent:1,tpm:50000', '--provider-limit', 'openai=rpm:5'], run)).toBe(0);
    const store = openRunStore(home);
    try {
      expect(store.listRuns()[0]?.plan.providers).toEqual({ sim: { maxConcurrent: 1, rpm: 100, tpm: 50_000 }, openai: { rpm: 5 } });
    } finally {
      store.close();
    }
    const bad = io();
    expect(await runCli(['run', 'plan.yaml', '--provider-limit', 'sim=burst:3'], bad)).toBe(2);
    expect(bad.err()).toMatch(/--provider-limit.*expected <provider>=<cap>:<n>/);
  });
});

describe('run, then status, runs and output', () => {
  it('a finished run is listed and its outputs are retrievable by handle', async () => {
    const { file, io } = workspace();
    file(
      'plan.yaml',
      'name: pair\ntasks:\n  - id: a\n    description: Task A\n    prompt: do a\n    sim: { output: "answer a" }\n  - id: b\n    prompt: do b\n    outputFormat: { type: object, properties: { n: { type: number } }, required: [n] }\n    sim: { output: \'{"n": 7}\' }\n',
    );
    const run = io();
    expect(await runCli(['run', 'plan.yaml', '--concurrency', '2'], run)).toBe(0);
    expect(run.out()).toMatch(/run run-\S+ "pair": 2 tasks \(SIMULATED model\)/);
    expect(run.out()).toMatch(/✔ a \[(task-\S+)\] succeeded — Task A/);
    expect(run.out()).toMatch(/Speedup\s+\S+×/);
    const handleA = /✔ a \[(\S+)\]/.exec(run.out())?.[1] as string;
    const handleB = /✔ b \[(\S+)\]/.exec(run.out())?.[1] as string;

    const runs = io();
    await runCli(['runs'], runs);
    expect(runs.out().split('\n')[2]).toMatch(/^run-\S+\s+pair\s+succeeded\s+2\/2/);

    const status = io();
    expect(await runCli(['status'], status)).toBe(0);
    expect(status.out()).toContain('✔ Task A  (completed)');
    expect(status.out()).toContain('✔ Synthesize results  (completed)');
    const statusJson = io();
    expect(await runCli(['status', handleA, '--json'], statusJson)).toBe(0);
    const view = JSON.parse(statusJson.out()) as { run: Record<string, unknown>; tasks: unknown[]; todos: unknown[]; report: { wallMs: number; tasks: unknown[] } };
    expect(Object.keys(view)).toEqual(['run', 'tasks', 'todos', 'report']);
    expect(view.run).toMatchObject({ name: 'pair', status: 'succeeded' });
    expect(view.run.plan).toBeUndefined();
    expect(view.report.tasks).toHaveLength(2);
    const runsJson = io();
    await runCli(['runs', '--json'], runsJson);
    expect(JSON.parse(runsJson.out())).toMatchObject({ name: 'pair', tasks: 2, succeeded: 2, wallMs: view.report.wallMs });

    // Stopping what already finished is not an error: it says so.
    const runId = /run (run-\S+) "pair"/.exec(run.out())?.[1] as string;
    const stopRun = io();
    expect(await runCli(['stop', runId], stopRun)).toBe(0);
    expect(stopRun.out()).toBe(`run ${runId} already finished (succeeded); nothing to stop\n`);
    const stopTask = io();
    expect(await runCli(['stop', handleA], stopTask)).toBe(0);
    expect(stopTask.out()).toBe(`task ${handleA} already finished (succeeded); nothing to stop\n`);

    const output = io();
    expect(await runCli(['output', handleA], output)).toBe(0);
    expect(output.out()).toBe('answer a\n');

    const json = io();
    expect(await runCli(['output', handleB], json)).toBe(0);
    expect(JSON.parse(json.out())).toEqual({ n: 7 });

    // --json: the validated JSON of a JSON Schema task, pretty-printed; the whole result for a text task.
    const structured = io();
    expect(await runCli(['output', handleB, '--json'], structured)).toBe(0);
    expect(structured.out()).toBe('{\n  "n": 7\n}\n');
    const envelope = io();
    expect(await runCli(['output', handleA, '--json'], envelope)).toBe(0);
    expect(JSON.parse(envelope.out())).toMatchObject({ handle: handleA, taskId: 'a', status: 'succeeded', done: true, output: { text: 'answer a' } });
  });
});

describe('a failing task', () => {
  it('makes run exit 1 and names the failure', async () => {
    const { file, io } = workspace();
    file('plan.yaml', 'tasks:\n  - id: good\n    prompt: do good\n  - id: bad\n    prompt: do bad\n    sim: { fail: { status: 400, times: 5 } }\n');
    const run = io();
    expect(await runCli(['run', 'plan.yaml'], run)).toBe(1);
    expect(run.out()).toMatch(/✖ bad \[task-\S+\] failed\n {6}[^\n]*400/);
    expect(run.out()).toMatch(/^Timing$/m);
  });
});

describe('cap flags of run', () => {
  it("are written into the plan's top-level fields before the run is recorded", async () => {
    const { file, home, io } = workspace();
    file('plan.yaml', 'maxTokens: 10\ntasks:\n  - id: a\n    prompt: do a\n');
    expect(await runCli(['run', 'plan.yaml', '--max-tokens', '50000', '--budget', '0.25', '--timeout', '60000'], io())).toBe(0);
    const store = openRunStore(home);
    try {
      expect(store.listRuns(1)[0]?.plan).toMatchObject({ maxTokens: 50_000, budgetUsd: 0.25, timeoutMs: 60_000 });
    } finally {
      store.close();
    }
  });
});

describe('a task that reaches a cap', () => {
  it('ends with status limit, its reason under the timing table, and exit 1', async () => {
    const { file, io } = workspace();
    file(
      'plan.yaml',
      'tasks:\n  - id: big\n    prompt: list everything\n    sim: { script: [{ text: listing, tools: [{ name: list_files, input: { path: "." } }] }], output: done }\n',
    );
    const run = io();
    expect(await runCli(['run', 'plan.yaml', '--max-tokens', '20'], run)).toBe(1);
    expect(run.out()).toMatch(/^ {2}big\s+.*\s+limit\s+│/m);
    expect(run.out()).toMatch(/^ {2}⚠ big hit a limit: \S[^\n]*$/m);
  });
});

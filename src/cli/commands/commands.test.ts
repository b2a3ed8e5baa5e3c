import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { recordingIo } from '../test-support/fake-io.js';

// Commands in this process, on a real store in a temp FANOUT_HOME and the simulated model.

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-cmd-'));
  const io = () => recordingIo({ cwd: dir, env: { FANOUT_HOME: join(dir, 'home') } });
  return { dir, io };
}

describe('read-only commands on an empty home', () => {
  it('runs says there are none; status and output of unknown ids exit 2 with one line', async () => {
    const { io } = workspace();
    const runs = io();
    expect(await runCli(['runs'], runs)).toBe(0);
    expect(runs.out()).toBe('No runs yet. Try: fanout demo\n');

    for (const argv of [['status'], ['status', 'run-nope'], ['output', 'task-nope'], ['stop', 'task-nope']]) {
      const failed = io();
      expect(await runCli(argv, failed)).toBe(2);
      expect(failed.err()).toMatch(/^fanout: [^\n]+\n$/);
    }
  });
});

describe('run, then status, runs and output', () => {
  it('a finished run is listed and its outputs are retrievable by handle', async () => {
    const { dir, io } = workspace();
    writeFileSync(
      join(dir, 'plan.yaml'),
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
    expect(runs.out().split('\n')[1]).toMatch(/^run-\S+\s+pair\s+succeeded\s+2\/2/);

    const status = io();
    expect(await runCli(['status'], status)).toBe(0);
    expect(status.out()).toContain('✔ Task A  (completed)');
    expect(status.out()).toContain('✔ Synthesize results  (completed)');

    const output = io();
    expect(await runCli(['output', handleA], output)).toBe(0);
    expect(output.out()).toBe('answer a\n');

    const json = io();
    expect(await runCli(['output', handleB], json)).toBe(0);
    expect(JSON.parse(json.out())).toEqual({ n: 7 });

    const full = io();
    await runCli(['output', handleB, '--json'], full);
    expect(JSON.parse(full.out())).toMatchObject({ handle: handleB, taskId: 'b', status: 'succeeded', done: true, output: { json: { n: 7 } } });
  });
});

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { outputMatches, runCliProcess, scratch, startCli } from './test-support/cli-process.js';
import { RUN_END_KEYS, RUN_END_TASK_KEYS } from './test-support/run-end-keys.js';
import { readVersion } from './version.js';

// The real CLI process, end to end, on the simulated model (real HTTP on 127.0.0.1).

const TWO_TASKS = `
name: two
tasks:
  - id: a
    prompt: do a
    sim: { latencyMs: 30 }
  - id: b
    prompt: do b
    sim: { latencyMs: 60, output: "b is done" }
`;

const ONE_FAILS = `
tasks:
  - id: good
    prompt: do good
    sim: { latencyMs: 10 }
  - id: bad
    prompt: do bad
    sim: { fail: { status: 400, times: 5 } }
`;

const QUICK_AND_SLOW = `
tasks:
  - id: quick
    prompt: quick one
    sim: { latencyMs: 10, output: "quick result" }
  - id: slow
    prompt: slow one
    sim: { latencyMs: 20000 }
`;

/** `<taskId>  <handle>` lines printed by --detach, by task id. */
function handlesOf(stdout: string): Record<string, string> {
  return Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/) as [string, string]),
  );
}

describe.concurrent('fanout CLI (end to end)', { timeout: 60_000 }, () => {
  it('--version prints the package version', async () => {
    const { home } = scratch();
    const result = await runCliProcess(['--version'], home);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${readVersion()}\n`);
  });

  it('an invalid plan exits 2 with one line naming file and field, no stack, nothing started', async () => {
    const { home, plan } = scratch();
    const file = plan('bad.yaml', 'tasks:\n  - id: a\n    prompt: x\n    concurrency: 3\n');
    const result = await runCliProcess(['run', file], home);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^fanout: .*bad\.yaml.*tasks\[0\]\.concurrency/);
    // Rejected before the store was even opened.
    expect(existsSync(home)).toBe(false);
  });

  it('check prints the DAG of the demo plan: 5 independent tasks', async () => {
    const { home } = scratch();
    const result = await runCliProcess(['check', 'examples/auth-demo.yaml'], home);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('5 independent tasks, no conflicts: all 5 can start at once.');
    expect(result.stdout).toContain('1. login, registration, password-reset, middleware, integration-tests');
  });

  it('run --json prints only JSON events, the run-end summary last, and exits 0', async () => {
    const { home, plan } = scratch();
    const result = await runCliProcess(['run', plan('two.yaml', TWO_TASKS), '--json'], home);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => line.type === 'run-end')).toHaveLength(1);
    expect(lines.some((line) => line.type === 'task-start')).toBe(true);
    const last = lines.at(-1) as Record<string, unknown> & { tasks: Array<Record<string, unknown>> };
    expect(Object.keys(last)).toEqual(RUN_END_KEYS);
    expect(last).toMatchObject({ type: 'run-end', status: 'succeeded' });
    expect(last.tasks.map((task) => task.id)).toEqual(['a', 'b']);
    for (const task of last.tasks) {
      expect(Object.keys(task)).toEqual(RUN_END_TASK_KEYS);
      expect(task.startedAt).toBeGreaterThan(1_600_000_000_000);
    }
  });

  it('do --json on the simulated model: the plan line first, then events, the run-end line last', async () => {
    const { home } = scratch();
    const result = await runCliProcess(['do', 'Implement user authentication with login, registration, and password reset', '--json'], home);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'plan', dag: { levels: [expect.arrayContaining(['login-endpoint', 'integration-tests'])] } });
    expect((lines[0] as { plan: { tasks: unknown[] } }).plan.tasks).toHaveLength(5);
    expect(lines[1]).toMatchObject({ type: 'run-start', simulated: true });
    const last = lines.at(-1) as Record<string, unknown>;
    expect(Object.keys(last)).toEqual(RUN_END_KEYS);
    expect(last).toMatchObject({ type: 'run-end', status: 'succeeded', costUsd: 0 });
    expect(lines.filter((line) => line.type === 'run-end')).toHaveLength(1);
  });

  it('a failing task makes run exit 1 and names the failure', async () => {
    const { home, plan } = scratch();
    const result = await runCliProcess(['run', plan('fail.yaml', ONE_FAILS)], home);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/✖ bad\s+failed/);
    expect(result.stdout).toContain('Timing');
  });

  it('--detach returns at once; output --block from another process gets the result', async () => {
    const { home, plan } = scratch();
    const detached = await runCliProcess(['run', plan('two.yaml', TWO_TASKS), '--detach'], home);
    expect(detached.code).toBe(0);
    expect(detached.stdout.split('\n')[0]).toMatch(/^run-/);
    const handles = handlesOf(detached.stdout);
    expect(Object.keys(handles)).toEqual(['a', 'b']);

    const output = await runCliProcess(['output', handles.b as string, '--block'], home);
    expect(output.code).toBe(0);
    expect(output.stdout).toBe('b is done\n');
  });

  it('stop stops a task of a detached run; its output then says stopped (exit 1)', async () => {
    const { home, plan } = scratch();
    const detached = await runCliProcess(['run', plan('slow.yaml', QUICK_AND_SLOW), '--detach'], home);
    const handles = handlesOf(detached.stdout);
    const slow = handles.slow as string;
    expect((await runCliProcess(['output', handles.quick as string, '--block'], home)).stdout).toBe('quick result\n');

    const stop = await runCliProcess(['stop', slow], home);
    expect(stop.code).toBe(0);
    const output = await runCliProcess(['output', slow, '--block', '--timeout', '15000', '--json'], home);
    expect(output.code).toBe(1);
    expect(JSON.parse(output.stdout)).toMatchObject({ handle: slow, status: 'stopped', done: true });
  });

  it('Ctrl-C stops every task, prints what finished and exits 130', async () => {
    const { home, plan } = scratch();
    const child = startCli(['run', plan('slow.yaml', QUICK_AND_SLOW)], home);
    await outputMatches(child.output, (output) => /✔ quick\s+succeeded/.test(output.stdout));
    child.kill('SIGINT');
    const result = await child.exited;
    expect(result.code).toBe(130);
    expect(result.stdout).toContain('Interrupted: 1 of 2 tasks had finished');
    expect(result.stdout).toContain('quick result');

    const status = await runCliProcess(['status', '--json'], home);
    const tasks = (JSON.parse(status.stdout) as { tasks: Array<{ taskId: string; status: string }> }).tasks;
    expect(tasks.map((task) => [task.taskId, task.status])).toEqual([
      ['quick', 'succeeded'],
      ['slow', 'stopped'],
    ]);
  });

  it('demo runs the auth example on the simulated model, labelled SIMULATED, with a timing table', async () => {
    const { home } = scratch();
    const result = await runCliProcess(['demo'], home);
    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(text).toContain('SIMULATED model');
    expect(text).toContain('Implement user authentication with login, registration, and password reset');
    expect(text).toContain('5 independent tasks, no conflicts');
    expect(text).toMatch(/Speedup\s+\d+\.\d\d×/);
    expect(text.lastIndexOf('SIMULATED')).toBeGreaterThan(text.indexOf('Speedup'));
    for (const file of ['src/auth/login.ts', 'src/auth/register.ts', 'src/auth/password-reset.ts', 'src/auth/middleware.ts', 'test/auth.test.ts']) {
      expect(text).toMatch(new RegExp(`${file.replace(/[./]/g, '\\$&')}\\s+\\d+ bytes`));
    }
    expect(text).toMatch(/fanout output task-\S+\s+# login/);
  });

  it('sim serves the Anthropic Messages API until Ctrl-C, then exits 0', async () => {
    const { home } = scratch();
    const child = startCli(['sim', '--port', '0', '--latency', '5'], home);
    await outputMatches(child.output, (output) => output.stdout.includes('Press Ctrl-C to stop.'));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(child.output.stdout)?.[1];
    expect(child.output.stdout).toContain(`ANTHROPIC_BASE_URL=${url}`);
    const response = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sim', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'sim', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { type: string }).type).toBe('message');
    child.kill('SIGINT');
    expect((await child.exited).code).toBe(0);
  });
});

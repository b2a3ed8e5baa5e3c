import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputMatches, scratch } from './test-support/cli-process.js';
import { QUICK_AND_SLOW, runInProcess as inProcess, useBuiltCli } from './test-support/e2e-setup.js';
import { RUN_END_KEYS, RUN_END_TASK_KEYS } from './test-support/run-end-keys.js';
import { readVersion } from './version.js';

// The real CLI process, end to end, on the simulated model (real HTTP on 127.0.0.1), started
// as a user starts it (`node bin/fanout.js`, compiled once for this file). Only what needs a
// process of its own gets one: the entry point, exit codes, signals, the detached child;
// follow-up commands against the same store run in this process.

const cli = useBuiltCli();

const runCliProcess = (args: readonly string[], home: string) => cli.run(args, home);
const startCli = (args: readonly string[], home: string) => cli.start(args, home);

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

describe.concurrent('fanout CLI (end to end)', { timeout: 120_000 }, () => {
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

  it('--detach returns at once; another process gets outputs and stops a task of the background run', async () => {
    const { home, plan } = scratch();
    const detached = await runCliProcess(['run', plan('slow.yaml', QUICK_AND_SLOW), '--detach'], home);
    expect(detached.code).toBe(0);
    expect(detached.stdout.split('\n')[0]).toMatch(/^run-/);
    const handles = handlesOf(detached.stdout);
    expect(Object.keys(handles)).toEqual(['quick', 'slow']);
    const slow = handles.slow as string;

    const quick = await inProcess(['output', handles.quick as string, '--block'], home);
    expect(quick.code).toBe(0);
    expect(quick.out()).toBe('quick result\n');

    const stop = await inProcess(['stop', slow], home);
    expect(stop.code).toBe(0);
    expect(stop.out()).toBe(`stop requested: ${slow} (1 unfinished task)\n`);
    const stopped = await inProcess(['output', slow, '--block', '--timeout', '15000', '--json'], home);
    expect(stopped.code).toBe(1);
    expect(JSON.parse(stopped.out())).toMatchObject({ handle: slow, status: 'stopped', done: true });
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

    const status = await inProcess(['status', '--json'], home);
    const tasks = (JSON.parse(status.out()) as { tasks: Array<{ taskId: string; status: string }> }).tasks;
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
    // Each task in its own worktree, running the tests it wrote; the merged result applied and tested, the worktrees gone.
    expect(text).toContain('a temporary git repository made from examples/auth-demo-starter/');
    expect(text).toMatch(/merged 5 tasks into fanout\/run-\S+/);
    expect(text).toMatch(/tests pass: [6-9] passed, 0 failed/);
    expect(text).toContain('5 worktrees removed');
    const workdir = /^Files written by the subagents, in (\S+):$/m.exec(text)?.[1] ?? '';
    const log = execFileSync('git', ['-C', workdir, 'log', '--format=%s'], { encoding: 'utf8' });
    expect(log).toMatch(/merge tasks .*integration-tests/);
    expect(execFileSync('git', ['-C', workdir, 'worktree', 'list'], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
    for (const task of ['login', 'registration', 'password-reset', 'middleware']) {
      const handle = new RegExp(`fanout output (task-\\S+)\\s+# ${task}$`, 'm').exec(text)?.[1] ?? '';
      const logs = await inProcess(['logs', handle, '--json'], home);
      const events = logs.out().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string; tool?: string; ok?: boolean });
      // Its test ran in its worktree, sandboxed and not refused (that they pass is the run on the result, above).
      expect(events.find((event) => event.tool === 'bash'), task).toMatchObject({ type: 'tool-call', ok: true });
    }
    rmSync(workdir, { recursive: true, force: true });
    // Five sandboxed node+tsx test runs and the result's: a minute and more on a loaded 2-core machine.
  }, 180_000);

  it('demo without bubblewrap and git still runs, and says what it left out', async () => {
    const { home, dir } = scratch();
    // A PATH with node alone: no bwrap, no git.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const child = cli.start(['demo'], home, { PATH: bin });
    const result = await child.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Shell:   off: the shell sandbox needs bubblewrap');
    expect(result.stdout).toContain('git is not installed, so the subagents share it');
    expect(result.stdout).toMatch(/src\/auth\/login\.ts\s+\d+ bytes/);
    // The tests are written, not run: the scripted bash calls are left out.
    expect(result.stdout).toMatch(/src\/auth\/login\.test\.ts\s+\d+ bytes/);
    expect(result.stdout).not.toContain('bash');
  }, 180_000);

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

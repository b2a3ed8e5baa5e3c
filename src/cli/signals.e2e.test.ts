import { describe, expect, it } from 'vitest';
import { outputMatches, scratch } from './test-support/cli-process.js';
import { QUICK_AND_SLOW, runInProcess, useBuiltCli } from './test-support/e2e-setup.js';

// SIGTERM and SIGHUP stop a foreground run as Ctrl-C does; a reader that goes away
// (`fanout run … | head -1`) aborts nothing: the run goes on to its end in the store.

const cli = useBuiltCli();

const FEW = `
tasks:
  - id: a
    prompt: do a
    sim: { latencyMs: 300, output: "a done" }
  - id: b
    prompt: do b
    sim: { latencyMs: 600, output: "b done" }
`;

async function statusOf(home: string): Promise<{ run: { status: string; error?: string }; tasks: Array<{ taskId: string; status: string }> }> {
  const io = await runInProcess(['status', '--json'], home);
  return JSON.parse(io.out()) as { run: { status: string; error?: string }; tasks: Array<{ taskId: string; status: string }> };
}

describe.concurrent('signals and pipes (end to end)', { timeout: 120_000 }, () => {
  it.each([
    ['SIGTERM', 143, 'terminated (SIGTERM)'],
    ['SIGHUP', 129, 'hung up (SIGHUP: the terminal closed)'],
  ] as const)('%s stops every task, prints what finished and exits %i', async (signal, code, reason) => {
    const { home, plan } = scratch();
    const child = cli.start(['run', plan('slow.yaml', QUICK_AND_SLOW)], home);
    await outputMatches(child.output, (output) => /✔ quick\s+succeeded/.test(output.stdout), 50_000);
    child.kill(signal);
    const result = await child.exited;
    expect(result.code).toBe(code);
    expect(result.stdout).toContain('Interrupted: 1 of 2 tasks had finished');
    const status = await statusOf(home);
    expect(status.run).toMatchObject({ status: 'stopped', error: expect.stringContaining(reason) });
    expect(status.tasks.map((task) => [task.taskId, task.status])).toEqual([
      ['quick', 'succeeded'],
      ['slow', 'stopped'],
    ]);
  });

  it('SIGTERM to the background process of a detached run records its tasks as stopped', async () => {
    const { home, plan } = scratch();
    const started = await cli.start(['run', plan('slow.yaml', QUICK_AND_SLOW), '--detach', '--json'], home).exited;
    const { pid } = JSON.parse(started.stdout) as { pid: number };
    const handles = (JSON.parse(started.stdout) as { handles: Array<{ handle: string }> }).handles;
    await runInProcess(['output', handles[0]?.handle as string, '--block'], home);
    process.kill(pid, 'SIGTERM');
    let status = await statusOf(home);
    for (let i = 0; i < 100 && status.run.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await statusOf(home);
    }
    expect(status.run).toMatchObject({ status: 'stopped', error: expect.stringContaining('terminated (SIGTERM)') });
    expect(status.tasks.map((task) => task.status)).toEqual(['succeeded', 'stopped']);
  });

  it('a closed stdout aborts nothing: the run goes on to its end in the store and exits with its own code', async () => {
    const { home, plan } = scratch();
    const child = cli.start(['run', plan('few.yaml', FEW)], home);
    // `| head -1`: the reader takes the first line and goes away.
    await outputMatches(child.output, (output) => output.stdout.includes('\n'), 50_000);
    child.stdout?.destroy();
    const result = await child.exited;
    expect(result.code).toBe(0);
    const status = await statusOf(home);
    expect(status.run.status).toBe('succeeded');
    expect(status.tasks.map((task) => task.status)).toEqual(['succeeded', 'succeeded']);
  });
});

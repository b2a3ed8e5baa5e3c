import { describe, expect, it } from 'vitest';
import { scratch } from './test-support/cli-process.js';
import type { RecordingIo } from './test-support/fake-io.js';
import { QUICK_AND_SLOW, runInProcess, useBuiltCli } from './test-support/e2e-setup.js';

// A detached run killed with SIGKILL, found interrupted once its lease passed, and resumed in the
// background: the real CLI processes, on the simulated model. Leases of 4 s keep it short and survive a loaded machine.

const cli = useBuiltCli();

const LEASE = { FANOUT_LEASE_MS: '4000' };

const inProcess = (argv: string[], home: string): Promise<RecordingIo & { code: number }> => runInProcess(argv, home, LEASE);

/** With a task after the slow one: stopped with it, and resumed under its handle. */
const QUICK_SLOW_AFTER = `${QUICK_AND_SLOW}  - id: after
    prompt: after slow
    dependsOn: [slow]
`;

interface TaskView {
  taskId: string;
  handle: string;
  status: string;
  startedAt?: number;
}

async function statusOf(runId: string, home: string): Promise<{ run: { status: string; error?: string }; tasks: TaskView[] }> {
  const status = await inProcess(['status', runId, '--json'], home);
  return JSON.parse(status.out()) as { run: { status: string; error?: string }; tasks: TaskView[] };
}

describe('fanout resume (end to end)', { timeout: 120_000 }, () => {
  it('refuses a live run, then continues it in the background once its killed process lost its lease', async () => {
    const { home, plan } = scratch();
    const started = await cli.start(['run', plan('slow.yaml', QUICK_SLOW_AFTER), '--detach', '--json'], home, LEASE).exited;
    expect(started.code).toBe(0);
    const { runId, handles, pid } = JSON.parse(started.stdout) as { runId: string; handles: Array<{ id: string; handle: string }>; pid: number };
    const handle = Object.fromEntries(handles.map((entry) => [entry.id, entry.handle]));
    expect((await inProcess(['output', handle.quick as string, '--block'], home)).out()).toBe('quick result\n');

    const live = await inProcess(['resume', runId], home);
    expect(live.code).toBe(2);
    expect(live.err()).toMatch(new RegExp(`^fanout: run ${runId} is still running: its process \\(pid ${pid}\\) holds its lease for \\d s more; stop it first \\(fanout stop ${runId}\\) or wait for it\\n$`));

    process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    const dead = await statusOf(runId, home);
    expect(dead.run.status).toBe('interrupted');
    expect(dead.run.error).toContain(`fanout resume ${runId}`);
    expect(dead.tasks.map((task) => [task.taskId, task.status])).toEqual([
      ['quick', 'succeeded'],
      ['slow', 'stopped'],
      ['after', 'stopped'],
    ]);
    const quickStart = dead.tasks[0]?.startedAt;

    const resumed = await cli.start(['resume', runId, '--detach'], home, LEASE).exited;
    expect(resumed.code).toBe(0);
    expect(resumed.stdout.split('\n').slice(0, 2)).toEqual([runId, `quick  ${handle.quick}  succeeded`]);
    expect(resumed.stderr).toContain(`run ${runId} resumed in the background`);
    const running = await statusOf(runId, home);
    expect(running.run.status).toBe('running');
    // The task that succeeded was not run again; the others start anew under the same handles.
    expect(running.tasks[0]).toMatchObject({ handle: handle.quick, status: 'succeeded', startedAt: quickStart });
    expect(running.tasks.map((task) => task.handle)).toEqual([handle.quick, handle.slow, handle.after]);

    await inProcess(['stop', runId], home);
    const stopped = await inProcess(['output', handle.slow as string, '--block', '--timeout', '15000', '--json'], home);
    expect(JSON.parse(stopped.out())).toMatchObject({ status: 'stopped', done: true });
  });
});

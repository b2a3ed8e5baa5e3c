import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { newRunRecords } from '../../engine/run-records.js';
import { openRunStore } from '../../store/sqlite-run-store.js';
import { runCli } from '../program.js';
import { commandWorkspace } from '../test-support/command-workspace.js';

describe('fanout output of a task whose run process died', () => {
  it('says the task stopped and why, as docs/cli.md shows, exit 1', async () => {
    const ws = commandWorkspace();
    mkdirSync(ws.home, { recursive: true });
    const store = openRunStore(ws.home);
    const plan = { tasks: [{ id: 'a', prompt: 'a' }] };
    const dag = { tasks: ['a'], edges: [], conflicts: [], order: ['a'], criticalPath: ['a'], levels: [['a']] };
    const { run, tasks } = newRunRecords({ plan, dag, now: Date.now(), cwd: ws.dir, executing: false });
    const pid = spawnSync(process.execPath, ['-e', '']).pid ?? 0;
    store.createRun({ ...run, pid, startedAt: Date.now(), status: 'running' }, tasks);
    store.close();
    const handle = tasks[0]?.handle ?? '';

    const io = ws.io();
    expect(await runCli(['output', handle], io)).toBe(1);
    expect(io.out()).toBe('');
    expect(io.err()).toBe(`fanout: task ${handle} stopped: the run was interrupted before the task finished: its process (pid ${pid}) stopped (killed or crashed)\n`);
  });
});

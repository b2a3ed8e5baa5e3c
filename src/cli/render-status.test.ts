import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../engine/types.js';
import { renderRunList, renderRunStatus, taskWallMs } from './render-status.js';
import { taskRecord } from './test-support/fixtures.js';

const run: RunRecord = {
  runId: 'run-7',
  name: 'auth',
  plan: { tasks: [] },
  dag: { tasks: [], edges: [], conflicts: [], order: [], criticalPath: [], levels: [] },
  status: 'running',
  createdAt: new Date(2025, 0, 2, 3, 4, 5).getTime(),
  cwd: '/work/app',
  pid: 4242,
};

describe('taskWallMs', () => {
  it('spans first start to last end, or to now for running tasks', () => {
    const tasks = [taskRecord({ taskId: 'a', startedAt: 100, endedAt: 600 }), taskRecord({ taskId: 'b', startedAt: 200 })];
    expect(taskWallMs(tasks, 1000)).toBe(900);
    expect(taskWallMs([taskRecord({ taskId: 'q', status: 'queued' })], 1000)).toBeUndefined();
  });
});

describe('renderRunList', () => {
  it('lists id, name, status, tasks succeeded, created and wall', () => {
    const lines = renderRunList([{ run: { ...run, status: 'succeeded' }, tasks: [taskRecord({ taskId: 'a', startedAt: 0, endedAt: 1500 }), taskRecord({ taskId: 'b', status: 'failed' })] }], 0);
    expect(lines[0]).toMatch(/^run\s+name\s+status\s+tasks ok\s+created\s+wall$/);
    expect(lines[1]).toMatch(/^run-7\s+auth\s+succeeded\s+1\/2\s+2025-01-02 03:04:05\s+1\.50s$/);
  });
  it('points to the demo when there is no run', () => {
    expect(renderRunList([], 0)).toEqual(['No runs yet. Try: fanout demo']);
  });
});

describe('renderRunStatus', () => {
  it('shows the run, its todo list and a line per task', () => {
    const lines = renderRunStatus(
      run,
      [taskRecord({ taskId: 'a', startedAt: 0, endedAt: 2000 }), taskRecord({ taskId: 'b', status: 'running', startedAt: 500 })],
      [
        { id: 'a', content: 'Task A', status: 'completed', handle: 'fo-a' },
        { id: 'b', content: 'Task B', status: 'in_progress', handle: 'fo-b' },
        { id: 'synthesis', content: 'Synthesize results', status: 'pending' },
      ],
      3000,
      false,
    );
    expect(lines[0]).toBe('run run-7 "auth"  running (pid 4242)');
    expect(lines).toContain('  ✔ Task A  (completed)');
    expect(lines).toContain('  ○ Synthesize results  (pending)');
    expect(lines.find((line) => line.includes('fo-b'))).toMatch(/b\s+fo-b\s+running\s+2\.5s/);
  });
  it('shows the pid only while the run is active', () => {
    expect(renderRunStatus({ ...run, status: 'succeeded' }, [], [], 0, false)[0]).toBe('run run-7 "auth"  succeeded');
  });
  it('says when the executing process is gone', () => {
    expect(renderRunStatus(run, [], [], 0, true)[0]).toContain('its process 4242 is gone (interrupted)');
  });
});

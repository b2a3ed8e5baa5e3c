import { describe, expect, it } from 'vitest';
import type { RunStatusView } from '../contracts/fanout.js';
import type { RunRecord, TaskRecord } from '../contracts/records.js';
import { renderRunList, renderRunStatus, reportedWallMs } from './render-status.js';
import { fourTaskReport, taskRecord, timing } from './test-support/fixtures.js';

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

/** A status view whose report times each task as given (durationMs; no entry: never started), wall `wallMs`. */
function view(overrides: Partial<RunRecord>, tasks: TaskRecord[], durations: Record<string, number>, wallMs = 0): RunStatusView {
  const timings = tasks.map((task) =>
    timing({ id: task.taskId, handle: task.handle, status: task.status, durationMs: durations[task.taskId] ?? 0, ...(task.taskId in durations && { startedAt: 1 }) }),
  );
  return { run: { ...run, ...overrides }, tasks, todos: [], report: fourTaskReport({ tasks: timings, wallMs }) };
}

describe('renderRunList', () => {
  it('lists id, name, status, tasks succeeded, created and the wall time of the run report', () => {
    const tasks = [taskRecord({ taskId: 'a' }), taskRecord({ taskId: 'b', status: 'failed' })];
    const lines = renderRunList([view({ status: 'succeeded' }, tasks, { a: 1500 }, 1500)]);
    expect(lines[0]).toMatch(/^run\s+name\s+status\s+tasks ok\s+created\s+wall$/);
    expect(lines[1]).toMatch(/^run-7\s+auth\s+succeeded\s+1\/2\s+2025-01-02 03:04:05\s+1\.50s$/);
  });

  it('shows no wall time before any task started', () => {
    const queued = view({}, [taskRecord({ taskId: 'q', status: 'queued' })], {});
    expect(reportedWallMs(queued)).toBeUndefined();
    expect(renderRunList([queued])[1]).toMatch(/\s-$/);
  });

  it('points to the demo when there is no run', () => {
    expect(renderRunList([])).toEqual(['No runs yet. Try: fanout demo']);
  });
});

describe('renderRunStatus', () => {
  it('shows the run, its todo list and a line per task with its elapsed time from the report', () => {
    const status = view({}, [taskRecord({ taskId: 'a' }), taskRecord({ taskId: 'b', status: 'running' }), taskRecord({ taskId: 'c', status: 'queued' })], { a: 2000, b: 2500 });
    status.todos = [
      { id: 'a', content: 'Task A', status: 'completed', handle: 'fo-a' },
      { id: 'b', content: 'Task B', status: 'in_progress', handle: 'fo-b' },
      { id: 'synthesis', content: 'Synthesize results', status: 'pending' },
    ];
    const lines = renderRunStatus(status);
    expect(lines[0]).toBe('run run-7 "auth"  running (pid 4242)');
    expect(lines).toContain('  ✔ Task A  (completed)');
    expect(lines).toContain('  ○ Synthesize results  (pending)');
    expect(lines.find((line) => line.includes('fo-b'))).toMatch(/b\s+fo-b\s+running\s+2\.5s/);
    expect(lines.find((line) => line.includes('fo-c'))).toMatch(/c\s+fo-c\s+queued\s+-\s/);
  });

  it('shows the pid only while the run is active, and the error of an interrupted run', () => {
    expect(renderRunStatus(view({ status: 'succeeded' }, [], {}))[0]).toBe('run run-7 "auth"  succeeded');
    const interrupted = renderRunStatus(view({ status: 'interrupted', error: 'process 4242 exited before the run finished' }, [], {}));
    expect(interrupted[0]).toBe('run run-7 "auth"  interrupted');
    expect(interrupted).toContain('  error: process 4242 exited before the run finished');
  });
});

import type { RunReport, TaskTiming } from '../../contracts/run-report.js';
import type { TaskRecord } from '../../contracts/records.js';

/** A task timing with defaults; override what the test is about. */
export function timing(overrides: Partial<TaskTiming> & { id: string }): TaskTiming {
  return {
    handle: `fo-${overrides.id}`,
    status: 'succeeded',
    durationMs: 1000,
    turns: 3,
    inputTokens: 1200,
    outputTokens: 300,
    retries: 0,
    retryWaitMs: 0,
    waitMs: 0,
    ...overrides,
  };
}

/**
 * A report of four tasks that started together at t=10_000 and ran 1, 2,
 * 3 and 4 s: sequential 10 s, wall 4 s, speedup 2.5.
 */
export function fourTaskReport(overrides: Partial<RunReport> = {}): RunReport {
  const t0 = 10_000;
  const tasks = [1000, 2000, 3000, 4000].map((durationMs, index) =>
    timing({ id: `t${index + 1}`, startedAt: t0, endedAt: t0 + durationMs, durationMs }),
  );
  return {
    runId: 'run-1',
    name: 'four',
    status: 'succeeded',
    simulated: true,
    startedAt: t0,
    endedAt: t0 + 4500,
    wallMs: 4000,
    sequentialMs: 10_000,
    criticalPathMs: 4000,
    criticalPath: ['t4'],
    speedup: 2.5,
    efficiency: 1,
    tasks,
    diagnostics: [],
    synthesisMs: 500,
    inputTokens: 4800,
    outputTokens: 1200,
    ...overrides,
  };
}

/** A stored task record with defaults. */
export function taskRecord(overrides: Partial<TaskRecord> & { taskId: string }): TaskRecord {
  return {
    handle: `fo-${overrides.taskId}`,
    runId: 'run-1',
    index: 0,
    spec: { id: overrides.taskId, prompt: `do ${overrides.taskId}` },
    status: 'succeeded',
    queuedAt: 0,
    turns: 2,
    inputTokens: 100,
    outputTokens: 50,
    retries: 0,
    retryWaitMs: 0,
    ...overrides,
  };
}

import type { RunSnapshot, SnapshotTask } from '../run-snapshot.js';

const T0 = 1_700_000_000_000;

/** A finished task of a fixture run: started and ended at offsets (ms) from the run's start. */
export function fixtureTask(id: string, startMs: number, endMs: number, extra: Partial<SnapshotTask> = {}): SnapshotTask {
  return {
    id,
    handle: `task-${id}`,
    status: 'succeeded',
    queuedAt: T0,
    startedAt: T0 + startMs,
    endedAt: T0 + endMs,
    turns: 2,
    inputTokens: 1000,
    outputTokens: 100,
    retries: 0,
    retryWaitMs: 0,
    costUsd: 0,
    ...extra,
  };
}

/** A snapshot of a run made of `tasks` (ids and times as given), with a report built from them. */
export function fixtureSnapshot(tasks: SnapshotTask[], overrides: { edges?: RunSnapshot['run']['edges']; criticalPath?: string[]; status?: RunSnapshot['run']['status']; takenAt?: number } = {}): RunSnapshot {
  const ends = tasks.map((task) => task.endedAt ?? task.startedAt ?? T0);
  const endedAt = Math.max(T0, ...ends);
  const durations = tasks.map((task) => (task.endedAt ?? 0) - (task.startedAt ?? 0));
  return {
    run: { runId: 'run-fixture', name: 'fixture', status: overrides.status ?? 'succeeded', createdAt: T0, startedAt: T0, endedAt, edges: overrides.edges ?? [] },
    tasks,
    todos: tasks.map((task) => ({ id: task.id, content: `Do ${task.id}`, status: 'completed', handle: task.handle })),
    report: {
      runId: 'run-fixture',
      name: 'fixture',
      status: overrides.status ?? 'succeeded',
      simulated: true,
      startedAt: T0,
      endedAt,
      wallMs: endedAt - T0,
      sequentialMs: durations.reduce((a, b) => a + b, 0),
      criticalPathMs: Math.max(0, ...durations),
      criticalPath: overrides.criticalPath ?? [],
      speedup: 1,
      efficiency: 1,
      tasks: tasks.map((task, index) => ({
        id: task.id,
        handle: task.handle,
        status: task.status,
        ...(task.startedAt === undefined ? {} : { startedAt: task.startedAt }),
        ...(task.endedAt === undefined ? {} : { endedAt: task.endedAt }),
        turns: task.turns,
        inputTokens: task.inputTokens,
        outputTokens: task.outputTokens,
        retries: task.retries,
        retryWaitMs: task.retryWaitMs,
        ...(task.rateLimitWaitMs === undefined ? {} : { rateLimitWaitMs: task.rateLimitWaitMs }),
        ...capWaitOf(task),
        costUsd: 0,
        durationMs: durations[index] ?? 0,
        waitMs: task.readyAt !== undefined && task.startedAt !== undefined ? task.startedAt - task.readyAt : 0,
        ...(task.waitReason === undefined ? {} : { waitReason: task.waitReason }),
      })),
      diagnostics: [],
      inputTokens: tasks.length * 1000,
      outputTokens: tasks.length * 100,
      costUsd: 0,
    },
    outputs: Object.fromEntries(tasks.map((task) => [task.id, { handle: task.handle, text: `Output of ${task.id}.`, truncated: false }])),
    takenAt: overrides.takenAt ?? endedAt,
  };
}

/** As the engine's report splits it: the part of the task's gate waits its provider-cap pauses took. */
function capWaitOf(task: SnapshotTask): { providerCapWaitMs?: number } {
  const ms = (task.pauses ?? []).filter((pause) => pause.cause === 'provider-cap').reduce((sum, pause) => sum + pause.ms, 0);
  return ms > 0 ? { providerCapWaitMs: ms } : {};
}

/** `n` tasks in waves of `width`, each 1 s long, each wave waiting on the previous one by concurrency. */
export function waveSnapshot(count: number, width: number): RunSnapshot {
  const tasks = Array.from({ length: count }, (_, index) => {
    const wave = Math.floor(index / width);
    return fixtureTask(`task-${String(index).padStart(5, '0')}`, wave * 1000, wave * 1000 + 900 + (index % 7) * 10, {
      readyAt: T0,
      ...(wave > 0 ? { waitReason: 'concurrency' as const } : {}),
      description: `Handle part ${index} of the work`,
    });
  });
  return fixtureSnapshot(tasks);
}

export const FIXTURE_T0 = T0;

import type { FanoutEvent } from '../contracts/events.js';
import type { DagEdge } from '../contracts/plan.js';
import type { RunRecord, TaskOutput, TaskRecord, TodoItem } from '../contracts/records.js';
import type { Fanout, RunStatusView } from '../contracts/fanout.js';
import type { RunReport } from '../contracts/run-report.js';

/**
 * A stretch of a running task spent waiting (from the stored events): a
 * retry's backoff, a rate limit's pause, or a model call's wait at its
 * endpoint's gate (a rate limit, or the provider's static cap).
 */
export interface TaskPause {
  cause: 'retry' | 'rate-limit' | 'provider-cap';
  /** When the wait began (ms since the epoch) and how long it was, ms. */
  at: number;
  ms: number;
}

/** Runs of at most this many tasks show every output open; bigger runs show them folded. */
export const OUTPUTS_OPEN_MAX = 12;

/**
 * One task as the dashboard and the report show it: its record without the
 * prompt (its spec) and the keys the id stands for, plus what it waited on.
 */
export interface SnapshotTask extends Omit<TaskRecord, 'spec' | 'runId' | 'index' | 'taskId'> {
  /** The task's id in the plan. */
  id: string;
  description?: string;
  /** Its retry backoffs, rate-limit pauses and waits at its provider's gate while it ran; absent when it had none. */
  pauses?: TaskPause[];
}

/**
 * Everything a picture of one run needs, as plain JSON: what the dashboard
 * fetches and what the HTML report embeds. Holds no prompt and nothing of
 * the environment: only records, the report and the outputs.
 */
export interface RunSnapshot {
  run: Pick<RunRecord, 'runId' | 'name' | 'status' | 'createdAt' | 'startedAt' | 'endedAt' | 'error' | 'limit' | 'synthesis'> & {
    edges: DagEdge[];
  };
  tasks: SnapshotTask[];
  todos: TodoItem[];
  report: RunReport;
  /** Outputs by task id. */
  outputs: Record<string, TaskOutput>;
  /** When the snapshot was taken (ms since the epoch): "now" of a live run. */
  takenAt: number;
}

/** The snapshot of a status view and its outputs, taken at `takenAt`; `pauses` by task handle. */
export function snapshotOf(view: RunStatusView, outputs: Record<string, TaskOutput>, takenAt: number, pauses: ReadonlyMap<string, TaskPause[]> = new Map()): RunSnapshot {
  const { run } = view;
  return {
    run: {
      runId: run.runId,
      name: run.name,
      status: run.status,
      createdAt: run.createdAt,
      ...(run.startedAt === undefined ? {} : { startedAt: run.startedAt }),
      ...(run.endedAt === undefined ? {} : { endedAt: run.endedAt }),
      ...(run.error === undefined ? {} : { error: run.error }),
      ...(run.limit === undefined ? {} : { limit: run.limit }),
      ...(run.synthesis === undefined ? {} : { synthesis: run.synthesis }),
      edges: run.dag.edges,
    },
    tasks: view.tasks.map(({ spec, runId: _runId, index: _index, taskId, ...task }) => ({
      id: taskId,
      ...task,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      ...(pauses.has(task.handle) ? { pauses: pauses.get(task.handle) } : {}),
    })),
    todos: view.todos,
    report: view.report,
    outputs,
    takenAt,
  };
}

/** What {@link loadRunSnapshot} reads besides the records. */
export interface LoadSnapshotOptions {
  /**
   * Read the finished tasks' outputs only when the run has at most this
   * many tasks (default: always). The dashboard passes {@link OUTPUTS_OPEN_MAX}
   * and reads an output when it is unfolded: reading 1,000 outputs on every
   * refresh would hold its server.
   */
  outputsUpTo?: number;
  now?: () => number;
}

/**
 * Reads a run (by run id or task handle) through the library: its status
 * view, the pauses of tasks that retried or waited for their endpoint
 * (from their stored events), and every finished task's output. Throws NOT_FOUND.
 */
export async function loadRunSnapshot(fanout: Fanout, target: string, options: LoadSnapshotOptions = {}): Promise<RunSnapshot> {
  const now = options.now ?? Date.now;
  const view = fanout.status(target);
  const pauses = pausesOf(fanout, view);
  const { runId, status } = view.run;
  if (view.tasks.length > (options.outputsUpTo ?? Number.POSITIVE_INFINITY)) return snapshotOf(view, {}, now(), pauses);
  if (status !== 'running' && status !== 'synthesizing') {
    // A finished run's result holds every output in one read of the store.
    const result = await fanout.wait(runId);
    return snapshotOf(view, result.outputs, now(), pauses);
  }
  const outputs: Record<string, TaskOutput> = {};
  for (const task of view.tasks) {
    if (task.status !== 'succeeded' && task.status !== 'failed' && task.status !== 'limit') continue;
    const { output } = await fanout.output(task.handle);
    if (output !== undefined) outputs[task.taskId] = output;
  }
  return snapshotOf(view, outputs, now(), pauses);
}

/**
 * Pauses of the tasks whose records say they retried or waited for their
 * endpoint (rate limits, caps), by handle: events are read only when one
 * did, and then once for the run (a task's events are a filter of the run's).
 */
function pausesOf(fanout: Fanout, view: RunStatusView): Map<string, TaskPause[]> {
  const pauses = new Map<string, TaskPause[]>();
  const paused = new Set(view.tasks.filter((task) => task.retries > 0 || (task.rateLimitWaitMs ?? 0) > 0).map((task) => task.handle));
  if (paused.size === 0) return pauses;
  for (const { event } of fanout.events(view.run.runId)) {
    const pause = pauseOf(event);
    if (pause === undefined || !('handle' in event) || !paused.has(event.handle)) continue;
    const found = pauses.get(event.handle);
    if (found === undefined) pauses.set(event.handle, [pause]);
    else found.push(pause);
  }
  return pauses;
}

/** The pause an event starts, if it starts one. */
export function pauseOf(event: FanoutEvent): TaskPause | undefined {
  if (event.type === 'task-retry') return { cause: 'retry', at: event.at, ms: event.waitMs };
  if (event.type === 'rate-limited') return { cause: 'rate-limit', at: event.at, ms: event.waitMs };
  // Stored when the call started: the wait began waitedMs before.
  if (event.type === 'call-waited') return { cause: event.reason, at: event.at - event.waitedMs, ms: event.waitedMs };
  return undefined;
}

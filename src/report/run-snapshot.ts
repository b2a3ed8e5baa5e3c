import type { DagEdge } from '../contracts/plan.js';
import type { RefusedCall, RunStatus, SynthesisResult, TaskOutput, TaskStatus, TodoItem, WaitReason } from '../contracts/records.js';
import type { Fanout, RunReport, RunStatusView } from '../contracts/fanout.js';

/** One task as the dashboard and the report show it: its record without the prompt, plus what it waited on. */
export interface SnapshotTask {
  id: string;
  handle: string;
  description?: string;
  status: TaskStatus;
  queuedAt: number;
  readyAt?: number;
  startedAt?: number;
  endedAt?: number;
  turns: number;
  inputTokens: number;
  outputTokens: number;
  retries: number;
  retryWaitMs: number;
  costUsd?: number;
  waitReason?: WaitReason;
  error?: string;
  /** Files the task wrote or edited. */
  writes?: string[];
  /** Tool calls the sandbox refused. */
  refused?: RefusedCall[];
}

/**
 * Everything a picture of one run needs, as plain JSON: what the dashboard
 * fetches and what the HTML report embeds. Holds no prompt and nothing of
 * the environment: only records, the report and the outputs.
 */
export interface RunSnapshot {
  run: {
    runId: string;
    name: string;
    status: RunStatus;
    createdAt: number;
    startedAt?: number;
    endedAt?: number;
    error?: string;
    limit?: string;
    synthesis?: SynthesisResult;
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

/** The snapshot of a status view and its outputs, taken at `takenAt`. */
export function snapshotOf(view: RunStatusView, outputs: Record<string, TaskOutput>, takenAt: number): RunSnapshot {
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
    })),
    todos: view.todos,
    report: view.report,
    outputs,
    takenAt,
  };
}

/**
 * Reads a run (by run id or task handle) through the library: its status
 * view and every finished task's output. Throws NOT_FOUND.
 */
export async function loadRunSnapshot(fanout: Fanout, target: string, now: () => number = Date.now): Promise<RunSnapshot> {
  const view = fanout.status(target);
  const { runId, status } = view.run;
  if (status !== 'running' && status !== 'synthesizing') {
    // A finished run's result holds every output in one read of the store.
    const result = await fanout.wait(runId);
    return snapshotOf(view, result.outputs, now());
  }
  const outputs: Record<string, TaskOutput> = {};
  for (const task of view.tasks) {
    if (task.status !== 'succeeded' && task.status !== 'failed' && task.status !== 'limit') continue;
    const { output } = await fanout.output(task.handle);
    if (output !== undefined) outputs[task.taskId] = output;
  }
  return snapshotOf(view, outputs, now());
}

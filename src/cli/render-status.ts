import type { RunRecord, TaskRecord, TodoItem, TodoStatus } from '../engine/types.js';
import { formatColumns, formatDuration, formatElapsed, formatTimestamp, formatTokens } from './format.js';

/** A run with its tasks, as listed by `fanout runs`. */
export interface RunWithTasks {
  run: RunRecord;
  tasks: TaskRecord[];
}

/** First task start to last task end (to `now` while tasks still run); undefined before any task started. */
export function taskWallMs(tasks: readonly TaskRecord[], now: number): number | undefined {
  const started = tasks.filter((task) => task.startedAt !== undefined);
  if (started.length === 0) return undefined;
  const first = Math.min(...started.map((task) => task.startedAt as number));
  const last = Math.max(...started.map((task) => task.endedAt ?? now));
  return last - first;
}

/** The `fanout runs` table: id, name, status, tasks succeeded/total, created, wall time. */
export function renderRunList(runs: readonly RunWithTasks[], now: number): string[] {
  if (runs.length === 0) return ['No runs yet. Try: fanout demo'];
  const rows = runs.map(({ run, tasks }) => {
    const succeeded = tasks.filter((task) => task.status === 'succeeded').length;
    const wall = taskWallMs(tasks, now);
    return [run.runId, run.name, run.status, `${succeeded}/${tasks.length}`, formatTimestamp(run.createdAt), wall === undefined ? '-' : formatDuration(wall)];
  });
  return formatColumns([['run', 'name', 'status', 'tasks ok', 'created', 'wall'], ...rows], new Set([3, 5]));
}

const TODO_SYMBOL: Record<TodoStatus, string> = {
  pending: '○',
  in_progress: '▶',
  completed: '✔',
  failed: '✖',
  skipped: '⊘',
  stopped: '■',
};

/**
 * `fanout status`: the run's header, its todo list and a line per task
 * (status, handle, elapsed, turns, tokens, error). `processGone` marks a run
 * whose executing process no longer exists.
 */
export function renderRunStatus(
  run: RunRecord,
  tasks: readonly TaskRecord[],
  todos: readonly TodoItem[],
  now: number,
  processGone: boolean,
): string[] {
  const active = run.status === 'running' || run.status === 'synthesizing';
  const pid = active && run.pid !== undefined ? ` (pid ${run.pid})` : '';
  const state = processGone ? `${run.status}, but its process ${run.pid} is gone (interrupted)` : `${run.status}${pid}`;
  const lines = [`run ${run.runId} "${run.name}"  ${state}`, `  created ${formatTimestamp(run.createdAt)} · cwd ${run.cwd}`];
  if (run.error) lines.push(`  error: ${run.error}`);
  if (todos.length > 0) {
    lines.push('', 'Todo list');
    lines.push(...todos.map((item) => `  ${TODO_SYMBOL[item.status]} ${item.content}  (${item.status})`));
  }
  lines.push('', 'Tasks');
  const rows = tasks.map((task) => {
    const elapsed = task.startedAt === undefined ? '-' : formatElapsed((task.endedAt ?? now) - task.startedAt);
    return [task.taskId, task.handle, task.status, elapsed, `${task.turns}`, `${formatTokens(task.inputTokens)}/${formatTokens(task.outputTokens)}`, task.error ?? ''];
  });
  lines.push(...formatColumns([['task', 'handle', 'status', 'elapsed', 'turns', 'tokens in/out', ''], ...rows], new Set([3, 4])).map((line) => `  ${line}`));
  return lines;
}

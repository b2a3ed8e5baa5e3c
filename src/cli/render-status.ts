import { refusedMark } from './render-progress.js';
import { renderChangeReview } from './render-changes.js';
import type { RunStatusView } from '../contracts/fanout.js';
import type { TaskTiming } from '../contracts/run-report.js';
import type { TodoStatus } from '../contracts/records.js';
import { formatColumns, formatDuration, formatElapsed, formatTimestamp, formatTokens } from './format.js';

/** The run's wall time from its report; undefined before any task started. */
export function reportedWallMs(view: RunStatusView): number | undefined {
  return view.report.tasks.some((task) => task.startedAt !== undefined) ? view.report.wallMs : undefined;
}

/** The `fanout runs` table: id, name, status, tasks succeeded/total, created, wall time. */
export function renderRunList(views: readonly RunStatusView[]): string[] {
  if (views.length === 0) return ['No runs yet. Try: fanout demo'];
  const rows = views.map((view) => {
    const { run, tasks } = view;
    const succeeded = tasks.filter((task) => task.status === 'succeeded').length;
    const wall = reportedWallMs(view);
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
 * `fanout status`: the run's header (with its error, e.g. why it was
 * interrupted), its todo list and a line per task (status, handle, elapsed
 * time from the run's report, turns, tokens, error).
 */
export function renderRunStatus(view: RunStatusView, options: { verbose?: boolean } = {}): string[] {
  const { run, tasks, todos, report } = view;
  const active = run.status === 'running' || run.status === 'synthesizing';
  const pid = active && run.pid !== undefined ? ` (pid ${run.pid})` : '';
  const lines = [`run ${run.runId} "${run.name}"  ${run.status}${pid}`, `  created ${formatTimestamp(run.createdAt)} · cwd ${run.cwd}`];
  if (run.error) lines.push(`  error: ${run.error}`);
  if (todos.length > 0) {
    lines.push('', 'Todo list');
    lines.push(...todos.map((item) => `  ${TODO_SYMBOL[item.status]} ${item.content}  (${item.status})`));
  }
  lines.push('', 'Tasks');
  const timings = new Map<string, TaskTiming>(report.tasks.map((timing) => [timing.handle, timing]));
  const rows = tasks.map((task) => {
    const timing = timings.get(task.handle);
    const elapsed = timing?.startedAt === undefined ? '-' : formatElapsed(timing.durationMs);
    const refused = task.refused?.length ?? 0;
    const note = [refused > 0 ? refusedMark(refused) : '', task.error ?? ''].filter(Boolean).join(' · ');
    return [task.taskId, task.handle, task.status, elapsed, `${task.turns}`, `${formatTokens(task.inputTokens)}/${formatTokens(task.outputTokens)}`, note];
  });
  lines.push(...formatColumns([['task', 'handle', 'status', 'elapsed', 'turns', 'tokens in/out', ''], ...rows], new Set([3, 4])).map((line) => `  ${line}`));
  lines.push(...writesLines(tasks, run.runId, options.verbose === true));
  if (report.changes !== undefined) lines.push('', ...renderChangeReview(report.changes, run.runId));
  return lines;
}

/**
 * What the tasks wrote and what the sandbox refused: with `verbose`, per
 * task the paths written and every refusal; without, one hint line when
 * something was refused.
 */
function writesLines(tasks: RunStatusView['tasks'], runId: string, verbose: boolean): string[] {
  const refused = tasks.reduce((sum, task) => sum + (task.refused?.length ?? 0), 0);
  if (!verbose) return refused === 0 ? [] : ['', `  ${refusedMark(refused)} tool call${refused === 1 ? '' : 's'}; the paths: fanout status ${runId} --verbose`];
  const lines = ['', 'Writes'];
  for (const task of tasks) {
    lines.push(`  ${task.taskId}: ${task.writes === undefined ? 'no files written' : `wrote ${task.writes.join(', ')}`}`);
    for (const call of task.refused ?? []) lines.push(`    ⚠ refused ${call.tool}: ${call.detail}`);
  }
  return lines;
}

import type { RunReport, TaskTiming } from '../contracts/run-report.js';
import { NOTABLE_WAIT_MS, rateLimitOnlyMs } from '../contracts/run-report.js';
import type { TaskRecord } from '../contracts/records.js';
import { formatColumns, formatCost, formatDuration, formatTokens, truncate } from './format.js';

/** Default width of a Gantt bar, in characters. */
export const DEFAULT_GANTT_WIDTH = 30;

/**
 * One Gantt bar: `width` cells spanning `spanMs`, filled where the task ran.
 * A task that ran at all gets at least one cell, so short tasks stay visible.
 */
export function ganttBar(startOffsetMs: number, durationMs: number, spanMs: number, width: number): string {
  if (width <= 0) return '';
  if (spanMs <= 0) return '█'.repeat(width);
  const from = Math.min(width - 1, Math.max(0, Math.floor((startOffsetMs / spanMs) * width)));
  const to = Math.min(width, Math.max(from + 1, Math.ceil(((startOffsetMs + durationMs) / spanMs) * width)));
  return ' '.repeat(from) + '█'.repeat(to - from) + ' '.repeat(width - to);
}

/** First task start, and span to the last task end, of the tasks that ran. */
function timeline(tasks: readonly TaskTiming[]): { t0: number; spanMs: number } | undefined {
  const started = tasks.filter((task) => task.startedAt !== undefined);
  if (started.length === 0) return undefined;
  const t0 = Math.min(...started.map((task) => task.startedAt as number));
  const end = Math.max(...started.map((task) => task.endedAt ?? (task.startedAt as number) + task.durationMs));
  return { t0, spanMs: end - t0 };
}

function waitCell(task: TaskTiming): string {
  if (task.waitMs < NOTABLE_WAIT_MS) return '';
  return task.waitReason ? `${formatDuration(task.waitMs)} ${task.waitReason}` : formatDuration(task.waitMs);
}

/** `3.61×`: speedup with two decimals. */
export function formatSpeedup(speedup: number): string {
  return Number.isFinite(speedup) && speedup > 0 ? `${speedup.toFixed(2)}×` : '-';
}

/** `98%`: a ratio as a whole percentage. */
export function formatPercent(ratio: number): string {
  return Number.isFinite(ratio) ? `${Math.round(ratio * 100)}%` : '-';
}

/** Options of {@link renderReport}. */
export interface ReportRenderOptions {
  /** Width of the Gantt bars. Default {@link DEFAULT_GANTT_WIDTH}. */
  ganttWidth?: number;
  /** Why tasks stopped, by task id (the task records' `error`): shown for tasks with status `limit`. */
  reasons?: ReadonlyMap<string, string>;
  /**
   * Terminal width: the table drops columns (cost, tokens, turns, retries,
   * waited, start), then narrows the Gantt bars, rather than wrap; summary
   * lines are cut. Default: no limit.
   */
  width?: number;
}

/** One column of the timing table; `key` names the columns that may be dropped. */
interface Column {
  key: string;
  cells: string[];
  alignRight?: boolean;
}

/** Columns given up, in this order, when the table is wider than the terminal. */
const DROP_ORDER = ['cost', 'tokens', 'turns', 'retries', 'limits', 'cap', 'waited', 'start'];
const MIN_GANTT_WIDTH = 10;

/** The run's estimated cost: `$0 (simulated)` when only the simulated model ran, `n/a` when a price is unknown. */
export function formatRunCost(report: RunReport): string {
  return report.simulated && report.costUsd === 0 ? '$0 (simulated)' : formatCost(report.costUsd);
}

/** The recorded reasons of the tasks that hit a limit, by task id, for {@link ReportRenderOptions.reasons}. */
export function limitReasons(tasks: readonly TaskRecord[]): Map<string, string> {
  return new Map(
    tasks.filter((task) => task.status === 'limit' && task.error !== undefined).map((task) => [task.taskId, task.error as string]),
  );
}

/** One line per task that hit a cap, with the reason when it is known. */
function limitLines(report: RunReport, reasons: ReadonlyMap<string, string> | undefined): string[] {
  return report.tasks
    .filter((task) => task.status === 'limit')
    .map((task) => {
      const reason = reasons?.get(task.id);
      return `  ⚠ ${task.id} hit a limit${reason === undefined ? '' : `: ${reason}`}`;
    });
}

/**
 * The timing table of a run: per task its start offset, duration, turns,
 * tokens, estimated cost, status and a Gantt bar, and why tasks hit a limit;
 * then the sequential sum against the wall time, the speedup, the
 * efficiency, the critical path, tokens and cost in total, and the diagnostics.
 */
export function renderReport(report: RunReport, options: ReportRenderOptions = {}): string[] {
  const maxWidth = options.width ?? Number.POSITIVE_INFINITY;
  const span = timeline(report.tasks);
  const offsetOf = (task: TaskTiming): number | undefined =>
    task.startedAt !== undefined && span !== undefined ? task.startedAt - span.t0 : undefined;
  const column = (key: string, header: string, cell: (task: TaskTiming) => string, alignRight = false): Column => ({
    key,
    cells: [header, ...report.tasks.map(cell)],
    alignRight,
  });
  let columns: Column[] = [
    column('task', 'task', (task) => task.id),
    column('start', 'start', (task) => {
      const offset = offsetOf(task);
      return offset === undefined ? '-' : `+${formatDuration(offset)}`;
    }, true),
    column('duration', 'duration', (task) => (offsetOf(task) === undefined ? '-' : formatDuration(task.durationMs)), true),
    column('turns', 'turns', (task) => String(task.turns), true),
    column('tokens', 'tokens in/out', (task) => `${formatTokens(task.inputTokens)}/${formatTokens(task.outputTokens)}`),
    column('cost', 'cost', (task) => formatCost(task.costUsd), true),
    column('status', 'status', (task) => task.status),
  ];
  if (report.tasks.some((task) => task.waitMs >= NOTABLE_WAIT_MS)) columns.push(column('waited', 'waited', waitCell));
  // A provider cap is one someone set, not a rate limit: each has its own column.
  const notable = (ms: number): string => (ms >= NOTABLE_WAIT_MS ? formatDuration(ms) : '');
  if (report.tasks.some((task) => rateLimitOnlyMs(task) >= NOTABLE_WAIT_MS)) columns.push(column('limits', 'rate limits', (task) => notable(rateLimitOnlyMs(task))));
  if (report.tasks.some((task) => (task.providerCapWaitMs ?? 0) >= NOTABLE_WAIT_MS)) {
    columns.push(column('cap', 'provider cap', (task) => notable(task.providerCapWaitMs ?? 0)));
  }
  if (report.tasks.some((task) => task.retries > 0)) {
    columns.push(column('retries', 'retries', (task) => (task.retries > 0 ? `${task.retries} (${formatDuration(task.retryWaitMs)})` : '')));
  }
  const tableWidth = (ganttWidth: number): number =>
    2 + columns.reduce((sum, { cells }) => sum + Math.max(...cells.map((cell) => cell.length)) + 2, 0) + ganttWidth + 2;
  // Cost and tokens go first, then the bars narrow, then the other columns go, then the bars.
  let ganttWidth = options.ganttWidth ?? DEFAULT_GANTT_WIDTH;
  for (const key of DROP_ORDER) {
    if (tableWidth(Math.min(ganttWidth, MIN_GANTT_WIDTH)) <= maxWidth && key !== 'cost' && key !== 'tokens') break;
    if (tableWidth(ganttWidth) <= maxWidth) break;
    columns = columns.filter((candidate) => candidate.key !== key);
  }
  ganttWidth = Math.min(ganttWidth, Math.max(MIN_GANTT_WIDTH, maxWidth - tableWidth(0)));
  if (tableWidth(ganttWidth) <= maxWidth) {
    columns.push({
      key: 'gantt',
      cells: [
        span ? `0 ${'─'.repeat(Math.max(0, ganttWidth - 1 - formatDuration(span.spanMs).length))} ${formatDuration(span.spanMs)}` : '',
        ...report.tasks.map((task) => {
          const offset = offsetOf(task);
          return offset === undefined || span === undefined
            ? `│${' '.repeat(ganttWidth)}│`
            : `│${ganttBar(offset, task.durationMs, span.spanMs, ganttWidth)}│`;
        }),
      ],
    });
  }
  const rows = report.tasks.map((_, index) => columns.map((col) => col.cells[index + 1] ?? ''));
  const header = columns.map((col) => col.cells[0] ?? '');
  const alignRight = new Set(columns.flatMap((col, index) => (col.alignRight ? [index] : [])));
  const lines = formatColumns([header, ...rows], alignRight).map((line) => `  ${line}`);
  lines.push(...limitLines(report, options.reasons));
  const taskCount = report.tasks.length;
  const summary: string[][] = [
    ['Sequential (sum of task times)', formatDuration(report.sequentialMs), `${taskCount} task${taskCount === 1 ? '' : 's'} one after another`],
    ['Parallel (wall time)', formatDuration(report.wallMs), 'first task start → last task end'],
    ['Speedup', formatSpeedup(report.speedup), 'sequential ÷ wall'],
    [
      'Efficiency',
      formatPercent(report.efficiency),
      `critical path ${formatDuration(report.criticalPathMs)} ÷ wall (100% = only dependencies held the run back)`,
    ],
    ['Critical path', report.criticalPath.length > 0 ? report.criticalPath.join(' → ') : '-', ''],
  ];
  if (report.synthesisMs !== undefined) {
    summary.push(['Synthesis', formatDuration(report.synthesisMs), 'after the tasks, not in the wall time']);
  }
  if (report.resumed !== undefined) {
    const { attempts, executingMs } = report.resumed;
    summary.push(['Resumed', `${attempts} attempts`, `${formatDuration(executingMs)} executing in all, the time between attempts not counted`]);
  }
  summary.push(['Tokens', `${formatTokens(report.inputTokens)} in / ${formatTokens(report.outputTokens)} out`, '']);
  summary.push([
    'Cost (estimated)',
    formatRunCost(report),
    report.costUsd === undefined ? 'a model used has no price in the price table' : 'tasks and synthesis, from the price table',
  ]);
  let summaryLines = formatColumns(summary).map((line) => `  ${line}`);
  // Too narrow for the explanations: the figures alone.
  if (summaryLines.some((line) => line.length > maxWidth)) summaryLines = formatColumns(summary.map((row) => row.slice(0, 2))).map((line) => `  ${line}`);
  lines.push('', ...summaryLines.map((line) => truncate(line, maxWidth)));
  if (report.diagnostics.length > 0) {
    lines.push('', ...report.diagnostics.map((sentence) => `  ! ${sentence}`));
  }
  return lines;
}

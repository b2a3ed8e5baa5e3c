import { formatDollars, formatMs, formatSpeedupText, formatTokenCount, gateWaitCell, gateWaitColumns, runCostText, WAIT_CAUSE_LABELS, type GateWaitColumn } from './format.js';
import type { RunSnapshot } from './run-snapshot.js';
import { buildTimeline, type TimelineRow } from './timeline.js';

/** Width of the text Gantt's bars, in characters. */
export const TEXT_GANTT_WIDTH = 40;

/**
 * A Markdown summary of a run for a pull-request description: the figures,
 * the timing table, a text Gantt (in a code block: no links, no images),
 * where time went, and the synthesis with its disagreements.
 */
export function renderMarkdownReport(snapshot: RunSnapshot): string {
  const { run, report, tasks } = snapshot;
  const succeeded = tasks.filter((task) => task.status === 'succeeded').length;
  const gateColumns = gateWaitColumns(report.tasks);
  const lines = [
    `## fanout run ${cell(run.name)} — ${run.status}`,
    '',
    `\`${run.runId}\`${report.simulated ? ' · simulated model' : ''}`,
    '',
    '| Tasks | Wall | Sequential | Speedup | Critical path | Tokens in / out | Cost |',
    '|---|---|---|---|---|---|---|',
    `| ${succeeded}/${tasks.length} succeeded | ${formatMs(report.wallMs)} | ${formatMs(report.sequentialMs)} | ${formatSpeedupText(report.speedup)} | ${formatMs(report.criticalPathMs)} | ${formatTokenCount(report.inputTokens)} / ${formatTokenCount(report.outputTokens)} | ${runCostText(snapshot)} |`,
    '',
    '### Timing',
    '',
    `| Task | Status | Waited | Start | Duration | Turns | Tokens in | Tokens out | ${gateColumns.map((column) => `${column.header} | `).join('')}Retries | Cost |`,
    `|---|---|---|---:|---:|---:|---:|---:|${'---:|'.repeat(gateColumns.length)}---:|---:|`,
    ...timingRows(snapshot, gateColumns),
    '',
    '### Timeline',
    '',
    '```text',
    ...textGantt(snapshot),
    '```',
  ];
  if (report.diagnostics.length > 0) lines.push('', '### Where time went', '', ...report.diagnostics.map((line) => `- ${line}`));
  lines.push(...writesSection(snapshot));
  if (run.synthesis !== undefined) {
    lines.push('', '### Synthesis', '', run.synthesis.text.trim(), '', '#### Disagreements', '');
    lines.push(...(run.synthesis.disagreements.length === 0 ? ['None found.'] : run.synthesis.disagreements.map((line) => `- ${line}`)));
  }
  return `${lines.join('\n')}\n`;
}

/** Per task the files it wrote and the calls the sandbox refused (⚠), when any task has either. */
function writesSection(snapshot: RunSnapshot): string[] {
  const tasks = snapshot.tasks.filter((task) => (task.writes?.length ?? 0) > 0 || (task.refused?.length ?? 0) > 0);
  if (tasks.length === 0) return [];
  const lines = ['', '### Writes', ''];
  for (const task of tasks) {
    const refused = task.refused ?? [];
    const wrote = task.writes === undefined ? 'no files written' : `wrote ${task.writes.map((path) => `\`${path}\``).join(', ')}`;
    lines.push(`- **${cell(task.id)}**: ${wrote}${refused.length > 0 ? ` · ⚠ ${refused.length} refused` : ''}`);
    for (const call of refused) lines.push(`  - ⚠ ${call.tool}: ${cell(call.detail)}`);
  }
  return lines;
}

function timingRows(snapshot: RunSnapshot, gateColumns: readonly GateWaitColumn[]): string[] {
  const critical = new Set(snapshot.report.criticalPath);
  const timings = new Map(snapshot.report.tasks.map((timing) => [timing.id, timing]));
  const t0 = snapshot.report.startedAt;
  return snapshot.tasks.map((task) => {
    const timing = timings.get(task.id);
    const waited = timing !== undefined && timing.waitMs > 0 ? `${formatMs(timing.waitMs)}${task.waitReason === undefined ? '' : ` ${WAIT_CAUSE_LABELS[task.waitReason] ?? task.waitReason}`}` : '-';
    const refused = task.refused === undefined || task.refused.length === 0 ? '' : ` ⚠ ${task.refused.length} refused`;
    return `| ${critical.has(task.id) ? '◆ ' : ''}${cell(task.id)} | ${task.status}${refused} | ${waited} | ${task.startedAt === undefined ? '-' : formatMs(task.startedAt - t0)} | ${timing === undefined || task.startedAt === undefined ? '-' : formatMs(timing.durationMs)} | ${task.turns} | ${formatTokenCount(task.inputTokens)} | ${formatTokenCount(task.outputTokens)} | ${gateColumns.map((column) => `${gateWaitCell(column, timing)} | `).join('')}${task.retries} | ${formatDollars(task.costUsd)} |`;
  });
}

/**
 * The timeline as text: `░` where a task waited, `█` where it ran, `▒`
 * where it was paused while running (retry backoff, rate limit, provider
 * cap), one row per task with its times, waits and pauses spelled out, `◆`
 * on the critical path.
 */
export function textGantt(snapshot: RunSnapshot, width: number = TEXT_GANTT_WIDTH): string[] {
  const timeline = buildTimeline(snapshot);
  const idWidth = Math.min(24, Math.max(4, ...timeline.rows.map((row) => row.id.length + 2)));
  const cellOf = (ms: number): number => Math.min(width, Math.max(0, Math.round((ms / timeline.spanMs) * width)));
  const rows = timeline.rows.map((row) => {
    const cells = Array.from({ length: width }, () => ' ');
    for (const wait of row.waits) fill(cells, cellOf(wait.fromMs), cellOf(wait.toMs), '░');
    if (row.startMs !== undefined && row.endMs !== undefined) fill(cells, cellOf(row.startMs), Math.max(cellOf(row.startMs) + 1, cellOf(row.endMs)), '█');
    for (const pause of row.pauses) fill(cells, cellOf(pause.fromMs), cellOf(pause.toMs), '▒');
    const name = `${row.critical ? '◆ ' : '  '}${row.id}`;
    return `${name.length > idWidth ? `${name.slice(0, idWidth - 1)}…` : name.padEnd(idWidth)} |${cells.join('')}| ${rowText(row)}`;
  });
  return [...rows, `${' '.repeat(idWidth)}  0${formatMs(timeline.spanMs).padStart(width - 1)}`, '█ ran  ░ waited  ▒ paused while running  ◆ critical path'];
}

function fill(cells: string[], from: number, to: number, mark: string): void {
  for (let index = from; index < Math.min(to, cells.length); index += 1) cells[index] = mark;
}

function rowText(row: TimelineRow): string {
  const ran = row.startMs === undefined || row.endMs === undefined ? row.status : `${formatMs(row.startMs)}–${formatMs(row.endMs)} ${row.status}`;
  const waits = row.waits.map((wait) => `waited ${formatMs(wait.toMs - wait.fromMs)} (${WAIT_CAUSE_LABELS[wait.cause] ?? wait.cause})`);
  const pauses = row.pauses.map((pause) => `paused ${formatMs(pause.toMs - pause.fromMs)} (${WAIT_CAUSE_LABELS[pause.cause] ?? pause.cause})`);
  return [ran, ...waits, ...pauses].join(', ');
}

/** Text for a table cell: pipes escaped, one line. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
}

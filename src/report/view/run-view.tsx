import type { ComponentChildren, VNode } from 'preact';
import { useMemo } from 'preact/hooks';
import { formatDollars, formatMs, formatSpeedupText, formatTokenCount, runCostText, WAIT_CAUSE_LABELS } from '../format.js';
import type { RunSnapshot, SnapshotTask } from '../run-snapshot.js';
import { buildTimeline, type Timeline, type TimelineRow } from '../timeline.js';
import { JsonTree } from './json-tree.js';
import { Markdown } from './markdown.js';

/** Height of a timeline row in px: the edge overlay's rows line up with it. */
const ROW_PX = 28;

/** What the dashboard adds to the run view; the static report passes none of it. */
export interface RunViewProps {
  snapshot: RunSnapshot;
  /** The selected task id (its row is highlighted). */
  selected?: string;
  /** Called when a bar is clicked or chosen with Enter. */
  onSelect?: (id: string) => void;
  /** Controls shown in a task's timing-table row (e.g. a stop button). */
  taskControls?: (task: SnapshotTask) => ComponentChildren;
  /** Shown between the timeline and the tables (e.g. the selected task's transcript). */
  beside?: ComponentChildren;
}

/** The picture of one run: summary, Gantt timeline, timing table, todo list, synthesis, outputs. */
export function RunView(props: RunViewProps): VNode {
  const { snapshot } = props;
  const timeline = buildTimeline(snapshot);
  // Outputs change only when a snapshot is read again, not with each live event: not re-rendered in between.
  const outputs = useMemo(() => <Outputs snapshot={snapshot} />, [snapshot.outputs]);
  return (
    <article class="run" data-run={snapshot.run.runId}>
      <RunSummary snapshot={snapshot} />
      <Gantt timeline={timeline} {...(props.selected === undefined ? {} : { selected: props.selected })} {...(props.onSelect === undefined ? {} : { onSelect: props.onSelect })} />
      {props.beside}
      <TimingTable snapshot={snapshot} {...(props.taskControls === undefined ? {} : { controls: props.taskControls })} />
      <Diagnostics snapshot={snapshot} />
      <TodoList snapshot={snapshot} />
      <Synthesis snapshot={snapshot} />
      {outputs}
    </article>
  );
}

function RunSummary({ snapshot }: { snapshot: RunSnapshot }): VNode {
  const { run, report, tasks } = snapshot;
  const succeeded = tasks.filter((task) => task.status === 'succeeded').length;
  const facts: Array<[string, string]> = [
    ['Tasks', `${succeeded}/${tasks.length} succeeded`],
    ['Wall', formatMs(report.wallMs)],
    ['Sequential', formatMs(report.sequentialMs)],
    ['Speedup', formatSpeedupText(report.speedup)],
    ['Critical path', formatMs(report.criticalPathMs)],
    ['Efficiency', `${Math.round(report.efficiency * 100)}%`],
    ['Tokens', `${formatTokenCount(report.inputTokens)} in / ${formatTokenCount(report.outputTokens)} out`],
    ['Cost', runCostText(snapshot)],
  ];
  return (
    <header>
      <h1>
        {run.name} <span class={`status status-${run.status}`}>{run.status}</span>
      </h1>
      <p class="muted">
        {run.runId} · created {new Date(run.createdAt).toISOString().replace('T', ' ').slice(0, 19)} UTC
        {report.simulated ? ' · simulated model' : ''}
      </p>
      {run.error === undefined ? null : <p class="warning">{run.error}</p>}
      {run.limit === undefined ? null : <p class="warning">Stopped at a cap: {run.limit}</p>}
      <dl class="facts" aria-label="Run figures">
        {facts.map(([name, value]) => (
          <div key={name} data-fact={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </header>
  );
}

function percent(ms: number, span: number): string {
  return `${((ms / span) * 100).toFixed(3)}%`;
}

function barLabel(row: TimelineRow): string {
  const parts = [`${row.id}: ${row.status}`];
  if (row.startMs !== undefined && row.endMs !== undefined) parts.push(`ran ${formatMs(row.startMs)} to ${formatMs(row.endMs)} (${formatMs(row.endMs - row.startMs)})`);
  else parts.push('not started');
  for (const wait of row.waits) parts.push(`waited ${formatMs(wait.toMs - wait.fromMs)} for ${WAIT_CAUSE_LABELS[wait.cause] ?? wait.cause}`);
  if (row.after.length > 0) parts.push(`after ${row.after.map((edge) => `${edge.id}${edge.kind === 'conflict' ? ' (conflict)' : ''}`).join(', ')}`);
  if (row.critical) parts.push('on the critical path');
  return parts.join('; ');
}

/** Round tick steps for the time axis, in ms. */
const TICK_STEPS = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];

function ticks(span: number): number[] {
  const step = TICK_STEPS.find((candidate) => span / candidate <= 8) ?? span / 8;
  const out: number[] = [];
  for (let at = 0; at <= span; at += step) out.push(at);
  return out;
}

interface GanttProps {
  timeline: Timeline;
  selected?: string;
  onSelect?: (id: string) => void;
}

/** Arrow keys move between bars; Home/End to the first and last; Enter or Space selects. */
function onGanttKey(event: KeyboardEvent, onSelect: ((id: string) => void) | undefined): void {
  const target = event.target as HTMLElement | null;
  if (target === null || !target.classList.contains('bar')) return;
  const bars = [...(target.closest('.gantt')?.querySelectorAll<HTMLElement>('.bar') ?? [])];
  const index = bars.indexOf(target);
  const moves: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: bars.length - 1 };
  const next = moves[event.key];
  if (next !== undefined) {
    event.preventDefault();
    bars[Math.max(0, Math.min(bars.length - 1, next))]?.focus();
  } else if ((event.key === 'Enter' || event.key === ' ') && onSelect !== undefined) {
    event.preventDefault();
    onSelect(target.dataset['task'] ?? '');
  }
}

function Gantt({ timeline, selected, onSelect }: GanttProps): VNode {
  const { spanMs, rows } = timeline;
  const height = rows.length * ROW_PX;
  const causes = [...new Set(rows.flatMap((row) => row.waits.map((wait) => wait.cause)))];
  const critical = new Set(rows.filter((row) => row.critical).map((row) => row.id));
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      <ul class="legend" aria-label="Legend">
        <li>
          <span class="swatch bar status-succeeded" style="position:static" aria-hidden="true" /> ran (colour and label give its status)
        </li>
        <li>
          <span class="swatch" style="border:3px solid #000" aria-hidden="true" /> ◆ critical path
        </li>
        {causes.map((cause) => (
          <li key={cause}>
            <span class={`swatch wait-${cause}`} aria-hidden="true" /> waited: {WAIT_CAUSE_LABELS[cause] ?? cause}
          </li>
        ))}
      </ul>
      <div class="gantt-wrap" tabIndex={-1}>
        <div class="gantt-axis" aria-hidden="true">
          <span class="gantt-label">task</span>
          <div class="ticks">
            {ticks(spanMs).map((at) => (
              <span key={at} class="tick" style={{ left: percent(at, spanMs) }}>
                {formatMs(at)}
              </span>
            ))}
          </div>
        </div>
        <div style="position:relative">
          <ol class="gantt" aria-label="Tasks on a time axis" onKeyDown={(event) => onGanttKey(event, onSelect)}>
            {rows.map((row) => (
              <li key={row.id} class={`gantt-row${row.id === selected ? ' selected' : ''}`} data-task={row.id}>
                <span class="gantt-label" title={row.description ?? row.id}>
                  {row.critical ? <span class="crit" aria-hidden="true">◆ </span> : null}
                  {row.id}
                </span>
                <div class="track">
                  {row.waits.map((wait) => (
                    <span
                      key={`${wait.cause}-${wait.fromMs}`}
                      class={`wait wait-${wait.cause}`}
                      style={{ left: percent(wait.fromMs, spanMs), width: percent(wait.toMs - wait.fromMs, spanMs) }}
                      title={`waited ${formatMs(wait.toMs - wait.fromMs)}: ${WAIT_CAUSE_LABELS[wait.cause] ?? wait.cause}`}
                      data-cause={wait.cause}
                      aria-hidden="true"
                    />
                  ))}
                  {row.startMs === undefined || row.endMs === undefined ? (
                    <span class="sr-only">{barLabel(row)}</span>
                  ) : (
                    <span
                      class={`bar status-${row.status}${row.critical ? ' critical' : ''}`}
                      style={{ left: percent(row.startMs, spanMs), width: percent(row.endMs - row.startMs, spanMs) }}
                      tabIndex={0}
                      role={onSelect === undefined ? 'img' : 'button'}
                      aria-label={barLabel(row)}
                      aria-pressed={onSelect === undefined ? undefined : row.id === selected}
                      title={barLabel(row)}
                      data-task={row.id}
                      data-handle={row.handle}
                      data-start={row.startMs}
                      data-end={row.endMs}
                      data-status={row.status}
                      onClick={onSelect === undefined ? undefined : () => onSelect(row.id)}
                    />
                  )}
                </div>
              </li>
            ))}
          </ol>
          <svg class="edges" viewBox={`0 0 1000 ${Math.max(1, height)}`} preserveAspectRatio="none" aria-hidden="true">
            {timeline.edges.map((edge) => {
              const from = rows[edge.from] as TimelineRow;
              const to = rows[edge.to] as TimelineRow;
              const x1 = ((from.endMs ?? 0) / spanMs) * 1000;
              const x2 = ((to.startMs ?? to.waits.at(-1)?.toMs ?? from.endMs ?? 0) / spanMs) * 1000;
              const onPath = critical.has(from.id) && critical.has(to.id);
              return (
                <line
                  key={`${edge.from}-${edge.to}`}
                  class={`edge-${edge.kind}${onPath ? ' edge-critical' : ''}`}
                  x1={x1}
                  y1={edge.from * ROW_PX + ROW_PX / 2}
                  x2={x2}
                  y2={edge.to * ROW_PX + ROW_PX / 2}
                />
              );
            })}
          </svg>
          {timeline.nowMs === undefined ? null : (
            <div class="now" style={{ left: `calc(14rem + (100% - 14rem) * ${(timeline.nowMs / spanMs).toFixed(4)})` }} aria-hidden="true">
              <span class="now-label">now</span>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

function TimingTable({ snapshot, controls }: { snapshot: RunSnapshot; controls?: (task: SnapshotTask) => ComponentChildren }): VNode {
  const critical = new Set(snapshot.report.criticalPath);
  const timings = new Map(snapshot.report.tasks.map((timing) => [timing.id, timing]));
  const t0 = snapshot.report.startedAt;
  return (
    <section aria-labelledby="timing-heading">
      <h2 id="timing-heading">Timing</h2>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Timing table">
        <table>
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Status</th>
              <th scope="col">Waited</th>
              <th scope="col" class="num">Start</th>
              <th scope="col" class="num">Duration</th>
              <th scope="col" class="num">Turns</th>
              <th scope="col" class="num">Tokens in</th>
              <th scope="col" class="num">Tokens out</th>
              <th scope="col" class="num">Retries</th>
              <th scope="col" class="num">Cost</th>
              {controls === undefined ? null : <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {snapshot.tasks.map((task) => {
              const timing = timings.get(task.id);
              return (
                <tr key={task.id} class={critical.has(task.id) ? 'critical' : undefined} data-task={task.id}>
                  <th scope="row">
                    {critical.has(task.id) ? '◆ ' : ''}
                    {task.id}
                  </th>
                  <td>
                    <span class={`status status-${task.status}`}>{task.status}</span>
                    {task.refused === undefined || task.refused.length === 0 ? null : <span class="warning"> ⚠ {task.refused.length} refused</span>}
                    {task.error === undefined ? null : <span class="muted"> {task.error}</span>}
                  </td>
                  <td>{timing !== undefined && timing.waitMs > 0 ? `${formatMs(timing.waitMs)}${task.waitReason === undefined ? '' : ` (${WAIT_CAUSE_LABELS[task.waitReason] ?? task.waitReason})`}` : '-'}</td>
                  <td class="num">{task.startedAt === undefined ? '-' : formatMs(task.startedAt - t0)}</td>
                  <td class="num" data-duration={timing?.durationMs}>{timing === undefined || task.startedAt === undefined ? '-' : formatMs(timing.durationMs)}</td>
                  <td class="num">{task.turns}</td>
                  <td class="num">{formatTokenCount(task.inputTokens)}</td>
                  <td class="num">{formatTokenCount(task.outputTokens)}</td>
                  <td class="num">{task.retries > 0 ? `${task.retries} (${formatMs(task.retryWaitMs)})` : '0'}</td>
                  <td class="num">{formatDollars(task.costUsd)}</td>
                  {controls === undefined ? null : <td>{controls(task)}</td>}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Diagnostics({ snapshot }: { snapshot: RunSnapshot }): VNode | null {
  const { diagnostics } = snapshot.report;
  if (diagnostics.length === 0) return null;
  return (
    <section aria-labelledby="diagnostics-heading">
      <h2 id="diagnostics-heading">Where time went</h2>
      <ul>
        {diagnostics.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
    </section>
  );
}

const TODO_MARKS: Readonly<Record<string, string>> = { completed: '✔', in_progress: '▶', pending: '○', failed: '✘', skipped: '↷', stopped: '■' };

function TodoList({ snapshot }: { snapshot: RunSnapshot }): VNode {
  return (
    <section aria-labelledby="todo-heading">
      <h2 id="todo-heading">Todo list</h2>
      <ul class="todos">
        {snapshot.todos.map((item) => (
          <li key={item.id} class={`todo-${item.status}`}>
            <span aria-hidden="true">{TODO_MARKS[item.status] ?? '·'} </span>
            {item.content} <span class="muted">({item.status.replace('_', ' ')})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Synthesis({ snapshot }: { snapshot: RunSnapshot }): VNode | null {
  const { synthesis } = snapshot.run;
  if (synthesis === undefined) return null;
  return (
    <section aria-labelledby="synthesis-heading">
      <h2 id="synthesis-heading">Synthesis</h2>
      <Markdown text={synthesis.text} />
      <h3>Disagreements</h3>
      {synthesis.disagreements.length === 0 ? (
        <p class="muted">None found.</p>
      ) : (
        <ul class="disagreements">
          {synthesis.disagreements.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      )}
      <p class="muted">
        {formatMs(synthesis.durationMs)} · {formatTokenCount(synthesis.inputTokens)} in / {formatTokenCount(synthesis.outputTokens)} out · {formatDollars(synthesis.costUsd)}
      </p>
    </section>
  );
}

function Outputs({ snapshot }: { snapshot: RunSnapshot }): VNode {
  const few = snapshot.tasks.length <= 12;
  return (
    <section aria-labelledby="outputs-heading" class="outputs">
      <h2 id="outputs-heading">Outputs</h2>
      {snapshot.tasks.map((task) => {
        const output = snapshot.outputs[task.id];
        return (
          <details key={task.id} id={`output-${task.id}`} open={few && output !== undefined}>
            <summary>
              {task.id} <span class={`status status-${task.status}`}>{task.status}</span>
              {task.description === undefined ? null : <span class="muted"> {task.description}</span>}
            </summary>
            {output === undefined ? (
              <p class="muted">No output{task.error === undefined ? '' : `: ${task.error}`}</p>
            ) : output.json !== undefined ? (
              <JsonTree value={output.json} />
            ) : (
              <Markdown text={output.text} />
            )}
            {output?.truncated ? <p class="warning">Truncated to the store's cap.</p> : null}
            {task.writes === undefined ? null : <p class="muted">Wrote {task.writes.join(', ')}</p>}
            {task.refused === undefined || task.refused.length === 0 ? null : (
              <ul class="warning" aria-label="refused tool calls">
                {task.refused.map((call, at) => (
                  <li key={at}>
                    ⚠ {call.tool}: {call.detail}
                  </li>
                ))}
              </ul>
            )}
          </details>
        );
      })}
    </section>
  );
}

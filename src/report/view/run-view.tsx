import { Component, type ComponentChildren, type VNode } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import type { TaskOutput } from '../../contracts/records.js';
import type { RunReport } from '../../contracts/fanout.js';
import { formatDollars, formatMs, formatSpeedupText, formatTokenCount, runCostText, WAIT_CAUSE_LABELS } from '../format.js';
import { OUTPUTS_OPEN_MAX, type RunSnapshot, type SnapshotTask } from '../run-snapshot.js';
import { buildTimeline, type Timeline, type TimelineRow, type WaitSegment } from '../timeline.js';
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
  /**
   * Reads an output the snapshot does not hold, when its section is unfolded
   * (the dashboard's big runs). Without it every output is rendered from the snapshot.
   */
  loadOutput?: (task: SnapshotTask) => Promise<TaskOutput | undefined>;
  /**
   * The per-task lists below the timeline (timing table, todo list, outputs)
   * show this many rows until "Show all" is pressed (the dashboard: a
   * 1,000-task run opens with its timeline whole and 100 rows of each list).
   * Default: every row (the static report).
   */
  listRows?: number;
}

/** The picture of one run: summary, Gantt timeline, timing table, todo list, synthesis, outputs. */
export function RunView(props: RunViewProps): VNode {
  const { snapshot } = props;
  const timeline = useMemo(() => buildTimeline(snapshot), [snapshot]);
  return (
    <article class="run" data-run={snapshot.run.runId}>
      <RunSummary snapshot={snapshot} />
      <Gantt timeline={timeline} {...(props.selected === undefined ? {} : { selected: props.selected })} {...(props.onSelect === undefined ? {} : { onSelect: props.onSelect })} />
      {props.beside}
      <TimingTable snapshot={snapshot} listRows={props.listRows} {...(props.taskControls === undefined ? {} : { controls: props.taskControls })} />
      <Diagnostics snapshot={snapshot} />
      <TodoList snapshot={snapshot} listRows={props.listRows} />
      <Synthesis snapshot={snapshot} />
      <Outputs snapshot={snapshot} listRows={props.listRows} {...(props.loadOutput === undefined ? {} : { loadOutput: props.loadOutput })} />
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

function causeText(segment: WaitSegment): string {
  return WAIT_CAUSE_LABELS[segment.cause] ?? segment.cause;
}

/** A segment's place on the track: offsets in ms, scaled by the `--span` of the timeline (so a longer span moves no row). */
function placed(fromMs: number, toMs: number): string {
  return `--s:${fromMs};--d:${toMs - fromMs}`;
}

function barLabel(row: TimelineRow): string {
  const parts = [`${row.id}: ${row.status}`];
  if (row.startMs !== undefined && row.endMs !== undefined) parts.push(`ran ${formatMs(row.startMs)} to ${formatMs(row.endMs)} (${formatMs(row.endMs - row.startMs)})`);
  else parts.push('not started');
  for (const wait of row.waits) parts.push(`waited ${formatMs(wait.toMs - wait.fromMs)} for ${causeText(wait)}`);
  for (const pause of row.pauses) parts.push(`paused ${formatMs(pause.toMs - pause.fromMs)} at ${formatMs(pause.fromMs)} for ${causeText(pause)}`);
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

/** A click on a bar selects its task: one listener for the whole timeline, not one per bar. */
function onGanttClick(event: MouseEvent, onSelect: ((id: string) => void) | undefined): void {
  const bar = (event.target as HTMLElement | null)?.closest<HTMLElement>('.bar');
  if (bar !== null && bar !== undefined && onSelect !== undefined) onSelect(bar.dataset['task'] ?? '');
}

function Gantt({ timeline, selected, onSelect }: GanttProps): VNode {
  const { spanMs, rows } = timeline;
  const height = rows.length * ROW_PX;
  const causes = [...new Set(rows.flatMap((row) => [...row.waits, ...row.pauses].map((wait) => wait.cause)))];
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
            <span class={`swatch wait-${cause}`} aria-hidden="true" /> {cause === 'retry' || cause === 'rate-limit' ? 'paused' : 'waited'}: {WAIT_CAUSE_LABELS[cause] ?? cause}
          </li>
        ))}
      </ul>
      <div class="gantt-wrap" tabIndex={-1} style={`--span:${spanMs}`}>
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
          <ol class="gantt" aria-label="Tasks on a time axis" onKeyDown={(event) => onGanttKey(event, onSelect)} onClick={(event) => onGanttClick(event, onSelect)}>
            {rows.map((row) => (
              <GanttRow key={row.id} row={row} selected={row.id === selected} {...(onSelect === undefined ? {} : { onSelect })} />
            ))}
          </ol>
          <svg class="edges" viewBox={`0 0 ${spanMs} ${Math.max(1, height)}`} preserveAspectRatio="none" aria-hidden="true">
            {timeline.edges.map((edge) => {
              const from = rows[edge.from] as TimelineRow;
              const to = rows[edge.to] as TimelineRow;
              const onPath = critical.has(from.id) && critical.has(to.id);
              return (
                <line
                  key={`${edge.from}-${edge.to}`}
                  class={`edge-${edge.kind}${onPath ? ' edge-critical' : ''}`}
                  x1={from.endMs ?? 0}
                  y1={edge.from * ROW_PX + ROW_PX / 2}
                  x2={to.startMs ?? to.waits.at(-1)?.toMs ?? from.endMs ?? 0}
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

interface GanttRowProps {
  row: TimelineRow;
  selected: boolean;
  onSelect?: (id: string) => void;
}

function sameSegments(a: readonly WaitSegment[], b: readonly WaitSegment[]): boolean {
  return a.length === b.length && a.every((segment, index) => segment.cause === b[index]?.cause && segment.fromMs === b[index]?.fromMs && segment.toMs === b[index]?.toMs);
}

/** True when the row would be drawn the same: a live event changes a few rows, and only those are drawn again. */
function sameRow(a: TimelineRow, b: TimelineRow): boolean {
  return (
    a.id === b.id &&
    a.handle === b.handle &&
    a.status === b.status &&
    a.startMs === b.startMs &&
    a.endMs === b.endMs &&
    a.critical === b.critical &&
    a.description === b.description &&
    a.after.length === b.after.length &&
    sameSegments(a.waits, b.waits) &&
    sameSegments(a.pauses, b.pauses)
  );
}

/** One task's row: its waits, its bar (an element carrying its id and times) and the pauses inside it. */
class GanttRow extends Component<GanttRowProps> {
  override shouldComponentUpdate(next: GanttRowProps): boolean {
    const { row, selected, onSelect } = this.props;
    return selected !== next.selected || onSelect !== next.onSelect || !sameRow(row, next.row);
  }

  override render(): VNode {
    const { row, selected, onSelect } = this.props;
    return (
      <li class={`gantt-row${selected ? ' selected' : ''}`} data-task={row.id}>
        <span class="gantt-label" title={row.description ?? row.id}>
          {row.critical ? <span class="crit" aria-hidden="true">◆ </span> : null}
          {row.id}
        </span>
        <div class="track">
          {row.waits.map((wait) => (
            <span
              key={`${wait.cause}-${wait.fromMs}`}
              class={`wait wait-${wait.cause}`}
              style={placed(wait.fromMs, wait.toMs)}
              title={`waited ${formatMs(wait.toMs - wait.fromMs)}: ${causeText(wait)}`}
              data-cause={wait.cause}
              aria-hidden="true"
            />
          ))}
          {row.startMs === undefined || row.endMs === undefined ? (
            <span class="sr-only">{barLabel(row)}</span>
          ) : (
            <span
              class={`bar status-${row.status}${row.critical ? ' critical' : ''}`}
              style={placed(row.startMs, row.endMs)}
              tabIndex={0}
              role={onSelect === undefined ? 'img' : 'button'}
              aria-label={barLabel(row)}
              aria-pressed={onSelect === undefined ? undefined : selected}
              title={barLabel(row)}
              data-task={row.id}
              data-handle={row.handle}
              data-start={row.startMs}
              data-end={row.endMs}
              data-status={row.status}
            />
          )}
          {row.pauses.map((pause) => (
            <span
              key={`${pause.cause}-${pause.fromMs}`}
              class={`pause wait-${pause.cause}`}
              style={placed(pause.fromMs, pause.toMs)}
              title={`paused ${formatMs(pause.toMs - pause.fromMs)}: ${causeText(pause)}`}
              data-cause={pause.cause}
              data-start={pause.fromMs}
              data-end={pause.toMs}
              aria-hidden="true"
            />
          ))}
        </div>
      </li>
    );
  }
}

/**
 * The first `limit` items and a button that shows the rest (every item
 * without a limit). `what` names the items on the button.
 */
function usePage<T>(items: readonly T[], limit: number | undefined, what: string): { shown: readonly T[]; more: VNode | null } {
  const [all, setAll] = useState(false);
  if (limit === undefined || all || items.length <= limit) return { shown: items, more: null };
  return {
    shown: items.slice(0, limit),
    more: (
      <p class="more">
        {limit} of {items.length} {what} shown.{' '}
        <button type="button" class="btn" onClick={() => setAll(true)}>
          Show all {items.length}
        </button>
      </p>
    ),
  };
}

function TimingTable({ snapshot, controls, listRows }: { snapshot: RunSnapshot; controls?: (task: SnapshotTask) => ComponentChildren; listRows: number | undefined }): VNode {
  const { shown, more } = usePage(snapshot.tasks, listRows, 'tasks');
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
            {shown.map((task) => (
              <TimingRow key={task.id} task={task} timing={timings.get(task.id)} critical={critical.has(task.id)} t0={t0} {...(controls === undefined ? {} : { controls })} />
            ))}
          </tbody>
        </table>
      </div>
      {more}
    </section>
  );
}

interface TimingRowProps {
  task: SnapshotTask;
  timing: RunReport['tasks'][number] | undefined;
  critical: boolean;
  t0: number;
  controls?: (task: SnapshotTask) => ComponentChildren;
}

/** Causes that keep a ready task from starting; the others (retries, the model gate) come after its start. */
const START_WAITS: ReadonlySet<string> = new Set(['concurrency', 'sequential']);

/** One task's timing row; drawn again only when its task, its timing or its controls change. */
class TimingRow extends Component<TimingRowProps> {
  override shouldComponentUpdate(next: TimingRowProps): boolean {
    const now = this.props;
    return now.task !== next.task || now.timing !== next.timing || now.critical !== next.critical || now.t0 !== next.t0 || now.controls !== next.controls;
  }

  override render(): VNode {
    const { task, timing, critical, t0, controls } = this.props;
    return (
      <tr class={critical ? 'critical' : undefined} data-task={task.id}>
        <th scope="row">
          {critical ? '◆ ' : ''}
          {task.id}
        </th>
        <td>
          <span class={`status status-${task.status}`}>{task.status}</span>
          {task.refused === undefined || task.refused.length === 0 ? null : <span class="warning"> ⚠ {task.refused.length} refused</span>}
          {task.error === undefined ? null : <span class="muted"> {task.error}</span>}
        </td>
        <td>{timing !== undefined && timing.waitMs > 0 ? `${formatMs(timing.waitMs)}${task.waitReason === undefined || !START_WAITS.has(task.waitReason) ? '' : ` (${WAIT_CAUSE_LABELS[task.waitReason] ?? task.waitReason})`}` : '-'}</td>
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
  }
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

function TodoList({ snapshot, listRows }: { snapshot: RunSnapshot; listRows: number | undefined }): VNode {
  // The todo list changes when a snapshot is read again, not with each live event.
  return useMemo(() => <TodoItems todos={snapshot.todos} listRows={listRows} />, [snapshot.todos, listRows]);
}

function TodoItems({ todos, listRows }: { todos: RunSnapshot['todos']; listRows: number | undefined }): VNode {
  const { shown, more } = usePage(todos, listRows, 'items');
  return (
    <section aria-labelledby="todo-heading">
      <h2 id="todo-heading">Todo list</h2>
      <ul class="todos">
        {shown.map((item) => (
          <li key={item.id} class={`todo-${item.status}`}>
            <span aria-hidden="true">{TODO_MARKS[item.status] ?? '·'} </span>
            {item.content} <span class="muted">({item.status.replace('_', ' ')})</span>
          </li>
        ))}
      </ul>
      {more}
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

interface OutputsProps {
  snapshot: RunSnapshot;
  listRows: number | undefined;
  loadOutput?: (task: SnapshotTask) => Promise<TaskOutput | undefined>;
}

function Outputs({ snapshot, loadOutput, listRows }: OutputsProps): VNode {
  const few = snapshot.tasks.length <= OUTPUTS_OPEN_MAX;
  const { shown, more } = usePage(snapshot.tasks, listRows, 'outputs');
  return (
    <section aria-labelledby="outputs-heading" class="outputs">
      <h2 id="outputs-heading">Outputs</h2>
      {shown.map((task) => (
        <OutputItem key={task.id} task={task} output={snapshot.outputs[task.id]} open={few} {...(loadOutput === undefined ? {} : { loadOutput })} />
      ))}
      {more}
    </section>
  );
}

interface OutputItemProps {
  task: SnapshotTask;
  output: TaskOutput | undefined;
  /** Unfolded from the start (when it has an output). */
  open: boolean;
  loadOutput?: (task: SnapshotTask) => Promise<TaskOutput | undefined>;
}

interface OutputItemState {
  unfolded: boolean;
  /** The output read on unfolding, and for which status of the task. */
  loaded?: { output: TaskOutput | undefined; status: string };
}

const ENDED_STATUSES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'limit']);

/**
 * One task's output, folded in a `details`. With `loadOutput` (the dashboard)
 * its body is drawn only while unfolded, and read then when the snapshot
 * does not hold it: a 1,000-task run draws 1,000 summaries, not 1,000 outputs.
 */
class OutputItem extends Component<OutputItemProps, OutputItemState> {
  override state: OutputItemState = { unfolded: false };

  override shouldComponentUpdate(next: OutputItemProps, nextState: OutputItemState): boolean {
    return this.props.task !== next.task || this.props.output !== next.output || this.props.open !== next.open || this.state !== nextState;
  }

  override componentDidUpdate(): void {
    this.loadIfNeeded();
  }

  override componentDidMount(): void {
    this.loadIfNeeded();
  }

  private loadIfNeeded(): void {
    const { task, output, loadOutput } = this.props;
    const { unfolded, loaded } = this.state;
    if (loadOutput === undefined || !unfolded || output !== undefined || !ENDED_STATUSES.has(task.status) || loaded?.status === task.status) return;
    this.setState({ loaded: { output: undefined, status: task.status } });
    void loadOutput(task).then((found) => this.setState({ loaded: { output: found, status: task.status } }));
  }

  override render(): VNode {
    const { task, open, loadOutput } = this.props;
    const output = this.props.output ?? this.state.loaded?.output;
    const drawn = loadOutput === undefined || this.state.unfolded || (open && output !== undefined);
    return (
      <details
        id={`output-${task.id}`}
        open={open && output !== undefined}
        onToggle={(event) => this.setState({ unfolded: (event.currentTarget as HTMLDetailsElement).open })}
      >
        <summary>
          {task.id} <span class={`status status-${task.status}`}>{task.status}</span>
          {task.description === undefined ? null : <span class="muted"> {task.description}</span>}
        </summary>
        {drawn ? <OutputBody task={task} output={output} /> : null}
      </details>
    );
  }
}

function OutputBody({ task, output }: { task: SnapshotTask; output: TaskOutput | undefined }): VNode {
  return (
    <>
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
    </>
  );
}

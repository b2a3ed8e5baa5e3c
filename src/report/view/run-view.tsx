import { Component, type ComponentChildren, type VNode } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import type { TaskOutput } from '../../contracts/records.js';
import type { RunReport } from '../../contracts/run-report.js';
import { formatDollars, formatMs, formatSpeedupText, formatTokenCount, gateWaitCell, gateWaitColumns, runCostText, WAIT_CAUSE_LABELS, type GateWaitColumn } from '../format.js';
import { OUTPUTS_OPEN_MAX, type RunSnapshot, type SnapshotTask } from '../run-snapshot.js';
import { buildTimeline } from '../timeline.js';
import { Gantt } from './gantt.js';
import { JsonTree } from './json-tree.js';
import { Markdown } from './markdown.js';

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
  // One array per report, so a row is drawn again only when its own figures change.
  const gateColumns = useMemo(() => gateWaitColumns(snapshot.report.tasks), [snapshot.report.tasks]);
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
              {gateColumns.map((column) => (
                <th key={column.header} scope="col" class="num">
                  {column.header}
                </th>
              ))}
              <th scope="col" class="num">Retries</th>
              <th scope="col" class="num">Cost</th>
              {controls === undefined ? null : <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {shown.map((task) => (
              <TimingRow key={task.id} task={task} timing={timings.get(task.id)} critical={critical.has(task.id)} t0={t0} gateColumns={gateColumns} {...(controls === undefined ? {} : { controls })} />
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
  gateColumns: readonly GateWaitColumn[];
  controls?: (task: SnapshotTask) => ComponentChildren;
}

/** Causes that keep a ready task from starting; the others (retries, the model gate) come after its start. */
const START_WAITS: ReadonlySet<string> = new Set(['concurrency', 'sequential']);

/** One task's timing row; drawn again only when its task, its timing or its controls change. */
class TimingRow extends Component<TimingRowProps> {
  override shouldComponentUpdate(next: TimingRowProps): boolean {
    const now = this.props;
    return now.task !== next.task || now.timing !== next.timing || now.critical !== next.critical || now.t0 !== next.t0 || now.gateColumns !== next.gateColumns || now.controls !== next.controls;
  }

  override render(): VNode {
    const { task, timing, critical, t0, gateColumns, controls } = this.props;
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
        {gateColumns.map((column) => (
          <td key={column.header} class="num">
            {gateWaitCell(column, timing)}
          </td>
        ))}
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

import { Component, type VNode } from 'preact';
import { formatMs, WAIT_CAUSE_LABELS } from '../format.js';
import type { Timeline, TimelineRow, WaitSegment } from '../timeline.js';

/** Height of a timeline row in px: the edge overlay's rows line up with it. */
const ROW_PX = 28;

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

export interface GanttProps {
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

/** The Gantt timeline: a row per task with its waits, its bar and its pauses; edges; the critical path; "now" while live. */
export function Gantt({ timeline, selected, onSelect }: GanttProps): VNode {
  const { spanMs, rows } = timeline;
  const height = rows.length * ROW_PX;
  // "waited" before a bar, "paused" inside it: a legend entry per cause and place the run had.
  const causes = [
    ...new Set(rows.flatMap((row) => [...row.waits.map((wait) => `waited: ${wait.cause}`), ...row.pauses.map((pause) => `paused: ${pause.cause}`)])),
  ].map((entry) => entry.split(': ') as [string, string]);
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
        {causes.map(([where, cause]) => (
          <li key={`${where}-${cause}`}>
            <span class={`swatch wait-${cause}`} aria-hidden="true" /> {where}: {WAIT_CAUSE_LABELS[cause] ?? cause}
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

import type { EdgeKind } from '../contracts/plan.js';
import type { TaskStatus, WaitReason } from '../contracts/records.js';
import type { RunSnapshot, SnapshotTask } from './run-snapshot.js';

/** A stretch of time a task spent waiting, and why. Offsets in ms from the timeline's start. */
export interface WaitSegment {
  cause: WaitReason;
  fromMs: number;
  toMs: number;
}

/** One task's row of the Gantt timeline. */
export interface TimelineRow {
  id: string;
  handle: string;
  description?: string;
  status: TaskStatus;
  /** When it started and ended (or "now" while it runs), from the timeline's start; undefined before it started. */
  startMs?: number;
  endMs?: number;
  waits: WaitSegment[];
  /** Waits while it ran (retry backoff, rate-limit pauses, waits at the provider's gate), within its bar. */
  pauses: WaitSegment[];
  /** On the run's critical path. */
  critical: boolean;
  /** The tasks it waited for, with the kind of edge. */
  after: Array<{ id: string; kind: EdgeKind }>;
}

/** The Gantt timeline of a run: rows in plan order, edges between rows. */
export interface Timeline {
  /** ms since the epoch of offset 0. */
  t0: number;
  /** Length of the time axis, ms (at least 1). */
  spanMs: number;
  /** "Now" as an offset while the run is active; undefined once it ended. */
  nowMs?: number;
  rows: TimelineRow[];
  /** Edges between rows, by row index. */
  edges: Array<{ from: number; to: number; kind: EdgeKind }>;
}

// Only these keep a ready task from starting; retries and the model gate's waits come after the start (pauses).
const SLOT_REASONS: ReadonlySet<WaitReason> = new Set(['concurrency', 'sequential']);

/** True while a run can still change. */
export function isLive(snapshot: RunSnapshot): boolean {
  return snapshot.run.status === 'running' || snapshot.run.status === 'synthesizing';
}

/**
 * Lays a run out on a time axis: each task's wait before it could start
 * (for its dependencies or conflicts: until its last predecessor ended) and
 * before it got a slot (concurrency cap, sequential mode), then
 * its run from start to end (or to now while it runs), with the retry
 * backoffs, rate-limit pauses and waits at its provider's gate inside it.
 */
export function buildTimeline(snapshot: RunSnapshot): Timeline {
  const live = isLive(snapshot);
  const now = snapshot.takenAt;
  const t0 = snapshot.run.startedAt ?? snapshot.run.createdAt;
  const byId = new Map(snapshot.tasks.map((task) => [task.id, task]));
  const indexOf = new Map(snapshot.tasks.map((task, index) => [task.id, index]));
  const incoming = new Map<string, Array<{ id: string; kind: EdgeKind }>>();
  for (const edge of snapshot.run.edges) {
    const list = incoming.get(edge.to) ?? [];
    list.push({ id: edge.from, kind: edge.kind });
    incoming.set(edge.to, list);
  }
  const critical = new Set(snapshot.report.criticalPath);
  let span = live ? now - t0 : 0;
  const rows = snapshot.tasks.map((task): TimelineRow => {
    const after = incoming.get(task.id) ?? [];
    const end = task.endedAt ?? (task.status === 'running' && live ? now : undefined);
    const row: TimelineRow = {
      id: task.id,
      handle: task.handle,
      status: task.status,
      waits: waitsOf(task, after, byId, t0, live ? now : undefined),
      pauses: [],
      critical: critical.has(task.id),
      after,
    };
    if (task.description !== undefined) row.description = task.description;
    if (task.startedAt !== undefined) {
      row.startMs = Math.max(0, task.startedAt - t0);
      row.endMs = Math.max(row.startMs, (end ?? task.startedAt) - t0);
      span = Math.max(span, row.endMs);
      row.pauses = pausesOf(task, t0, row.endMs);
    }
    for (const wait of row.waits) span = Math.max(span, wait.toMs);
    return row;
  });
  const edges = snapshot.run.edges
    .map((edge) => ({ from: indexOf.get(edge.from) ?? -1, to: indexOf.get(edge.to) ?? -1, kind: edge.kind }))
    .filter((edge) => edge.from >= 0 && edge.to >= 0);
  const timeline: Timeline = { t0, spanMs: Math.max(1, span), rows, edges };
  if (live) timeline.nowMs = Math.max(0, now - t0);
  return timeline;
}

function waitsOf(
  task: SnapshotTask,
  after: ReadonlyArray<{ id: string; kind: EdgeKind }>,
  byId: ReadonlyMap<string, SnapshotTask>,
  t0: number,
  now: number | undefined,
): WaitSegment[] {
  const waits: WaitSegment[] = [];
  const until = task.startedAt ?? (task.status === 'queued' ? now : undefined);
  const queued = Math.max(task.queuedAt, t0);
  if (after.length > 0) {
    // The predecessor that ended last is the one the task waited for; its edge says why.
    let last: { end: number; kind: EdgeKind } | undefined;
    for (const edge of after) {
      const end = byId.get(edge.id)?.endedAt;
      if (end !== undefined && (last === undefined || end > last.end)) last = { end, kind: edge.kind };
    }
    const ready = task.readyAt ?? last?.end ?? until;
    const cause = last?.kind ?? after[0]?.kind ?? 'dependency';
    if (ready !== undefined && ready > queued) waits.push({ cause, fromMs: queued - t0, toMs: Math.min(ready, until ?? ready) - t0 });
  }
  const reason = task.waitReason;
  const readyAt = task.readyAt ?? (after.length === 0 ? queued : undefined);
  if (reason !== undefined && SLOT_REASONS.has(reason) && readyAt !== undefined && until !== undefined && until > readyAt) {
    waits.push({ cause: reason, fromMs: Math.max(readyAt, t0) - t0, toMs: until - t0 });
  }
  return waits.filter((wait) => wait.toMs > wait.fromMs);
}

/**
 * The task's pauses as offsets in time order, cut to its bar (a pause still
 * under way ends at "now"). Overlapping pauses of one cause become one: a
 * 429's pause and the gate's queue wait that sits it out are the same time.
 */
function pausesOf(task: SnapshotTask, t0: number, endMs: number): WaitSegment[] {
  const pauses = (task.pauses ?? [])
    .map((pause) => ({ cause: pause.cause, fromMs: Math.max(0, pause.at - t0), toMs: Math.min(endMs, pause.at + pause.ms - t0) }))
    .filter((pause) => pause.toMs > pause.fromMs)
    .sort((a, b) => a.fromMs - b.fromMs);
  const merged: WaitSegment[] = [];
  for (const pause of pauses) {
    const same = merged.findLast((earlier) => earlier.cause === pause.cause);
    if (same !== undefined && pause.fromMs <= same.toMs) same.toMs = Math.max(same.toMs, pause.toMs);
    else merged.push(pause);
  }
  return merged;
}

import type { StoredEvent } from '../contracts/events.js';
import { pauseOf, type RunSnapshot, type SnapshotTask } from './run-snapshot.js';

/**
 * The snapshot with live events applied: task starts, turns and tokens,
 * retries, rate-limit pauses and waits at the provider's gate, waits and ends, the synthesis and the run's end. What the
 * events do not carry (costs, the report's figures) stays as it was until
 * the next snapshot is read. Returns a new snapshot; `snapshot` is not changed.
 */
export function applyEvents(snapshot: RunSnapshot, events: readonly StoredEvent[], now: number): RunSnapshot {
  const tasks = new Map(snapshot.tasks.map((task) => [task.handle, task]));
  const changed = new Map<string, SnapshotTask>();
  const run = { ...snapshot.run };
  const taskOf = (handle: string): SnapshotTask | undefined => {
    const current = changed.get(handle) ?? tasks.get(handle);
    if (current === undefined) return undefined;
    const copy = changed.get(handle) ?? { ...current };
    changed.set(handle, copy);
    return copy;
  };
  for (const { event } of events) {
    switch (event.type) {
      case 'task-waiting': {
        const task = taskOf(event.handle);
        if (task !== undefined) task.waitReason = event.reason;
        break;
      }
      case 'task-start': {
        const task = taskOf(event.handle);
        if (task !== undefined) Object.assign(task, { status: 'running', startedAt: event.at });
        break;
      }
      case 'model-call': {
        const task = taskOf(event.handle);
        if (task !== undefined) {
          task.turns = event.turn;
          task.inputTokens += event.inputTokens;
          task.outputTokens += event.outputTokens;
        }
        break;
      }
      case 'task-retry':
      case 'rate-limited': {
        const task = taskOf(event.handle);
        const pause = pauseOf(event);
        if (task === undefined || pause === undefined) break;
        task.pauses = [...(task.pauses ?? []), pause];
        if (event.type === 'task-retry') {
          task.retries = Math.max(task.retries, event.attempt);
          task.retryWaitMs += event.waitMs;
        } else {
          task.rateLimitWaitMs = (task.rateLimitWaitMs ?? 0) + event.waitMs;
        }
        break;
      }
      case 'call-waited': {
        // Drawn only: its time is in the record's rateLimitWaitMs, which a 429's rate-limited event already counted live.
        const task = taskOf(event.handle);
        const pause = pauseOf(event);
        if (task !== undefined && pause !== undefined) task.pauses = [...(task.pauses ?? []), pause];
        break;
      }
      case 'task-end': {
        const task = taskOf(event.handle);
        if (task !== undefined) {
          task.status = event.status;
          task.endedAt = event.at;
          if (event.error !== undefined) task.error = event.error;
        }
        break;
      }
      case 'synthesis-start':
        run.status = 'synthesizing';
        break;
      case 'run-end':
        run.status = event.status;
        run.endedAt = event.at;
        break;
      default:
        break;
    }
  }
  return {
    ...snapshot,
    run,
    tasks: changed.size === 0 ? snapshot.tasks : snapshot.tasks.map((task) => changed.get(task.handle) ?? task),
    takenAt: now,
  };
}

import type { RunStore } from '../contracts/run-store.js';
import { isRunOrphaned, isTerminal } from './run-liveness.js';
import { readTodos, recordSynthesisTodo } from './todo-list.js';
import type { RunRecord } from '../contracts/records.js';

/**
 * The run as it should be read: when it is orphaned (recorded as running but
 * its lease has passed, see {@link isRunOrphaned}), it is first
 * recorded as `interrupted`, its unfinished tasks as `stopped` and its todo
 * list to match, so that every reader (status, output, wait) sees one final
 * state and elapsed times stop growing. Returns the record as stored now.
 *
 * The end time recorded is the last sign of life of its process (its last
 * event, or the attempt's start), not the moment someone looked, so a run found
 * dead a day later does not report a day-long task.
 */
export function settleOrphanedRun(store: RunStore, run: RunRecord, now: number): RunRecord {
  if (!isRunOrphaned(run, now)) return run;
  const { runId } = run;
  const executor = run.pid === undefined ? 'its process' : `its process (pid ${run.pid})`;
  // The last sign of life: its last event (of any attempt), or the start of this attempt when that came later.
  const signs = [store.listEvents(runId).at(-1)?.event.at, run.startedAt].filter((at) => at !== undefined);
  const endedAt = signs.length === 0 ? now : Math.min(now, Math.max(...signs));
  const error = `the run was interrupted before the task finished: ${executor} stopped (killed or crashed)`;
  const tasks = store.listTasks(runId);
  for (const task of tasks) {
    if (isTerminal(task.status)) continue;
    store.updateTask(task.handle, { status: 'stopped', endedAt: Math.max(endedAt, task.startedAt ?? endedAt), error });
  }
  // The task items follow their tasks; the synthesis item has a row of its own.
  const synthesis = readTodos(store, runId, tasks).at(-1)?.status;
  if (synthesis === 'pending' || synthesis === 'in_progress') recordSynthesisTodo(store, runId, tasks.length, 'stopped');
  store.updateRun(runId, {
    status: 'interrupted',
    endedAt: Math.max(endedAt, run.startedAt ?? endedAt),
    error: `run ${runId} was interrupted: ${executor} stopped before the run finished (no sign of life since ${new Date(endedAt).toISOString()}); continue it with fanout resume ${runId}`,
  });
  store.flush();
  return store.getRun(runId) ?? run;
}

import type { RunStore } from '../contracts/run-store.js';
import { isRunOrphaned, isTerminal } from './run-liveness.js';
import { readTodos, recordSynthesisTodo } from './todo-list.js';
import type { RunRecord } from '../contracts/records.js';

/**
 * The run as it should be read: when it is orphaned (recorded as running but
 * the process executing it is gone, see {@link isRunOrphaned}), it is first
 * recorded as `interrupted`, its unfinished tasks as `stopped` and its todo
 * list to match, so that every reader (status, output, wait) sees one final
 * state and elapsed times stop growing. Returns the record as stored now.
 *
 * The end time recorded is the run's last recorded event (the last sign of
 * life of its process), not the moment someone looked, so a run found dead a
 * day later does not report a day-long task.
 */
export function settleOrphanedRun(store: RunStore, run: RunRecord, now: number): RunRecord {
  if (!isRunOrphaned(run) || run.pid === undefined) return run;
  const { runId, pid } = run;
  const endedAt = store.listEvents(runId).at(-1)?.event.at ?? now;
  const error = `the process executing the run (pid ${pid}) exited before the task finished`;
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
    error: `run ${runId} was interrupted: its process ${pid} exited before the run finished`,
  });
  store.flush();
  return store.getRun(runId) ?? run;
}

import { FanoutError } from '../contracts/errors.js';
import type { RunAttempt, RunRecord, TaskRecord } from '../contracts/records.js';
import type { RunPatch, RunStore, TaskPatch } from '../contracts/run-store.js';
import { isRunActive } from './run-liveness.js';
import { initialWaitReasons } from './run-records.js';
import { recordSynthesisTodo } from './todo-list.js';

/**
 * Why a run cannot be resumed, or undefined when it can: a run still alive
 * (its lease valid: another process executes it) or one that already
 * succeeded. `run` is as settled (an expired lease already made it
 * `interrupted`); a prepared run never started can be resumed (it starts).
 */
export function refuseResume(run: RunRecord, now: number): FanoutError | undefined {
  const { runId } = run;
  if (isRunActive(run) && run.startedAt !== undefined) {
    const by = run.pid === undefined ? 'its process' : `its process (pid ${run.pid})`;
    const alive = run.leaseUntil === undefined ? 'is alive' : `holds its lease for ${Math.ceil(Math.max(0, run.leaseUntil - now) / 1000)} s more`;
    return new FanoutError('OPTION_INVALID', `run ${runId} is still running: ${by} ${alive}; stop it first (fanout stop ${runId}) or wait for it`);
  }
  if (run.status === 'succeeded') return new FanoutError('OPTION_INVALID', `run ${runId} already succeeded: nothing to resume`);
  return undefined;
}

/**
 * Puts a run that ended (interrupted, stopped, failed) back in the state of
 * one about to start, in place: its succeeded tasks stay as they are (output
 * and all, never run again), every other task is queued anew with its
 * counters cleared (dependents a failure skipped included), the synthesis
 * is cleared when any task will run again (its inputs change) and its todo
 * item made pending, and the attempt that ended is appended to `attempts`
 * so the report counts the time of every attempt. Handles do not change.
 * The run is claimed for this process with a fresh lease (until `leaseUntil`)
 * in the same write that makes it `running` again: with the expired lease
 * left in place, a reader in another process would judge the resumed run
 * orphaned and settle it `interrupted` before its execution began.
 * Returns the records to execute.
 */
export function resetForResume(store: RunStore, run: RunRecord, now: number, leaseUntil: number): { run: RunRecord; tasks: TaskRecord[] } {
  const { runId } = run;
  const waits = initialWaitReasons(run.dag);
  const tasks = store.listTasks(runId).map((task): TaskRecord => {
    if (task.status === 'succeeded') return task;
    const waitReason = waits.get(task.taskId);
    const patch: TaskPatch = {
      status: 'queued',
      readyAt: undefined,
      startedAt: undefined,
      endedAt: undefined,
      error: undefined,
      waitReason,
      turns: 0,
      inputTokens: 0,
      outputTokens: 0,
      retries: 0,
      retryWaitMs: 0,
      costUsd: task.costUsd === undefined ? undefined : 0,
    };
    store.updateTask(task.handle, patch);
    const { readyAt: _r, startedAt: _s, endedAt: _e, error: _x, waitReason: _w, costUsd: _c, ...kept } = task;
    return {
      ...kept,
      status: 'queued',
      turns: 0,
      inputTokens: 0,
      outputTokens: 0,
      retries: 0,
      retryWaitMs: 0,
      ...(task.costUsd === undefined ? {} : { costUsd: 0 }),
      ...(waitReason === undefined ? {} : { waitReason }),
    };
  });
  const rerun = tasks.some((task) => task.status !== 'succeeded');
  const attempts: RunAttempt[] = [...(run.attempts ?? [])];
  if (run.startedAt !== undefined) {
    attempts.push({
      startedAt: run.startedAt,
      endedAt: Math.max(run.startedAt, run.endedAt ?? now),
      status: run.status,
      ...(run.error === undefined ? {} : { error: run.error }),
    });
  }
  const patch: RunPatch = {
    status: 'running',
    startedAt: now,
    pid: process.pid,
    leaseUntil,
    endedAt: undefined,
    error: undefined,
    limit: undefined,
    ...(attempts.length === 0 ? {} : { attempts }),
    ...(rerun ? { synthesis: undefined } : {}),
  };
  store.updateRun(runId, patch);
  if (rerun || run.synthesis === undefined) recordSynthesisTodo(store, runId, tasks.length, 'pending');
  store.flush();
  const { endedAt: _e, error: _x, limit: _l, synthesis, ...rest } = run;
  const resumed: RunRecord = {
    ...rest,
    status: 'running',
    startedAt: now,
    pid: process.pid,
    leaseUntil,
    ...(attempts.length === 0 ? {} : { attempts }),
    ...(rerun || synthesis === undefined ? {} : { synthesis }),
  };
  return { run: resumed, tasks };
}

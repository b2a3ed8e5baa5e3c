import { isRunOrphaned } from '../../engine/run-liveness.js';
import type { RunRecord } from '../../engine/types.js';
import { FanoutError } from '../../errors.js';
import type { RunStore } from '../../store/run-store.js';
import { ExitCode } from '../exit-codes.js';
import { writeLines, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { openStore } from '../library.js';
import { renderRunStatus } from '../render-status.js';

/** The latest run, the run with this id, or the run of the task with this handle. */
function findRun(store: RunStore, target: string | undefined): RunRecord | undefined {
  if (target === undefined) return store.listRuns(1)[0];
  const run = store.getRun(target);
  if (run) return run;
  const task = store.getTask(target);
  return task ? store.getRun(task.runId) : undefined;
}

/** `fanout status [run]`: the todo list and task states of a run (a run id or a task handle; default the latest run). */
export async function statusCommand(target: string | undefined, flags: { json?: boolean }, io: CliIo): Promise<number> {
  const store = await openStore(io);
  try {
    const run = findRun(store, target);
    if (!run) {
      if (target === undefined) throw new FanoutError('NOT_FOUND', 'no runs yet in this fanout home; start one with: fanout run <plan> or fanout demo');
      throw new FanoutError('NOT_FOUND', `no run or task "${target}"; list runs with: fanout runs`);
    }
    const tasks = store.listTasks(run.runId);
    const todos = store.listTodos(run.runId);
    const processGone = isRunOrphaned(run);
    if (flags.json) {
      io.stdout.write(jsonLine({ run: { ...run, plan: undefined }, tasks, todos, processGone }));
    } else {
      writeLines(io.stdout, renderRunStatus(run, tasks, todos, Date.now(), processGone));
    }
    return ExitCode.ok;
  } finally {
    store.close();
  }
}

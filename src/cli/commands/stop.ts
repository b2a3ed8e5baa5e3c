import { ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { withExistingStore } from '../library.js';

/**
 * `fanout stop <handle|run>`: stops a task or a run in this or another
 * process (the executing process acts on the recorded request). A target
 * that already finished is not an error: it says so and exits 0.
 */
export async function stopCommand(target: string, io: CliIo): Promise<number> {
  const line = await withExistingStore(io, async (fanout) => {
    const result = await fanout.stop(target);
    if (!result.alreadyFinished) {
      return `stop requested: ${target} (${result.stopped} unfinished task${result.stopped === 1 ? '' : 's'})`;
    }
    const view = fanout.status(target);
    const task = view.tasks.find((candidate) => candidate.handle === target);
    return task === undefined
      ? `run ${view.run.runId} already finished (${view.run.status}); nothing to stop`
      : `task ${task.handle} already finished (${task.status}); nothing to stop`;
  });
  io.stdout.write(`${line}\n`);
  return ExitCode.ok;
}

import { ExitCode } from '../exit-codes.js';
import { writeLines, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { openStore } from '../library.js';
import { renderRunList, taskWallMs } from '../render-status.js';

/** `fanout runs`: recent runs, newest first. */
export async function runsCommand(flags: { limit?: number; json?: boolean }, io: CliIo): Promise<number> {
  const store = await openStore(io);
  try {
    const now = Date.now();
    const runs = store.listRuns(flags.limit ?? 20).map((run) => ({ run, tasks: store.listTasks(run.runId) }));
    if (flags.json) {
      for (const { run, tasks } of runs) {
        io.stdout.write(
          jsonLine({
            runId: run.runId,
            name: run.name,
            status: run.status,
            tasks: tasks.length,
            succeeded: tasks.filter((task) => task.status === 'succeeded').length,
            createdAt: run.createdAt,
            wallMs: taskWallMs(tasks, now) ?? null,
          }),
        );
      }
    } else {
      writeLines(io.stdout, renderRunList(runs, now));
    }
    return ExitCode.ok;
  } finally {
    store.close();
  }
}

import { ExitCode } from '../exit-codes.js';
import { writeLines, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { withExistingStore } from '../library.js';
import { renderRunList, reportedWallMs } from '../render-status.js';

/** `fanout runs`: where the store is, then its recent runs, newest first. */
export async function runsCommand(flags: { limit?: number; json?: boolean }, io: CliIo): Promise<number> {
  const { views, home } = await withExistingStore(io, async (fanout, home) => ({
    views: fanout.runs(flags.limit ?? 20).map((run) => fanout.status(run.runId)),
    home,
  }));
  if (flags.json) {
    for (const view of views) {
      const { run, tasks } = view;
      io.stdout.write(
        jsonLine({
          runId: run.runId,
          name: run.name,
          status: run.status,
          tasks: tasks.length,
          succeeded: tasks.filter((task) => task.status === 'succeeded').length,
          createdAt: run.createdAt,
          wallMs: reportedWallMs(view) ?? null,
        }),
      );
    }
  } else {
    writeLines(io.stdout, [`Store: ${home}`, ...renderRunList(views)]);
  }
  return ExitCode.ok;
}

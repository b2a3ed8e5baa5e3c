import { ExitCode } from '../exit-codes.js';
import { writeLines, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { withFanout } from '../library.js';
import { renderRunList, reportedWallMs } from '../render-status.js';

/** `fanout runs`: recent runs, newest first. */
export async function runsCommand(flags: { limit?: number; json?: boolean }, io: CliIo): Promise<number> {
  const views = await withFanout(io, undefined, async (fanout) => fanout.runs(flags.limit ?? 20).map((run) => fanout.status(run.runId)));
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
    writeLines(io.stdout, renderRunList(views));
  }
  return ExitCode.ok;
}

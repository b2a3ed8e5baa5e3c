import type { FanoutEvent } from '../../contracts/events.js';
import { exitCodeForRun } from '../exit-codes.js';
import { onInterrupt } from '../interrupt.js';
import { writeLines, type CliIo } from '../io.js';
import { withFanout } from '../library.js';
import { ProgressView } from '../progress-view.js';
import { createProgressState } from '../render-progress.js';
import { limitReasons, renderReport } from '../render-report.js';
import { workingDirOf } from '../working-dir.js';

/**
 * Hidden `fanout __execute <runId> [--resume]`: the body of a `run --detach`
 * (or `resume --detach`) background process. Executes a prepared run and writes plain progress and the timing
 * table to its log (stdout is the log file).
 */
export async function executeCommand(runId: string, flags: { cwd?: string; resume?: boolean }, io: CliIo): Promise<number> {
  return withFanout(io, workingDirOf(io.cwd, flags.cwd), async (fanout) => {
    const view = new ProgressView({ write: (text) => io.stdout.write(text) }, createProgressState([]));
    // `kill <pid>` (SIGTERM) or a closed session (SIGHUP) stops the tasks and records them as stopped.
    const interrupt = onInterrupt({ stderr: io.stdout, notice: 'fanout: stopping every task' });
    try {
      const options = { onEvent: (event: FanoutEvent) => view.handle(event), signal: interrupt.signal };
      if (flags.resume === true) fanout.resume(runId, options);
      else fanout.start(runId, options);
      const result = await fanout.wait(runId);
      writeLines(io.stdout, ['', ...renderReport(result.report, { reasons: limitReasons(result.tasks) }), '', `run ${runId} ${result.status}`]);
      return exitCodeForRun(result.status, result.tasks.map((task) => task.status), interrupt.interrupted, interrupt.exitCode);
    } finally {
      interrupt.dispose();
    }
  });
}

import { awaitDetachedStart, spawnDetachedRun } from '../detach.js';
import { ExitCode } from '../exit-codes.js';
import { runAndSummarize } from '../foreground-run.js';
import { writeLines, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { withExistingStore } from '../library.js';

/** Flags of `fanout resume`. */
export interface ResumeFlags {
  detach?: boolean;
  json?: boolean;
}

/**
 * `fanout resume <run>`: continues an interrupted, stopped or failed run in
 * place (`Fanout.resume`): in the foreground with progress and the run
 * summary, or with `--detach` in a background process, as `run --detach`
 * does. A run still live (its lease valid) or already succeeded is refused
 * in one line before anything starts.
 */
export async function resumeCommand(runId: string, flags: ResumeFlags, io: CliIo): Promise<number> {
  return withExistingStore(io, async (fanout, home) => {
    fanout.checkResume(runId);
    const { run } = fanout.status(runId);
    if (!flags.detach) return runAndSummarize(fanout, { resume: runId, plan: run.plan }, { json: flags.json === true }, io);
    const child = spawnDetachedRun({ runId, home, cwd: run.cwd, env: io.env, resume: true });
    await awaitDetachedStart(fanout, runId, child);
    const { tasks } = fanout.status(runId);
    if (flags.json) {
      const handles = tasks.map((task) => ({ id: task.taskId, handle: task.handle }));
      io.stdout.write(jsonLine({ runId, handles, pid: child.pid ?? null, log: child.logFile }));
    } else {
      writeLines(io.stdout, [runId, ...tasks.map((task) => `${task.taskId}  ${task.handle}  ${task.status}`)]);
      writeLines(io.stderr, [
        `fanout: run ${runId} resumed in the background (log: ${child.logFile})`,
        'fanout: get a result with: fanout output <handle> --block',
      ]);
    }
    return ExitCode.ok;
  });
}

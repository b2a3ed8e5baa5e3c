import { resolve } from 'node:path';
import type { SpawnOptions } from '../../engine/api.js';
import { spawnDetachedRun } from '../detach.js';
import { exitCodeForRun, ExitCode } from '../exit-codes.js';
import { runInForeground } from '../foreground-run.js';
import { writeLines, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { homeOf, withFanout } from '../library.js';
import { renderRunSummary } from '../render-run-summary.js';

/** Flags of `fanout run`. */
export interface RunFlags {
  concurrency?: number;
  model?: string;
  strict?: boolean;
  detach?: boolean;
  json?: boolean;
  cwd?: string;
}

/** `fanout run <plan>`: check, run (or detach), show progress, outputs, synthesis and timing. */
export async function runCommand(planPath: string, flags: RunFlags, io: CliIo): Promise<number> {
  const { loadPlanFile } = await import('../../plan/index.js');
  // Loading checks the plan: an invalid one throws before anything starts.
  const plan = loadPlanFile(resolve(io.cwd, planPath));
  const cwd = resolve(io.cwd, flags.cwd ?? '.');
  const spawn: Omit<SpawnOptions, 'signal'> = {
    ...(flags.concurrency !== undefined && { concurrency: flags.concurrency }),
    ...(flags.model !== undefined && { modelOverride: flags.model }),
    ...(flags.strict && { strict: true }),
  };

  if (flags.detach) {
    const home = await homeOf(io);
    return withFanout(io, cwd, async (fanout) => {
      const prepared = fanout.prepare(plan, spawn);
      const child = spawnDetachedRun({ runId: prepared.runId, home, cwd, env: io.env });
      if (flags.json) {
        io.stdout.write(jsonLine({ runId: prepared.runId, handles: prepared.handles, pid: child.pid ?? null, log: child.logFile }));
      } else {
        writeLines(io.stdout, [prepared.runId, ...prepared.handles.map((task) => `${task.id}  ${task.handle}`)]);
        writeLines(io.stderr, [
          `fanout: run ${prepared.runId} started in the background (log: ${child.logFile})`,
          `fanout: get a result with: fanout output <handle> --block`,
        ]);
      }
      return ExitCode.ok;
    });
  }

  return withFanout(io, cwd, async (fanout) => {
    const { result, interrupted } = await runInForeground(fanout, plan, { json: flags.json === true, spawn }, io);
    if (!flags.json) writeLines(io.stdout, renderRunSummary(result, { interrupted, width: io.stdout.columns }));
    return exitCodeForRun(result.status, result.tasks.map((task) => task.status), interrupted);
  });
}

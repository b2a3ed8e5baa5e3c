import { resolve } from 'node:path';
import { spawnDetachedRun } from '../detach.js';
import { ExitCode } from '../exit-codes.js';
import { runAndSummarize } from '../foreground-run.js';
import { writeLines, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { homeOf, withFanout } from '../library.js';
import { spawnOptionsFromFlags, withCaps, type CapFlags, type SpawnFlags } from '../run-flags.js';
import { workingDirOf } from '../working-dir.js';

/** Flags of `fanout run`. */
export interface RunFlags extends SpawnFlags, CapFlags {
  detach?: boolean;
  json?: boolean;
  cwd?: string;
}

/**
 * `fanout run <plan>`: check everything a run needs (plan, agents, models
 * and their endpoints, budgets) before anything is printed or started, then
 * run (or detach), show progress, outputs, synthesis and timing.
 */
export async function runCommand(planPath: string, flags: RunFlags, io: CliIo): Promise<number> {
  const cwd = workingDirOf(io.cwd, flags.cwd);
  const { loadPlanFile } = await import('../../plan/index.js');
  const source = resolve(io.cwd, planPath);
  // The plan's own schema first: an invalid file stops the command before the store is opened.
  const plan = withCaps(loadPlanFile(source), flags);
  const spawn = { ...spawnOptionsFromFlags(flags), source };
  if (flags.detach) {
    const home = await homeOf(io);
    return withFanout(io, cwd, async (fanout) => {
      await fanout.check(plan, spawn);
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
    await fanout.check(plan, spawn);
    return runAndSummarize(fanout, plan, { json: flags.json === true, spawn }, io);
  });
}

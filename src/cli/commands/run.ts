import { resolve } from 'node:path';
import { awaitDetachedStart, spawnDetachedRun } from '../detach.js';
import { ExitCode } from '../exit-codes.js';
import { runAndSummarize } from '../foreground-run.js';
import { writeLines, writeWarnings, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { homeOf, withFanout } from '../library.js';
import { capOptionsFromFlags, spawnOptionsFromFlags, type CapFlags, type SpawnFlags } from '../run-flags.js';
import { checkRunUiFlags, startRunDashboard, type RunUiFlags } from '../run-dashboard.js';
import { workingDirOf } from '../working-dir.js';

/** Flags of `fanout run`. */
export interface RunFlags extends SpawnFlags, CapFlags, RunUiFlags {
  detach?: boolean;
  /** `--apply`: move the user's branch to the merged result. */
  apply?: boolean;
  /** `--resolve`: a resolver subagent per conflicting file of the merge. */
  resolve?: boolean;
  /** false with `--no-sandbox`. */
  sandbox?: boolean;
  json?: boolean;
  cwd?: string;
}

/**
 * `fanout run <plan>`: check everything a run needs (plan, agents, models
 * and their endpoints, budgets) before anything is printed or started, then
 * run (or detach), show progress, outputs, synthesis and timing.
 */
export async function runCommand(planPath: string, flags: RunFlags, given: CliIo): Promise<number> {
  const io = flags.sandbox === false ? { ...given, env: { ...given.env, FANOUT_NO_SANDBOX: '1' } } : given;
  checkRunUiFlags(flags);
  const cwd = workingDirOf(io.cwd, flags.cwd);
  const source = resolve(io.cwd, planPath);
  const spawn = { ...spawnOptionsFromFlags(flags), ...capOptionsFromFlags(flags), source };
  // The Fanout opens its store at the first run it records: a plan that fails its check leaves nothing behind.
  return withFanout(io, cwd, async (fanout) => {
    // The file and its agents are read and checked once; what was checked is what runs.
    const checked = await fanout.check(source, spawn);
    writeWarnings(io, checked.warnings);
    if (!flags.detach) {
      const dashboard = await startRunDashboard(fanout, flags, io);
      try {
        const shown = { json: flags.json === true, apply: flags.apply === true, resolve: flags.resolve === true };
        return await runAndSummarize(fanout, checked, { ...shown, ...(dashboard === undefined ? {} : { onSpawned: dashboard.announce }) }, io);
      } finally {
        await dashboard?.close();
      }
    }
    const prepared = fanout.prepare(checked);
    const child = spawnDetachedRun({ runId: prepared.runId, home: await homeOf(io), cwd, env: io.env });
    await awaitDetachedStart(fanout, prepared.runId, child);
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

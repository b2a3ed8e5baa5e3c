import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitCodeForRun } from '../exit-codes.js';
import { runInForeground } from '../foreground-run.js';
import { writeLines, type CliIo } from '../io.js';
import { homeOf, withFanout } from '../library.js';
import { isSimulatedSpec } from '../model-spec.js';
import { renderDemoBanner, renderDemoFooter, renderIndependence } from '../render-demo.js';
import { renderRunSummary, SIMULATED_NOTICE } from '../render-run-summary.js';
import { reportedColumns } from '../terminal-size.js';
import { PACKAGE_ROOT } from '../version.js';

/** Flags of `fanout demo`. */
export interface DemoFlags {
  model?: string;
  json?: boolean;
}

/** Every file under `root`, relative, with its size. */
function listFiles(root: string): Map<string, number> {
  const files = new Map<string, number>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.set(relative(root, path).split('\\').join('/'), statSync(path).size);
    }
  };
  walk(root);
  return files;
}

/**
 * `fanout demo`: the pattern's own example. Copies a small starter project
 * into a fresh temporary directory and runs examples/auth-demo.yaml there
 * (5 independent subagents), on the simulated model unless `--model` is given.
 */
export async function demoCommand(flags: DemoFlags, io: CliIo): Promise<number> {
  // Relative to the package, not the current directory: the demo works from anywhere.
  const planFile = fileURLToPath(new URL('examples/auth-demo.yaml', PACKAGE_ROOT));
  const starter = fileURLToPath(new URL('examples/auth-demo-starter/', PACKAGE_ROOT));
  const spawn = { strict: true, ...(flags.model !== undefined && { modelOverride: flags.model }) };
  const workdir = mkdtempSync(join(tmpdir(), 'fanout-demo-'));
  cpSync(starter, workdir, { recursive: true });
  const before = listFiles(workdir);
  const home = await homeOf(io);
  return withFanout(io, workdir, async (fanout) => {
    // Checked once, where it runs (the copy, this Fanout's models); the checked run is what is spawned.
    // A bad --model (or an unreachable endpoint) stops the demo before it prints anything, and leaves
    // neither the copy nor a store behind (the store opens at its first write).
    const checked = await fanout.check(planFile, spawn).catch((error: unknown) => {
      rmSync(workdir, { recursive: true, force: true });
      throw error;
    });
    // The demo plan pins model: sim, so only --model makes it real.
    const simulated = flags.model === undefined || isSimulatedSpec(flags.model);
    // In --json mode stdout carries only events; the human parts go to stderr.
    const say = flags.json ? io.stderr : io.stdout;
    const { plan, dag } = checked;
    writeLines(say, [...renderDemoBanner({ model: flags.model, simulated, workdir, taskCount: plan.tasks.length }), '', ...renderIndependence(plan, dag), '']);
    const { result, interrupted } = await runInForeground(fanout, checked, { json: flags.json === true }, io);
    const written = [...listFiles(workdir)]
      .filter(([path, bytes]) => before.get(path) !== bytes)
      .map(([path, bytes]) => ({ path, bytes }));
    // In --json mode the table is not printed, but the simulated label still closes the demo.
    const summary = flags.json
      ? result.report.simulated ? ['', ...SIMULATED_NOTICE] : []
      : renderRunSummary(result, { interrupted, width: reportedColumns(io.stdout) });
    writeLines(say, [
      ...summary,
      ...renderDemoFooter({
        workdir,
        written,
        handles: result.tasks.map((task) => ({ id: task.taskId, handle: task.handle })),
        home,
        homeFromEnv: io.env.FANOUT_HOME !== undefined,
      }),
    ]);
    return exitCodeForRun(result.status, result.tasks.map((task) => task.status), interrupted);
  });
}

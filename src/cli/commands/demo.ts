import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../../contracts/fanout.js';
import { DEMO_TEST_COMMAND, demoShell, makeDemoWorkspace, testCounts, withoutShell, type DemoShell, type DemoWorkspace } from '../demo-workspace.js';
import { exitCodeForRun } from '../exit-codes.js';
import { runInForeground } from '../foreground-run.js';
import { writeLines, type CliIo } from '../io.js';
import { homeOf, withFanout } from '../library.js';
import { isSimulatedSpec } from '../model-spec.js';
import { renderDemoBanner, renderDemoFooter, renderDemoResult, renderIndependence } from '../render-demo.js';
import { renderRunSummary, SIMULATED_NOTICE } from '../render-run-summary.js';
import { reportedColumns } from '../terminal-size.js';
import { PACKAGE_ROOT } from '../version.js';

/** Flags of `fanout demo`. */
export interface DemoFlags {
  model?: string;
  json?: boolean;
}

/** Every file under `root` (but `.git` and links such as node_modules), relative, with its size. */
function listFiles(root: string): Map<string, number> {
  const files = new Map<string, number>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '.git') walk(path);
      else if (entry.isFile()) files.set(relative(root, path).split('\\').join('/'), statSync(path).size);
    }
  };
  walk(root);
  return files;
}

/**
 * `fanout demo`: the pattern's own example. Makes a temporary git
 * repository from a small starter project and runs examples/auth-demo.yaml
 * there (5 independent subagents, each in its own worktree, each running
 * the tests it wrote in the sandboxed shell), on the simulated model unless
 * `--model` is given; then runs every test on the merged result and
 * removes the worktrees.
 */
export async function demoCommand(flags: DemoFlags, io: CliIo): Promise<number> {
  // Relative to the package, not the current directory: the demo works from anywhere.
  const planFile = fileURLToPath(new URL('examples/auth-demo.yaml', PACKAGE_ROOT));
  const starter = fileURLToPath(new URL('examples/auth-demo-starter/', PACKAGE_ROOT));
  const spawn = { strict: true, ...(flags.model !== undefined && { modelOverride: flags.model }) };
  const { loadPlanFile, shellSandboxStatus } = await import('../../index.js');
  const shell = demoShell(shellSandboxStatus());
  const plan = shell.ok ? loadPlanFile(planFile) : withoutShell(loadPlanFile(planFile));
  const workspace = makeDemoWorkspace(starter, shell.ok ? shell.nodeModules : undefined);
  const workdir = workspace.dir;
  const before = listFiles(workdir);
  const home = await homeOf(io);
  // The worktrees' node_modules link leads to fanout's own: readable in the sandbox wherever it lies (a checkout under /tmp too).
  const shellReadPaths = shell.ok ? [shell.nodeModules] : [];
  return withFanout(io, workdir, async (fanout) => {
    // Checked once, where it runs (the copy, this Fanout's models); the checked run is what is spawned.
    // A bad --model (or an unreachable endpoint) stops the demo before it prints anything, and leaves
    // neither the copy nor a store behind (the store opens at its first write).
    const checked = await fanout.check(plan, spawn).catch((error: unknown) => {
      rmSync(workdir, { recursive: true, force: true });
      throw error;
    });
    // The demo plan pins model: sim, so only --model makes it real.
    const simulated = flags.model === undefined || isSimulatedSpec(flags.model);
    // In --json mode stdout carries only events; the human parts go to stderr.
    const say = flags.json ? io.stderr : io.stdout;
    const { dag } = checked;
    writeLines(say, [
      ...renderDemoBanner({ model: flags.model, simulated, workdir, notRepository: workspace.notRepository, noShell: shell.ok ? undefined : shell.why, taskCount: plan.tasks.length }),
      '',
      ...renderIndependence(checked.plan, dag),
      '',
    ]);
    // The demo's own repository: its main takes the merged result, so the tests run on it.
    const apply = workspace.notRepository === undefined;
    const { result, interrupted } = await runInForeground(fanout, checked, { json: flags.json === true, apply }, io);
    const written = [...listFiles(workdir)]
      .filter(([path, bytes]) => before.get(path) !== bytes)
      .map(([path, bytes]) => ({ path, bytes }));
    // In --json mode the table is not printed, but the simulated label still closes the demo.
    const summary = flags.json
      ? result.report.simulated ? ['', ...SIMULATED_NOTICE] : []
      : renderRunSummary(result, { interrupted, width: reportedColumns(io.stdout) });
    writeLines(say, [
      ...summary,
      ...(await checkResult(result, workspace, shell, home, interrupted)),
      ...renderDemoFooter({
        workdir,
        written,
        handles: result.tasks.map((task) => ({ id: task.taskId, handle: task.handle })),
        home,
        homeFromEnv: io.env.FANOUT_HOME !== undefined,
      }),
    ]);
    return exitCodeForRun(result.status, result.tasks.map((task) => task.status), interrupted);
  }, { shellReadPaths });
}

/**
 * Once the merged result is applied to the demo repository's `main`: runs
 * every test there (sandboxed, as the subagents ran theirs), then removes
 * the run's worktrees and merged branches. Lines saying what happened.
 */
async function checkResult(result: RunResult, workspace: DemoWorkspace, shell: DemoShell, home: string, interrupted: boolean): Promise<string[]> {
  const merge = result.report.changes?.merge;
  if (workspace.notRepository !== undefined || merge === undefined || merge.applied !== true || interrupted) {
    return merge === undefined ? [] : ['', `The worktrees and branches of this run stay: fanout diff ${result.runId}, fanout clean ${result.runId}`];
  }
  const { createWorktreeManager, DEFAULT_SHELL_OUTPUT_BYTES, runShellCommand } = await import('../../index.js');
  let tests: { pass: number; fail: number } | string;
  if (!shell.ok) {
    tests = `not run: ${shell.why}`;
  } else {
    const ran = await runShellCommand(
      DEMO_TEST_COMMAND,
      { cwd: workspace.dir, writes: [], hiddenPaths: [home], readPaths: [shell.nodeModules], network: [], timeoutMs: 120_000, maxOutputBytes: DEFAULT_SHELL_OUTPUT_BYTES, sandbox: 'bwrap' },
      { signal: new AbortController().signal },
    );
    tests = testCounts(ran.output) ?? `no test summary (exit code ${ran.exitCode ?? 'none: killed'})`;
  }
  const cleaned = await (await createWorktreeManager({ home }).openRun(result.runId)).clean();
  return renderDemoResult({ merge, workdir: workspace.dir, tests, command: DEMO_TEST_COMMAND, removedWorktrees: cleaned.removedWorktrees.length });
}

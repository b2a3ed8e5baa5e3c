import { resolve } from 'node:path';
import type { Fanout } from '../../contracts/fanout.js';
import { FanoutError } from '../../contracts/errors.js';
import type { Plan } from '../../contracts/plan.js';
import { readYesNo } from '../ask-yes-no.js';
import { ExitCode } from '../exit-codes.js';
import { runAndSummarize } from '../foreground-run.js';
import { interruptible } from '../interrupt.js';
import { writeLines, writeWarnings, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { withFanout } from '../library.js';
import { isSimulatedSpec } from '../model-spec.js';
import { checkPlanFileTarget, planYaml, writeNewFile } from '../plan-file.js';
import { renderDoBanner, renderPlannedPlan } from '../render-plan.js';
import { renderEstimate } from '../render-estimate.js';
import { spawnOptionsFromFlags, withCaps, type CapFlags, type SpawnFlags } from '../run-flags.js';
import { checkRunUiFlags, startRunDashboard, type RunUiFlags } from '../run-dashboard.js';
import { workingDirOf } from '../working-dir.js';

/** Flags of `fanout do`. */
export interface DoFlags extends SpawnFlags, CapFlags, RunUiFlags {
  json?: boolean;
  /** Write the plan to this file and stop. */
  planOnly?: string;
  /** With `planOnly`: overwrite an existing file. */
  force?: boolean;
  /** Run without asking, even on a terminal. */
  yes?: boolean;
  cwd?: string;
}

/**
 * `fanout do <request>`: one planner call turns the request into a plan,
 * which is printed with its DAG and then run like `fanout run` does (or,
 * with `--plan-only FILE`, written to FILE for editing).
 */
export async function doCommand(words: readonly string[], flags: DoFlags, io: CliIo): Promise<number> {
  const request = words.join(' ').trim();
  if (request === '') throw new FanoutError('OPTION_INVALID', 'do: expected a request, e.g. fanout do "Add CSV export to the reports page"');
  if (flags.force && flags.planOnly === undefined) throw new FanoutError('OPTION_INVALID', '--force: only applies with --plan-only FILE');
  if (flags.ui && flags.planOnly !== undefined) throw new FanoutError('OPTION_INVALID', '--ui: not with --plan-only (nothing runs)');
  checkRunUiFlags(flags);
  const cwd = workingDirOf(io.cwd, flags.cwd);
  // `shown` is the file as given, for messages; `path` is where it goes.
  const planFile = flags.planOnly === undefined ? undefined : { shown: flags.planOnly, path: resolve(io.cwd, flags.planOnly) };
  // Checked before the planner is paid; writeNewFile checks again when it creates the file.
  if (planFile !== undefined) checkPlanFileTarget(planFile.path, planFile.shown, flags.force === true);
  const { defaultModelSpec } = await import('../../index.js');
  const model = flags.model ?? defaultModelSpec(io.env);
  const spawn = { ...spawnOptionsFromFlags(flags), source: 'planner' };

  return withFanout(io, cwd, async (fanout) => {
    // The planner's model is resolved and its endpoint reached before anything is printed or paid for.
    await fanout.check({ tasks: [{ id: 'planner', prompt: request }], synthesis: false }, { ...(flags.model !== undefined && { modelOverride: flags.model }) });
    if (!flags.json) writeLines(io.stdout, renderDoBanner({ request, model, simulated: isSimulatedSpec(model) }));
    const planned = await planOrInterrupt(fanout, request, flags.model, io);
    if (planned === undefined) return ExitCode.interrupted;
    // --plan-only writes what `run` would otherwise get from the flags into the file.
    const plan = withCaps(planFile === undefined ? planned : withPlanDefaults(planned, flags), flags);
    const checked = await fanout.check(plan, spawn);
    writeWarnings(io, checked.warnings);
    const { dag } = checked;
    if (flags.json) {
      io.stdout.write(jsonLine({ type: 'plan', request, plan, dag, ...(planFile !== undefined && { file: planFile.path }) }));
    } else {
      // The estimate comes before the question: what the run will cost is part of what is confirmed.
      writeLines(io.stdout, [...renderPlannedPlan(plan, dag), '', ...renderEstimate(checked.estimate, checked.plan), '']);
    }

    if (planFile !== undefined) {
      const { shown, path } = planFile;
      writeNewFile(path, shown, planYaml(plan, request, shown), flags.force === true);
      if (!flags.json) writeLines(io.stdout, [`Plan written to ${shown}. Edit it, then: fanout run ${shown}`]);
      return ExitCode.ok;
    }
    if (!(await confirmed(plan, flags, io))) {
      writeLines(io.stdout, ['Not run.']);
      return ExitCode.ok;
    }
    // What the user saw and confirmed is what runs: nothing (agent files included) is read again.
    const dashboard = await startRunDashboard(fanout, flags, io);
    try {
      return await runAndSummarize(fanout, checked, { json: flags.json === true, ...(dashboard === undefined ? {} : { onSpawned: dashboard.announce }) }, io);
    } finally {
      await dashboard?.close();
    }
  });
}

/** The planner's plan, or undefined when Ctrl-C stopped the planner. */
async function planOrInterrupt(fanout: Fanout, request: string, model: string | undefined, io: CliIo): Promise<Plan | undefined> {
  return interruptible(
    { stderr: io.stderr, notice: 'fanout: interrupted' },
    (interrupt) => fanout.plan(request, { ...(model !== undefined && { model }), signal: interrupt.signal }),
    () => undefined,
  );
}

/** The plan with `--model` and `--concurrency` as its own defaults, for a plan file. */
function withPlanDefaults(plan: Plan, flags: DoFlags): Plan {
  return {
    ...plan,
    ...(flags.model !== undefined && { model: flags.model }),
    ...(flags.concurrency !== undefined && { concurrency: flags.concurrency }),
    ...(flags.strictWrites && { strictWrites: true }),
  };
}

/**
 * Asks before running when someone is at a terminal (stdin and stdout both
 * TTYs, no `--json`, no `--yes`); runs without asking otherwise.
 */
async function confirmed(plan: Plan, flags: DoFlags, io: CliIo): Promise<boolean> {
  if (flags.yes || flags.json || io.stdin?.isTTY !== true || io.stdout.isTTY !== true) return true;
  const count = plan.tasks.length;
  io.stdout.write(`Run ${count === 1 ? 'this task' : `these ${count} tasks`}? [Y/n] `);
  return readYesNo(io.stdin);
}

import { resolve } from 'node:path';
import { ExitCode } from '../exit-codes.js';
import { writeLines, writeWarnings, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { checkPlan } from '../library.js';
import { renderDag } from '../render-dag.js';
import { renderEstimate } from '../render-estimate.js';
import { spawnOptionsFromFlags } from '../run-flags.js';
import { workingDirOf } from '../working-dir.js';

/** Flags of `fanout check`. */
export interface CheckFlags {
  strict?: boolean;
  json?: boolean;
  /** Checked as `run --model` would run it. */
  model?: string;
  cwd?: string;
}

/**
 * `fanout check <plan>`: everything `run` would check before starting
 * (schema, independence, agents, models and their endpoints, budgets), then
 * the execution DAG and the estimate of tokens and cost; runs and records nothing.
 */
export async function checkCommand(planPath: string, flags: CheckFlags, io: CliIo): Promise<number> {
  const cwd = workingDirOf(io.cwd, flags.cwd);
  const { plan, dag, estimate, warnings } = await checkPlan(io, cwd, resolve(io.cwd, planPath), spawnOptionsFromFlags(flags));
  writeWarnings(io, warnings);
  if (flags.json) {
    io.stdout.write(jsonLine(dag));
  } else {
    writeLines(io.stdout, [`${planPath}: valid plan${plan.name ? ` "${plan.name}"` : ''}`, ...renderDag(dag), '', ...renderEstimate(estimate, plan)]);
  }
  return ExitCode.ok;
}

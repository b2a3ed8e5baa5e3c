import { resolve } from 'node:path';
import { ExitCode } from '../exit-codes.js';
import { writeLines, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { renderDag } from '../render-dag.js';

/** Flags of `fanout check`. */
export interface CheckFlags {
  strict?: boolean;
  json?: boolean;
}

/** `fanout check <plan>`: validates the plan and prints its execution DAG; runs nothing. */
export async function checkCommand(planPath: string, flags: CheckFlags, io: CliIo): Promise<number> {
  const { loadPlanFile, analyzePlan } = await import('../../plan/index.js');
  const source = resolve(io.cwd, planPath);
  const plan = loadPlanFile(source);
  const dag = analyzePlan(plan, { strict: flags.strict === true, source });
  if (flags.json) {
    io.stdout.write(jsonLine(dag));
  } else {
    writeLines(io.stdout, [`${planPath}: valid plan${plan.name ? ` "${plan.name}"` : ''}`, ...renderDag(dag)]);
  }
  return ExitCode.ok;
}

import { accessSync, constants, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { FanoutError } from '../contracts/errors.js';
import type { Plan } from '../contracts/plan.js';

/** A plan as the YAML `do --plan-only` writes: a comment saying where it came from, then the plan. */
export function planYaml(plan: Plan, request: string, file: string): string {
  const header = [
    `# Written by: fanout do "${request.replace(/\s+/g, ' ')}" --plan-only ${file}`,
    `# Edit it, then check it with: fanout check ${file}   and run it with: fanout run ${file}`,
  ];
  // Top-level fields before the tasks, so caps and defaults are seen first; texts as literal blocks, unfolded.
  const { tasks, ...top } = plan;
  return `${header.join('\n')}\n${stringify({ ...top, tasks }, { blockQuote: 'literal', lineWidth: 0 })}`;
}

/**
 * Writes `text` to `path`; unless `overwrite`, refuses (FanoutError
 * `OPTION_INVALID`, one line) when the file exists, atomically with the
 * creation so no existing file is ever replaced.
 */
export function writeNewFile(path: string, shown: string, text: string, overwrite: boolean): void {
  try {
    writeFileSync(path, text, { flag: overwrite ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw existingFile(shown);
    throw new FanoutError('OPTION_INVALID', `${shown}: cannot write the plan (${code ?? String(error)})`, { cause: error, where: shown });
  }
}

/** The error for a `--plan-only` file that already exists. */
export function existingFile(shown: string): FanoutError {
  return new FanoutError('OPTION_INVALID', `${shown}: the file already exists; add --force to overwrite it`, { where: shown });
}

/**
 * Checks, before the planner is called, that `writeNewFile` can create the
 * plan file at `path`: not an existing file (unless `overwrite`), not a
 * directory, in a directory that exists and is writable. Throws FanoutError
 * `OPTION_INVALID` (one line naming `--plan-only` and the file as given).
 */
export function checkPlanFileTarget(path: string, shown: string, overwrite: boolean): void {
  const fail = (what: string): never => {
    throw new FanoutError('OPTION_INVALID', `--plan-only ${shown}: ${what}`, { where: shown });
  };
  const target = statOrUndefined(path);
  if (target?.isDirectory()) fail('is a directory (expected a file name, e.g. plan.yaml)');
  if (target !== undefined && !overwrite) throw existingFile(shown);
  const dir = dirname(path);
  const parent = statOrUndefined(dir);
  if (parent === undefined) fail(`the directory ${dir} does not exist`);
  else if (!parent.isDirectory()) fail(`${dir} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    fail(`the directory ${dir} is not writable`);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

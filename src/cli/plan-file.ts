import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { FanoutError } from '../errors.js';
import type { Plan } from '../plan/types.js';

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

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { FanoutError } from '../contracts/errors.js';
import type { CommandTemplate } from '../contracts/plan.js';
import { formatPath } from './load-plan.js';
import { commandSchema, TASK_ID_PATTERN } from './schema.js';

/** File names of the commands file looked for in the fanout home, in this order. */
export const COMMAND_FILE_NAMES = ['commands.json', 'commands.yaml', 'commands.yml'] as const;

const templatesSchema = z.record(
  z.string().regex(TASK_ID_PATTERN, { error: 'expected a name of letters, digits, -, _ or .' }),
  commandSchema,
  { error: 'expected an object mapping names to command templates ({ run, result?, usage? })' },
);

/**
 * Reads a commands file: named command templates (`codex: { run: [...] }`),
 * which `model: command:<name>` runs (docs/agents.md). JSON or YAML. Throws
 * FanoutError `OPTION_INVALID`, one line naming the file and the field.
 */
export function loadCommandTemplates(file: string): Record<string, CommandTemplate> {
  const fail = (what: string, cause?: unknown): never => {
    throw new FanoutError('OPTION_INVALID', `${file}: ${what}`, { cause, where: file });
  };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    fail(`cannot read the commands file (${(error as NodeJS.ErrnoException).code ?? String(error)})`, error);
  }
  let value: unknown;
  try {
    // YAML is a superset of JSON: one parser reads both.
    value = parse(text, { maxAliasCount: 100 });
  } catch (error) {
    fail(`not valid JSON or YAML: ${(error as Error).message.split('\n')[0]}`, error);
  }
  const result = templatesSchema.safeParse(value ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue === undefined ? [] : issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
    fail(`${path.length === 0 ? '(root)' : formatPath(path)}: ${issue?.message ?? 'invalid'}`, result.error);
  }
  return result.data as Record<string, CommandTemplate>;
}

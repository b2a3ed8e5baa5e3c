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
 * Validates what a commands file holds: named command templates
 * (`codex: { run: [...] }`), which `model: command:<name>` runs
 * (docs/agents.md). Throws FanoutError `OPTION_INVALID`, one line naming
 * `file` and the field.
 */
export function parseCommandTemplates(value: unknown, file: string): Record<string, CommandTemplate> {
  const result = templatesSchema.safeParse(value ?? {});
  if (result.success) return result.data as Record<string, CommandTemplate>;
  const issue = result.error.issues[0];
  const path = issue === undefined ? [] : issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  throw new FanoutError('OPTION_INVALID', `${file}: ${path.length === 0 ? '(root)' : formatPath(path)}: ${issue?.message ?? 'invalid'}`, {
    cause: result.error,
    where: file,
  });
}

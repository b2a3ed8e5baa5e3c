import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { FanoutError } from '../contracts/errors.js';
import { planSchema } from './schema.js';
import type { Plan, TaskSpec } from '../contracts/plan.js';

/** How many schema problems one error line lists before "and N more". */
const MAX_PROBLEMS = 3;

/** Deepest nesting of lists and objects a plan may have; real plans stay under 10. */
export const MAX_PLAN_DEPTH = 64;

/** Most alias expansions in a YAML plan: anchors are for sharing a value, not for multiplying it. */
export const MAX_YAML_ALIASES = 100;

/**
 * Reads and validates a plan file: `.json` as JSON, anything else as YAML
 * (which also reads JSON). The file may hold a plan object or a bare list of
 * tasks. Throws FanoutError `PLAN_INVALID` with one line naming the file, the
 * line:column of a syntax error, or the field path of a schema problem.
 */
export function loadPlanFile(path: string): Plan {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new FanoutError('PLAN_INVALID', `${path}: cannot read plan file: ${reason}`, { cause: error, where: path });
  }
  const value = extname(path).toLowerCase() === '.json' ? parseJson(text, path) : parseYaml(text, path);
  return parsePlan(value, path);
}

function parseYaml(text: string, source: string): unknown {
  const lineCounter = new LineCounter();
  const document = nestingGuard(source, () => parseDocument(text, { lineCounter, prettyErrors: false }));
  const [error] = document.errors;
  if (error !== undefined) {
    // The yaml package reports its own stack overflow on absurd nesting as a document error.
    if (/Maximum call stack/.test(error.message)) throw tooDeep(source, error);
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw syntaxError(source, line, col, 'YAML', error.message, error);
  }
  try {
    return nestingGuard(source, () => document.toJS({ maxAliasCount: MAX_YAML_ALIASES }));
  } catch (error) {
    if (error instanceof FanoutError) throw error;
    // The yaml package throws a ReferenceError when aliases expand past the limit (an alias bomb).
    throw new FanoutError(
      'PLAN_INVALID',
      `${source}: YAML aliases expand too much (more than ${MAX_YAML_ALIASES} alias expansions); write the values out`,
      { cause: error, where: source },
    );
  }
}

/**
 * Runs a recursive parser, turning a stack overflow on absurdly deep input
 * into the same one-line error {@link checkDepth} gives.
 */
function nestingGuard<T>(source: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(source, error);
    throw error;
  }
}

function tooDeep(source: string, cause?: unknown): FanoutError {
  return new FanoutError('PLAN_INVALID', `${source}: the plan is nested more than ${MAX_PLAN_DEPTH} levels deep`, {
    cause,
    where: source,
  });
}

/**
 * Throws when lists and objects nest deeper than {@link MAX_PLAN_DEPTH}.
 * Iterative, so it is safe on any input; validation and storing recurse.
 */
function checkDepth(value: unknown, source: string): void {
  const pending: Array<[unknown, number]> = [[value, 1]];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const [node, depth] = item;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > MAX_PLAN_DEPTH) throw tooDeep(source);
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
}

function parseJson(text: string, source: string): unknown {
  try {
    // Editors on some systems save a byte-order mark, which JSON.parse refuses.
    return nestingGuard(source, () => JSON.parse(text.replace(/^\uFEFF/, '')) as unknown);
  } catch (error) {
    if (error instanceof FanoutError) throw error;
    const message = (error as Error).message;
    const at = /at position (\d+)/.exec(message);
    const offset = at === null ? text.length : Number(at[1]);
    const before = text.slice(0, offset).split('\n');
    const line = before.length;
    const col = (before[before.length - 1] ?? '').length + 1;
    throw syntaxError(source, line, col, 'JSON', message.replace(/\s*(in JSON )?at position \d+.*$/, ''), error);
  }
}

function syntaxError(source: string, line: number, col: number, format: string, message: string, cause: unknown) {
  const where = `${source}:${line}:${col}`;
  const firstLine = message.split('\n')[0]?.trim() ?? message;
  return new FanoutError('PLAN_INVALID', `${where}: ${format} syntax error: ${firstLine}`, { cause, where });
}

/**
 * Validates a parsed plan (a plan object, or a bare list of tasks) against
 * the plan schema. Throws FanoutError `PLAN_INVALID` with one line listing
 * the first problems by field path, e.g.
 * `plan.yaml: tasks[2].timeoutMs: expected a positive integer, got "abc"`.
 * Ids, dependencies and globs are checked by `analyzePlan`.
 */
export function parsePlan(value: unknown, source: string): Plan {
  if (value === null || value === undefined) {
    throw new FanoutError('PLAN_INVALID', `${source}: the plan is empty (expected a plan with a tasks list)`, {
      where: source,
    });
  }
  checkDepth(value, source);
  const bare = Array.isArray(value);
  const result = planSchema.safeParse(bare ? { tasks: value } : value);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => describeIssue(issue, bare));
  const shown = problems.slice(0, MAX_PROBLEMS).map(({ path, message }) => (path === '' ? message : `${path}: ${message}`));
  const rest = problems.length - MAX_PROBLEMS;
  const more = rest > 0 ? ` (and ${rest} more problem${rest === 1 ? '' : 's'})` : '';
  const first = problems[0]?.path ?? '';
  throw new FanoutError('PLAN_INVALID', `${source}: ${shown.join('; ')}${more}`, {
    cause: result.error,
    where: first === '' ? source : `${source}: ${first}`,
  });
}

/**
 * Turns what a library caller passes (a plan or a bare list of tasks) into a
 * validated {@link Plan}, with the same checks and messages as a plan file.
 */
export function normalizePlan(plan: Plan | TaskSpec[], source: string): Plan {
  return parsePlan(plan, source);
}

/** One line per problem; unknown fields get one each, so each path names the field. */
function describeIssue(issue: z.core.$ZodIssue, bare: boolean): Array<{ path: string; message: string }> {
  // A bare task list was wrapped in `{ tasks }`: report paths as the user wrote them.
  const path = bare ? issue.path.slice(1) : issue.path;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: issue.message }));
  }
  return [{ path: formatPath(path), message: issue.message }];
}

/** `['tasks', 2, 'timeoutMs']` → `tasks[2].timeoutMs`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    const name = String(key);
    const plain = /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
    return text === '' ? plain : `${text}.${plain}`;
  }, '');
}

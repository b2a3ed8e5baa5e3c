import { FanoutError } from '../contracts/errors.js';
import type { Plan } from '../contracts/plan.js';

/** Options every preset accepts. */
export interface PresetOptions {
  /** Model spec for every task and the synthesis (the plan's `model`). */
  model?: string;
  /** Most tasks running at once (the plan's `concurrency`). */
  concurrency?: number;
  /** The working directory the paths are relative to and must lie in. Default: process.cwd(). */
  cwd?: string;
}

/** The plan-level fields set by {@link PresetOptions}; throws `OPTION_INVALID` on a bad concurrency. */
export function presetPlanFields(options: PresetOptions): Pick<Plan, 'model' | 'concurrency'> {
  const fields: Pick<Plan, 'model' | 'concurrency'> = {};
  if (options.model !== undefined) fields.model = options.model;
  if (options.concurrency !== undefined) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new FanoutError('OPTION_INVALID', `concurrency: expected a positive integer, got ${options.concurrency}`);
    }
    fields.concurrency = options.concurrency;
  }
  return fields;
}

/**
 * A task id made of `prefix` and a path (`analyze-src-auth`), using only the
 * characters task ids allow, and not in `used` (a numeric suffix is added when
 * two paths give the same id). The id is added to `used`.
 */
export function pathTaskId(prefix: string, relativePath: string, used: Set<string>): string {
  const slug = relativePath === '.' ? 'root' : relativePath.replace(/\//g, '-').replace(/[^A-Za-z0-9_.-]/g, '_');
  const base = `${prefix}-${slug}`;
  let id = base;
  for (let n = 2; used.has(id); n += 1) id = `${base}-${n}`;
  used.add(id);
  return id;
}

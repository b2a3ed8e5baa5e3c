import type { RunPatch, TaskPatch } from '../contracts/run-store.js';

/** How one patchable field is stored, and whether a patch may clear it. */
export interface PatchField {
  /** Column of the SQLite table. */
  column: string;
  /** Required fields ignore an `undefined` in a patch; optional ones are cleared by it. */
  required: boolean;
  /** Stored as JSON text. */
  json?: boolean;
}

/** The fields `updateRun` may change. */
export const RUN_PATCH_FIELDS: Readonly<Record<keyof RunPatch, PatchField>> = {
  status: { column: 'status', required: true },
  startedAt: { column: 'started_at', required: false },
  endedAt: { column: 'ended_at', required: false },
  pid: { column: 'pid', required: false },
  leaseUntil: { column: 'lease_until', required: false },
  attempts: { column: 'attempts', required: false, json: true },
  synthesis: { column: 'synthesis', required: false, json: true },
  error: { column: 'error', required: false },
  limit: { column: 'limit_reason', required: false },
};

/** The fields `updateTask` may change. */
export const TASK_PATCH_FIELDS: Readonly<Record<keyof TaskPatch, PatchField>> = {
  status: { column: 'status', required: true },
  readyAt: { column: 'ready_at', required: false },
  startedAt: { column: 'started_at', required: false },
  endedAt: { column: 'ended_at', required: false },
  turns: { column: 'turns', required: true },
  inputTokens: { column: 'input_tokens', required: true },
  outputTokens: { column: 'output_tokens', required: true },
  retries: { column: 'retries', required: true },
  retryWaitMs: { column: 'retry_wait_ms', required: true },
  rateLimitWaitMs: { column: 'rate_limit_wait_ms', required: false },
  costUsd: { column: 'cost_usd', required: false },
  waitReason: { column: 'wait_reason', required: false },
  error: { column: 'error', required: false },
  writes: { column: 'writes', required: false, json: true },
  refused: { column: 'refused', required: false, json: true },
};

/**
 * The entries of `patch` a store applies, in a stable order: known fields
 * only, minus required fields given as `undefined` (a value of `undefined`
 * left in the result means "clear this field").
 */
export function patchEntries<K extends string>(
  patch: Partial<Record<K, unknown>>,
  fields: Readonly<Record<K, PatchField>>,
): Array<[K, PatchField, unknown]> {
  const entries: Array<[K, PatchField, unknown]> = [];
  for (const key of Object.keys(fields) as K[]) {
    if (!Object.hasOwn(patch, key)) continue;
    const field = fields[key];
    const value = patch[key];
    if (value === undefined && field.required) continue;
    entries.push([key, field, value]);
  }
  return entries;
}

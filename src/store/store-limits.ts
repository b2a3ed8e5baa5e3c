import { FanoutError } from '../contracts/errors.js';
import type { RunRecord, TaskOutput, TaskRecord } from '../contracts/records.js';
import { DEFAULT_MAX_OUTPUT_BYTES, type RunPatch } from '../contracts/run-store.js';

/**
 * Checks a store's `maxOutputBytes` option and applies the default.
 * @throws FanoutError `OPTION_INVALID` unless it is a positive integer.
 */
export function resolveMaxOutputBytes(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_OUTPUT_BYTES;
  if (!Number.isInteger(value) || value <= 0) {
    throw new FanoutError('OPTION_INVALID', `maxOutputBytes must be a positive integer, got ${String(value)}`, {
      where: 'maxOutputBytes',
    });
  }
  return value;
}

/**
 * Checks the `limit` of `listRuns`.
 * @throws FanoutError `OPTION_INVALID` unless it is absent or a non-negative integer.
 */
export function checkListLimit(limit: number | undefined): void {
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new FanoutError('OPTION_INVALID', `listRuns limit must be a non-negative integer, got ${String(limit)}`, {
      where: 'limit',
    });
  }
}

/**
 * Checks that every task given to `createRun` belongs to the run.
 * @throws FanoutError `INTERNAL` naming the first task that does not.
 */
export function checkTasksBelongToRun(run: RunRecord, tasks: readonly TaskRecord[]): void {
  const stray = tasks.find((task) => task.runId !== run.runId);
  if (stray) {
    throw new FanoutError('INTERNAL', `task ${stray.handle} belongs to run ${stray.runId}, not to run ${run.runId}`);
  }
}

/**
 * Returns `output` with `text` cut to at most `maxBytes` bytes of UTF-8,
 * never splitting a character, and `truncated` set when anything was cut.
 * `json` is kept only when its serialization fits the cap too: otherwise a
 * large structured answer would bypass the cap that bounds the store.
 */
export function capOutput(output: TaskOutput, maxBytes: number): TaskOutput {
  let { text, json } = output;
  let truncated = output.truncated;
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    text = cutUtf8(text, maxBytes);
    truncated = true;
  }
  if (json !== undefined && Buffer.byteLength(JSON.stringify(json) ?? '', 'utf8') > maxBytes) {
    json = undefined;
    truncated = true;
  }
  const capped: TaskOutput = { handle: output.handle, text, truncated };
  if (json !== undefined) capped.json = json;
  return capped;
}

/** `text` cut to at most `maxBytes` of UTF-8, at a character start. */
function cutUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  let cut = maxBytes;
  // Back off over UTF-8 continuation bytes (10xxxxxx) to a character start.
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return bytes.subarray(0, cut).toString('utf8');
}

/** A run patch whose synthesis text is capped like a task output's (and marked `truncated`). */
export function capRunPatch(patch: RunPatch, maxBytes: number): RunPatch {
  const synthesis = patch.synthesis;
  if (synthesis === undefined || Buffer.byteLength(synthesis.text, 'utf8') <= maxBytes) return patch;
  return { ...patch, synthesis: { ...synthesis, text: cutUtf8(synthesis.text, maxBytes), truncated: true } };
}

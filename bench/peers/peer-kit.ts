/**
 * What the four peer legs share: measuring (as every leg does) and counting
 * the tasks that failed. A peer runs its tasks with its own concurrency
 * mechanism and hands each one to `attempt`.
 */
import { measureLeg, type LegResult } from '../measure.js';
import type { PeerWorkload } from '../peer-workload.js';

/** Runs one task; resolves with the number of model calls it made. */
export type Attempt = (task: number, run: () => Promise<number>) => Promise<void>;

/**
 * Measures `runAll`, which runs every task through `attempt`. A task that
 * throws is counted as failed; unless the workload counts failures (the
 * rate-limit scenarios), a failed task fails the leg: it would time nothing real.
 */
export async function measurePeer(workload: PeerWorkload, runAll: (attempt: Attempt) => Promise<void>): Promise<LegResult> {
  let calls = 0;
  let failed = 0;
  let firstError: unknown;
  const attempt: Attempt = async (task, run) => {
    try {
      const made = await run();
      calls += made;
    } catch (error) {
      failed++;
      firstError ??= Object.assign(error instanceof Error ? error : new Error(String(error)), { task });
    }
  };
  const result = await measureLeg(async () => {
    await runAll(attempt);
    return calls;
  });
  if (failed > 0 && workload.args.countFailures !== true) {
    const message = firstError instanceof Error ? firstError.message : String(firstError);
    throw new Error(`${failed} of ${workload.args.tasks} tasks failed, e.g.: ${message}`);
  }
  return { ...result, ...(workload.args.countFailures === true && { failed }) };
}

/** The task numbers 0 … tasks − 1. */
export function taskNumbers(workload: PeerWorkload): number[] {
  return Array.from({ length: workload.args.tasks }, (_, task) => task);
}

/** What a tool other than `read_file` does: the workload never asks for one. */
export function unusedTool(name: string): never {
  throw new Error(`the benchmark's model never calls ${name}`);
}

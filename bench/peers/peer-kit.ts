/** What the four peer legs share besides measuring (`measureTasks`, bench/measure.ts). */
import pLimit from 'p-limit';
import { measureTasks, type LegResult } from '../measure.js';
import type { PeerWorkload } from '../peer-workload.js';

/** The task numbers 0 … tasks − 1. */
export function taskNumbers(workload: PeerWorkload): number[] {
  return Array.from({ length: workload.args.tasks }, (_, task) => task);
}

/** What a tool other than `read_file` does: the workload never asks for one. */
export function unusedTool(name: string): never {
  throw new Error(`the benchmark's model never calls ${name}`);
}

/**
 * Measures `runTask` over every task of the workload, `concurrency` at a time
 * through p-limit: for a peer with no parallel runner of its own.
 * `runTask` resolves with the number of model calls the task made.
 */
export function measurePooled(workload: PeerWorkload, runTask: (task: number) => Promise<number>): Promise<LegResult> {
  const limit = pLimit(workload.args.concurrency);
  return measureTasks(workload.args, async (attempt) => {
    await Promise.all(taskNumbers(workload).map((task) => limit(() => attempt(task, () => runTask(task)))));
  });
}

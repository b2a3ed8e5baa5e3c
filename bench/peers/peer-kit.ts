/** What the four peer legs share besides measuring (`measureTasks`, bench/measure.ts). */
import type { PeerWorkload } from '../peer-workload.js';

/** The task numbers 0 … tasks − 1. */
export function taskNumbers(workload: PeerWorkload): number[] {
  return Array.from({ length: workload.args.tasks }, (_, task) => task);
}

/** What a tool other than `read_file` does: the workload never asks for one. */
export function unusedTool(name: string): never {
  throw new Error(`the benchmark's model never calls ${name}`);
}

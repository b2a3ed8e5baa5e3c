/** Small statistics the benchmark reports with. */

/** The median of `values` (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * What a perfect client would take for a workload: every wave of
 * `concurrency` tasks makes its `callsPerTask` calls back to back, each
 * exactly `latencyMs`, with nothing else costing time.
 */
export function idealWallMs(workload: { tasks: number; callsPerTask: number; latencyMs: number; concurrency: number }): number {
  return workload.callsPerTask * workload.latencyMs * Math.ceil(workload.tasks / workload.concurrency);
}

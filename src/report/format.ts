import { NOTABLE_WAIT_MS, rateLimitOnlyMs, type TaskTiming } from '../contracts/run-report.js';
import type { RunSnapshot } from './run-snapshot.js';

/** A duration for the picture of a run: `850 ms`, `1.23 s`, `2 m 03 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} m ${String(seconds % 60).padStart(2, '0')} s`;
}

/** A token count with thousands separators. */
export function formatTokenCount(count: number): string {
  return count.toLocaleString('en-US');
}

/** An estimated cost: `$0.0123`; `n/a` when a model's price is unknown. */
export function formatDollars(usd: number | undefined): string {
  if (usd === undefined || !Number.isFinite(usd)) return 'n/a';
  if (usd === 0) return '$0';
  if (usd < 0.0001) return '<$0.0001';
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}

/** The run's cost, saying when it ran on the simulated model. */
export function runCostText(snapshot: RunSnapshot): string {
  const { report } = snapshot;
  return report.simulated && report.costUsd === 0 ? '$0 (simulated)' : formatDollars(report.costUsd);
}

/** `3.61×`. */
export function formatSpeedupText(speedup: number): string {
  return Number.isFinite(speedup) && speedup > 0 ? `${speedup.toFixed(2)}×` : '-';
}

/** A column of the timing tables for one kind of wait of a task's model calls at its provider's gate. */
export interface GateWaitColumn {
  header: string;
  ms: (timing: Pick<TaskTiming, 'rateLimitWaitMs' | 'providerCapWaitMs'>) => number;
}

/** A rate limit is the provider's; a provider cap is one someone set: each has its own column, never summed. */
const GATE_WAIT_COLUMNS: readonly GateWaitColumn[] = [
  { header: 'Rate limits', ms: rateLimitOnlyMs },
  { header: 'Provider cap', ms: (timing) => timing.providerCapWaitMs ?? 0 },
];

/** The gate-wait columns the timing tables of these tasks show: those some task waited a notable time for. */
export function gateWaitColumns(timings: readonly TaskTiming[]): GateWaitColumn[] {
  return GATE_WAIT_COLUMNS.filter((column) => timings.some((timing) => column.ms(timing) >= NOTABLE_WAIT_MS));
}

/** A gate-wait cell: the wait, or `-` when it was not notable (or the task has no timing yet). */
export function gateWaitCell(column: GateWaitColumn, timing: TaskTiming | undefined): string {
  const ms = timing === undefined ? 0 : column.ms(timing);
  return ms >= NOTABLE_WAIT_MS ? formatMs(ms) : '-';
}

/** Words for a wait cause, as the legend and labels say it. */
export const WAIT_CAUSE_LABELS: Readonly<Record<string, string>> = {
  dependency: 'dependency',
  conflict: 'file conflict',
  concurrency: 'concurrency cap',
  'provider-cap': 'provider cap',
  'rate-limit': 'rate limit',
  retry: 'retry backoff',
  sequential: 'sequential mode',
};

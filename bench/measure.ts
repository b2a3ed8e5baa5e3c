/**
 * How a leg measures itself, in its own process. Apart from bench-kit.ts,
 * which loads fanout, so the peer legs (bench/peers/), which must not carry
 * fanout's modules in their memory, measure the same way.
 */
import type { EngineFigures, LegArgs } from './bench-kit.js';
import { measuredWindowEdge } from './measured-window.js';

/** What a leg measured, in its own process. */
export interface LegResult {
  wallMs: number;
  /** User + system CPU time of the leg's process during the run. */
  cpuMs: number;
  /** Peak resident set size of the leg's process (includes its start-up). */
  peakRssMb: number;
  /** Model calls made; a leg whose count differs from tasks × callsPerTask did not do the work. */
  calls: number;
  /** The engine's own report of the run, for legs that go through the engine. */
  engine?: EngineFigures;
  /** CPU time the simulated server's process spent during the leg (set by `bench/run.ts`, which owns the server). */
  serverCpuMs?: number;
  /** Tasks that did not succeed (with `countFailures`). */
  failed?: number;
  /** The first of those tasks and its error, so that a rare failure can be looked into. */
  firstFailure?: string;
}

/**
 * Measures `run` (which returns its call count) in the current process.
 * Wall and CPU time end when `run` settles, or at its first call of `markEnd`
 * when it calls it (a leg whose work ends before its bookkeeping does).
 */
export async function measureLeg(run: (markEnd: () => void) => Promise<number>): Promise<LegResult> {
  // Tells a parent holding an IPC channel (runLegInChild) that the clock starts: its time limit counts from here.
  process.send?.({ started: true });
  measuredWindowEdge('start');
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let end: { at: number; cpu: NodeJS.CpuUsage } | undefined;
  const stop = (): { at: number; cpu: NodeJS.CpuUsage } => {
    const ended = { at: performance.now(), cpu: process.cpuUsage(cpuStart) };
    measuredWindowEdge('end');
    return ended;
  };
  const calls = await run(() => {
    end ??= stop();
  });
  const { at, cpu } = end ?? stop();
  return {
    wallMs: Math.round(at - start),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    calls,
  };
}

/** Runs one task; resolves with the number of model calls it made. */
export type Attempt = (task: number, run: () => Promise<number>) => Promise<void>;

/**
 * Measures `runAll`, which runs every task through `attempt`, each with the
 * leg's own concurrency mechanism. A task that throws is counted as failed;
 * unless `args.countFailures` (the rate-limit scenarios), a failed task
 * fails the leg: it would time nothing real.
 */
export async function measureTasks(args: LegArgs, runAll: (attempt: Attempt) => Promise<void>): Promise<LegResult> {
  let calls = 0;
  let failed = 0;
  let firstError: unknown;
  const attempt: Attempt = async (_task, run) => {
    try {
      const made = await run();
      calls += made;
    } catch (error) {
      failed++;
      firstError ??= error;
    }
  };
  const result = await measureLeg(async () => {
    await runAll(attempt);
    return calls;
  });
  if (failed > 0 && args.countFailures !== true) {
    throw new Error(`${failed} of ${args.tasks} tasks failed, e.g.: ${firstError instanceof Error ? firstError.message : String(firstError)}`);
  }
  return { ...result, ...(args.countFailures === true && { failed }) };
}

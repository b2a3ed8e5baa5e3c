/**
 * The shape of one `npm run bench` run's results (also its `--json`
 * output), and the summary of repeated runs of a workload into medians.
 */
import type { LegArgs, LegResult } from './bench-kit.js';
import { idealWallMs, median } from './bench-stats.js';
import type { ChainResult } from './chain-scenario.js';
import type { LimitScenarioResult } from './limit-scenarios.js';
import type { WorktreeFigures } from './worktrees.js';
import type { VersionTiming } from './version-timing.js';

/** A workload without the server URL. */
export type Workload = Omit<LegArgs, 'url'>;

/** Medians of one leg over the runs of a workload. */
export interface LegSummary {
  wallMs: number;
  /** The fastest and slowest run: the spread says how noisy the machine was. */
  wallMinMs: number;
  wallMaxMs: number;
  /** Median over runs of this leg's wall ÷ the floor's wall of the same run. */
  timesFloor: number;
  /** Ideal wall ({@link idealWallMs}) ÷ wall: 1 means the client cost no time at all. */
  idealEfficiency: number;
  /** The engine's own efficiency, critical path ÷ its wall (legs through the engine only). */
  engineEfficiency?: number;
  /** The engine's critical path and wall (first task start to last task end), ms. */
  engineCriticalPathMs?: number;
  engineWallMs?: number;
  cpuMs: number;
  /** The simulated server's CPU during the leg: the other half of a CPU-bound run on a small machine. */
  serverCpuMs?: number;
  peakRssMb: number;
  calls: number;
}

/** A workload's runs and their medians. */
export interface WorkloadResult {
  label: string;
  workload: Workload;
  idealWallMs: number;
  /** Leg name → what it measured in each run, in run order. */
  runs: Record<string, LegResult[]>;
  summary: Record<string, LegSummary>;
  /** Peers with no result, and why (a lost task, a crash): they are left out of `runs` and `summary`. */
  errors?: Record<string, string>;
  /**
   * CPU of `fanout` and `provider` in rounds run after the workload's own rounds, only those two legs, so
   * that the engine overhead (their ratio, paired round by round) is a median of enough pairs: on a
   * 2-core machine one pair's ratio of a 0.3 s leg swings by a third. Not in `summary`.
   */
  overheadPairs?: OverheadPair[];
}

/** The CPU of the `fanout` and `provider` legs in one extra round. */
export interface OverheadPair {
  fanoutCpuMs: number;
  providerCpuMs: number;
}

/** Five independent one-call tasks through the engine. */
export interface FiveTaskResult {
  workload: Workload;
  /** Spawn to the end of the run, ms. */
  wallMs: number;
  /** The engine's report: first task start to last task end, ms. */
  engineWallMs: number;
  sequentialMs: number;
  /** sequentialMs ÷ engineWallMs. */
  speedup: number;
  calls: number;
}

/** The machine the figures were measured on. */
export interface MachineInfo {
  node: string;
  cores: number;
  cpu: string;
  /** 1-minute load average before and after the run: other work on the machine shows here. */
  loadBefore: number;
  loadAfter: number;
}

/** Everything one benchmark run measured. */
export interface BenchResults {
  machine: MachineInfo;
  runs: number;
  quick: boolean;
  fiveTasks: FiveTaskResult;
  workloads: WorkloadResult[];
  chain: ChainResult;
  version: VersionTiming;
  /** The rate-limit and scale scenarios S1–S5 (absent with `--skip-limits`). */
  limits?: LimitScenarioResult[];
  /** Worktrees and the shell sandbox (issue 11): medians of `runs` rounds. */
  worktrees: WorktreeFigures;
}

/** Medians per leg over the runs of a workload; `floor` must be among the legs. */
export function summarizeWorkload(label: string, workload: Workload, runs: Record<string, LegResult[]>): WorkloadResult {
  const ideal = idealWallMs(workload);
  const floor = runs.floor ?? [];
  const summary: Record<string, LegSummary> = {};
  for (const [leg, results] of Object.entries(runs)) {
    const of = (pick: (result: LegResult) => number): number => median(results.map(pick));
    const engines = results.flatMap((result) => (result.engine === undefined ? [] : [result.engine]));
    const wallMs = of((result) => result.wallMs);
    const walls = results.map((result) => result.wallMs);
    summary[leg] = {
      wallMs,
      wallMinMs: Math.min(...walls),
      wallMaxMs: Math.max(...walls),
      timesFloor: median(results.map((result, run) => result.wallMs / (floor[run]?.wallMs ?? Number.NaN))),
      idealEfficiency: ideal / wallMs,
      cpuMs: of((result) => result.cpuMs),
      ...(results.every((result) => result.serverCpuMs !== undefined) ? { serverCpuMs: of((result) => result.serverCpuMs as number) } : {}),
      peakRssMb: of((result) => result.peakRssMb),
      calls: of((result) => result.calls),
      ...(engines.length === 0
        ? {}
        : {
            engineEfficiency: median(engines.map((engine) => engine.efficiency)),
            engineCriticalPathMs: median(engines.map((engine) => engine.criticalPathMs)),
            engineWallMs: median(engines.map((engine) => engine.wallMs)),
          }),
    };
  }
  return { label, workload, idealWallMs: ideal, runs, summary };
}

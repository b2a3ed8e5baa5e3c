/**
 * The targets of issue 2's "Numbers" section, checked against one
 * benchmark run's results.
 */
import type { BenchResults } from './bench-results.js';

/** One target: what it asks, whether this run met it, and the measured figure. */
export interface TargetResult {
  name: string;
  pass: boolean;
  measured: string;
}

/** The limits, in one place so the doc and the checks agree. */
export const LIMITS = {
  fiveTaskWallMs: 1150,
  fiveTaskSpeedup: 4.3,
  timesFloor: 1.15,
  chainStartGapMs: 50,
  versionMs: 200,
} as const;

/** Checks every target; a workload without a fanout, floor or sdk-loop leg fails its targets. */
export function evaluateTargets(results: BenchResults): TargetResult[] {
  const five = results.fiveTasks;
  const targets: TargetResult[] = [
    {
      name: `5 tasks x 1 call @1000 ms: wall <= ${LIMITS.fiveTaskWallMs} ms`,
      pass: five.wallMs <= LIMITS.fiveTaskWallMs,
      measured: `${five.wallMs} ms (engine ${five.engineWallMs} ms)`,
    },
    {
      name: `5 tasks x 1 call @1000 ms: speedup >= ${LIMITS.fiveTaskSpeedup}`,
      pass: five.speedup >= LIMITS.fiveTaskSpeedup,
      measured: `${five.speedup.toFixed(2)} (${five.sequentialMs} ms / ${five.engineWallMs} ms)`,
    },
  ];
  for (const { label, summary } of results.workloads) {
    const fanout = summary.fanout;
    const sdk = summary['sdk-loop'];
    targets.push(
      {
        name: `${label}: fanout <= ${LIMITS.timesFloor}x floor`,
        pass: fanout !== undefined && fanout.timesFloor <= LIMITS.timesFloor,
        measured: fanout === undefined ? 'no fanout leg' : `${fanout.timesFloor.toFixed(2)}x (${fanout.wallMs} ms vs ${summary.floor?.wallMs} ms)`,
      },
      {
        name: `${label}: fanout < sdk-loop`,
        pass: fanout !== undefined && sdk !== undefined && fanout.wallMs < sdk.wallMs,
        measured: `${fanout?.wallMs} ms vs ${sdk?.wallMs} ms`,
      },
    );
  }
  const { chain } = results;
  targets.push(
    {
      name: `chain: b starts within ${LIMITS.chainStartGapMs} ms of a's end and ends before slow sibling c ends`,
      pass: chain.startGapMs <= LIMITS.chainStartGapMs && chain.b.endMs < chain.c.endMs,
      measured: `gap ${chain.startGapMs} ms; b ${chain.b.startMs}-${chain.b.endMs} ms, c ends ${chain.c.endMs} ms`,
    },
    {
      name: `fanout --version < ${LIMITS.versionMs} ms (median)`,
      pass: results.version.medianMs < LIMITS.versionMs,
      measured: `${results.version.medianMs} ms`,
    },
  );
  return targets;
}

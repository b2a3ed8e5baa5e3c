/**
 * The rate-limit and scale scenarios of issue 10 (S1–S5): the fanout leg,
 * and beside it the SDK loop and the peers, each in its own process, against
 * a simulated server in its own process that enforces the scenario's limits
 * or injects its faults. Each scenario is measured against its ideal: the
 * critical path (waves of calls at the allowed concurrency) or the limit
 * itself. Short scenarios are run `runs` times (medians), long ones once.
 */
import type { SimServerOptions } from '../src/models/sim/index.js';
import type { LegArgs, LegResult } from './bench-kit.js';
import { median } from './bench-stats.js';
import type { Workload } from './bench-results.js';
import { startBenchServer } from './bench-server.js';
import { runLegInChild } from './leg-process.js';
import { isPeerLeg, PEER_WIRE } from './peer-workload.js';

/** One scenario: a workload, the server's limits, and what the wall would be with no client cost. */
export interface LimitScenario {
  id: string;
  label: string;
  workload: Workload;
  server: SimServerOptions;
  /** The wall time of a perfect client, ms. */
  idealWallMs: number;
  /** What the ideal is: `critical path` or `limit`. */
  ideal: 'critical path' | 'limit';
}

/** What one leg measured in one scenario (S5: fanout once per model), medians when the scenario ran more than once. */
export interface LimitScenarioResult {
  id: string;
  label: string;
  /** `fanout`, `sdk-loop` or a peer. */
  leg: string;
  /** fanout's model spec; for the others the wire format they speak. */
  model: NonNullable<LegArgs['model']>;
  workload: Workload;
  idealWallMs: number;
  ideal: LimitScenario['ideal'];
  /** Rounds measured (1 for the long scenarios). */
  runs: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  /** Tasks that did not succeed (the worst round). */
  failed: number;
  /** fanout's first failed task with its error, from the last round that had one. */
  firstFailure?: string;
  /** Calls the server answered 429 (its limits) and failed on purpose (its faults). */
  rateLimited: number;
  faults: number;
  /** wall ÷ ideal. */
  ratio: number;
  /** Why the leg has no figures: it crashed or did not finish in time (a finding, not a benchmark failure). */
  error?: string;
}

/** Waves of `latencyMs` calls: the wall of `tasks × calls` calls at `concurrency` with no client cost. */
function waves(tasks: number, callsPerTask: number, latencyMs: number, concurrency: number): number {
  return Math.ceil(tasks / concurrency) * callsPerTask * latencyMs;
}

/** The scenarios at full size, as issue 10 defines them; `quick` ones keep their shape at a fraction of the time. */
export function limitScenarios(quick: boolean): LimitScenario[] {
  const s1 = quick ? { tasks: 1000, callsPerTask: 1, latencyMs: 500, concurrency: 100 } : { tasks: 10_000, callsPerTask: 1, latencyMs: 1000, concurrency: 1000 };
  const s2 = quick ? { tasks: 60, callsPerTask: 2, latencyMs: 50, concurrency: 60 } : { tasks: 300, callsPerTask: 2, latencyMs: 50, concurrency: 300 };
  const s2Rpm = quick ? 1200 : 600;
  const s3 = { tasks: quick ? 40 : 100, callsPerTask: 1, latencyMs: 100, concurrency: 32 };
  const s4 = quick ? { tasks: 100, callsPerTask: 2, latencyMs: 50, concurrency: 50 } : { tasks: 500, callsPerTask: 2, latencyMs: 100, concurrency: 100 };
  const s5 = quick ? { tasks: 200, callsPerTask: 2, latencyMs: 50, concurrency: 100 } : { tasks: 1000, callsPerTask: 2, latencyMs: 100, concurrency: 200 };
  return [
    {
      id: 'S1',
      label: `${s1.tasks} tasks x 1 call @${s1.latencyMs} ms, concurrency ${s1.concurrency}, no limit`,
      workload: s1,
      server: {},
      idealWallMs: waves(s1.tasks, 1, s1.latencyMs, s1.concurrency),
      ideal: 'critical path',
    },
    {
      id: 'S2',
      label: `${s2.tasks} tasks x 2 calls, limit ${s2Rpm} requests/min and 20 concurrent`,
      workload: s2,
      server: { rateLimit: { requestsPerMinute: s2Rpm, maxConcurrent: 20 } },
      // One second's worth starts at once, then the refill: the limit sets the pace, not the latency.
      idealWallMs: Math.round(((s2.tasks * 2 - s2Rpm / 60) / s2Rpm) * 60_000 + s2.latencyMs),
      ideal: 'limit',
    },
    {
      id: 'S3',
      label: `429 storm: ${s3.tasks} tasks @${s3.latencyMs} ms at concurrency 32, 4 concurrent allowed (retry-after 100 ms)`,
      workload: s3,
      server: { rateLimit: { maxConcurrent: 4, retryAfterMs: 100 } },
      idealWallMs: waves(s3.tasks, 1, s3.latencyMs, 4),
      ideal: 'limit',
    },
    {
      id: 'S4',
      label: `${s4.tasks} tasks x 2 calls @${s4.latencyMs} ms, 10% of calls failing (500, 529, reset)`,
      workload: s4,
      server: { faults: { rate: 0.1, kinds: [500, 529, 'reset'], seed: 10 } },
      idealWallMs: waves(s4.tasks, 2, s4.latencyMs, s4.concurrency),
      ideal: 'critical path',
    },
    {
      id: 'S5',
      label: `defaults: ${s5.tasks} tasks x 2 calls @${s5.latencyMs} ms, concurrency ${s5.concurrency}, a server that signals no limit`,
      workload: s5,
      server: {},
      idealWallMs: waves(s5.tasks, 2, s5.latencyMs, s5.concurrency),
      ideal: 'critical path',
    },
  ];
}

/** A scenario at most this long (its ideal) is measured `runs` times; S1 and S2 are too long for that. */
const REPEAT_UP_TO_MS = 5000;

/** What runs the scenarios: the legs beside fanout (`sdk-loop`, peers) and the rounds of the short ones. */
export interface LimitScenarioOptions {
  quick: boolean;
  legs: readonly string[];
  runs: number;
  /** Only these scenarios (ids such as `S4`); all when absent. */
  only?: readonly string[];
}

/**
 * Runs every scenario, each leg on a fresh server: fanout (S5 once per
 * model: sim, anthropic, openai), then each of `legs`. The rounds of a
 * scenario's rows are interleaved (round 1 of every row, then round 2, the
 * order rotated each round), so that a drift of the machine's load over the
 * scenario moves every row alike (S5 compares its three fanout rows). A leg
 * that crashes or does not finish in 5 × the ideal (at least 2 minutes)
 * gets a row with its error and leaves the later rounds.
 */
export async function runLimitScenarios({ quick, legs, runs, only }: LimitScenarioOptions, log: (line: string) => void): Promise<LimitScenarioResult[]> {
  const results: LimitScenarioResult[] = [];
  for (const scenario of limitScenarios(quick).filter(({ id }) => only === undefined || only.includes(id))) {
    const fanoutModels: Array<NonNullable<LegArgs['model']>> = scenario.id === 'S5' ? ['sim', 'anthropic', 'openai'] : ['sim'];
    const rows = [
      ...fanoutModels.map((model) => ({ leg: 'fanout', model })),
      ...legs.map((leg) => ({ leg, model: isPeerLeg(leg) ? PEER_WIRE[leg] : ('anthropic' as const) })),
    ].map((row) => ({ ...row, measured: [] as RoundResult[], error: undefined as string | undefined }));
    const rounds = scenario.idealWallMs <= REPEAT_UP_TO_MS ? runs : 1;
    for (let round = 0; round < rounds; round++) {
      const order = rows.map((_, i) => rows[(i + round) % rows.length] as (typeof rows)[number]).filter((row) => row.error === undefined);
      for (const row of order) {
        const result = await measureRound(scenario, row.leg, row.model);
        if (typeof result === 'string') {
          row.error = result;
          continue;
        }
        row.measured.push(result);
        // Each round's failures, not only the worst: a rare failure shows in which round, with its error.
        if (rounds > 1 && result.failed !== undefined) {
          log(`  ${scenario.id} ${row.leg} (${row.model}) round ${round + 1}/${rounds}: ${result.wallMs} ms, ${result.failed} failed${result.firstFailure === undefined ? '' : ` (${result.firstFailure})`}`);
        }
      }
    }
    for (const { leg, model, measured, error } of rows) {
      const result = summarize(scenario, leg, model, measured, error);
      results.push(result);
      log(
        `  ${scenario.id} ${leg} (${model}): ` +
          (result.error ??
            `${result.wallMs} ms (ideal ${scenario.idealWallMs} ms), CPU ${result.cpuMs} ms, peak RSS ${result.peakRssMb} MB, ${result.failed} failed, ${result.rateLimited} answered 429` +
              (result.firstFailure === undefined ? '' : `; first failed task ${result.firstFailure}`)),
      );
    }
  }
  return results;
}

type RoundResult = LegResult & { rateLimited: number; faults: number };

/** One round of one leg against a fresh server of the scenario's; a string is the leg's error. */
async function measureRound(scenario: LimitScenario, leg: string, model: NonNullable<LegArgs['model']>): Promise<RoundResult | string> {
  const timeoutMs = Math.max(5 * scenario.idealWallMs, 120_000);
  const server = await startBenchServer(scenario.server);
  try {
    const before = await server.stats();
    // fanout's model spec is a fanout option; the other legs each speak their own wire.
    const args: LegArgs = { url: server.url, ...scenario.workload, countFailures: true, ...(leg === 'fanout' && { model }) };
    const result = await runLegInChild(leg, args, { timeoutMs });
    const after = await server.stats();
    return { ...result, rateLimited: after.rateLimited - before.rateLimited, faults: after.faults - before.faults };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await server.stop();
  }
}

/** A row of the scenario's table: medians of its rounds, the worst round's failures, or its error. */
function summarize(scenario: LimitScenario, leg: string, model: NonNullable<LegArgs['model']>, measured: readonly RoundResult[], error: string | undefined): LimitScenarioResult {
  const base = { id: scenario.id, label: scenario.label, leg, model, workload: scenario.workload, idealWallMs: scenario.idealWallMs, ideal: scenario.ideal };
  if (error !== undefined) {
    const none = Number.NaN;
    return { ...base, runs: measured.length + 1, wallMs: none, cpuMs: none, peakRssMb: none, failed: none, rateLimited: none, faults: none, ratio: none, error };
  }
  const of = (pick: (result: RoundResult) => number): number => median(measured.map(pick));
  const wallMs = of((result) => result.wallMs);
  return {
    ...base,
    runs: measured.length,
    wallMs,
    cpuMs: of((result) => result.cpuMs),
    peakRssMb: of((result) => result.peakRssMb),
    failed: Math.max(...measured.map((result) => result.failed ?? 0)),
    ...firstFailureOf(measured),
    rateLimited: of((result) => result.rateLimited),
    faults: of((result) => result.faults),
    ratio: wallMs / scenario.idealWallMs,
  };
}

function firstFailureOf(measured: readonly LegResult[]): { firstFailure?: string } {
  const failure = measured.findLast((result) => result.firstFailure !== undefined)?.firstFailure;
  return failure === undefined ? {} : { firstFailure: failure };
}

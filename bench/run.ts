/**
 * `npm run bench`: every figure of issue 2's "Numbers" section in one run,
 * against one simulated server in its own process, each leg in its own
 * process. Prints the tables and PASS/FAIL per target, and exits 1 when a
 * target fails (2 on bad flags). See bench/README.md and docs/benchmarks.md.
 *
 *   node --import tsx bench/run.ts [--runs N] [--quick] [--json] [--legs a,b,...] [--peers a,b,... | --skip-peers] [--skip-limits]
 *   node --import tsx bench/run.ts --scenarios S4[,S5] [--runs N] [--quick] [--legs fanout] [--skip-peers]
 *
 * `--scenarios` runs only those rate-limit scenarios (fanout, and beside it
 * the peers and `sdk-loop` unless `--legs`/`--skip-peers` leave them out),
 * each round's failures logged, and exits 1 when fanout lost a task.
 *
 * The peers (bench/peers/, LangGraph.js, Mastra, OpenAI Agents JS, the AI
 * SDK) run beside fanout on every workload and scenario; the first run
 * installs them (`npm ci --prefix bench/peers`).
 * The legs run the compiled `dist/` (see fanout-lib.ts): `npm run bench` builds it first.
 */
import os from 'node:os';
import type { LegArgs, LegResult } from './bench-kit.js';
import { summarizeWorkload, type BenchResults, type FiveTaskResult, type OverheadPair, type Workload, type WorkloadResult } from './bench-results.js';
import { startBenchServer, type BenchServer } from './bench-server.js';
import { renderResults } from './bench-table.js';
import { evaluateTargets } from './bench-targets.js';
import { runChainScenario } from './chain-scenario.js';
import { limitScenarios, runLimitScenarios } from './limit-scenarios.js';
import { IN_PROCESS_LEGS, LEGS, runLegInChild } from './leg-process.js';
import { ensurePeersInstalled } from './peer-legs.js';
import { PEER_LEGS, isPeerLeg } from './peer-workload.js';
import { timeVersion } from './version-timing.js';
import { measureWorktrees } from './worktrees.js';

/** The legs compared on each workload by default, `provider` for information (fanout's model path without the engine). */
const DEFAULT_LEGS = ['floor', 'sdk-loop', 'fanout', 'provider'];

const FULL = {
  five: { tasks: 5, callsPerTask: 1, latencyMs: 1000, concurrency: 5 },
  workloads: [
    // W1's legs use ~0.3 s of CPU, where one compile or collection more or less moves a pair's ratio by a third
    // (0.72-1.70x in one run of 9 pairs): its median needs more pairs than W2's to settle.
    { label: '100 tasks x 3 calls @200 ms', workload: { tasks: 100, callsPerTask: 3, latencyMs: 200, concurrency: 100 }, overheadPairs: 25 },
    { label: '1000 tasks x 2 calls @100 ms', workload: { tasks: 1000, callsPerTask: 2, latencyMs: 100, concurrency: 200 }, overheadPairs: 15 },
  ],
  chain: { chainLatencyMs: 200, siblingLatencyMs: 1000 },
  versionRuns: 10,
};

/** A smoke run: the same scenarios, smaller workloads, one run unless `--runs` says otherwise. */
const QUICK: typeof FULL = {
  ...FULL,
  workloads: [
    // No pairs beyond the workload's own rounds.
    { label: '20 tasks x 3 calls @50 ms', workload: { tasks: 20, callsPerTask: 3, latencyMs: 50, concurrency: 20 }, overheadPairs: 0 },
    { label: '100 tasks x 2 calls @50 ms', workload: { tasks: 100, callsPerTask: 2, latencyMs: 50, concurrency: 50 }, overheadPairs: 0 },
  ],
  versionRuns: 3,
};

interface Flags {
  runs: number | undefined;
  quick: boolean;
  json: boolean;
  legs: string[];
  /** Skip the rate-limit scenarios S1–S5 (`--skip-limits`). */
  skipLimits: boolean;
  /** The peers run beside fanout on every workload and scenario (`--peers a,b`; none with `--skip-peers`). */
  peers: string[];
  /** Only these rate-limit scenarios, and nothing else (`--scenarios S4,S5`). */
  scenarios: string[] | undefined;
}

function parseFlags(argv: readonly string[]): Flags {
  const flags: Flags = { runs: undefined, quick: false, json: false, legs: DEFAULT_LEGS, skipLimits: false, peers: [...PEER_LEGS], scenarios: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') flags.quick = true;
    else if (arg === '--json') flags.json = true;
    else if (arg === '--skip-limits') flags.skipLimits = true;
    else if (arg === '--skip-peers') flags.peers = [];
    else if (arg === '--peers') {
      flags.peers = (argv[++i] ?? '').split(',').filter((peer) => peer !== '');
      if (flags.peers.length === 0 || !flags.peers.every(isPeerLeg)) {
        throw new UsageError(`--peers needs a comma-separated list of ${PEER_LEGS.join(', ')}; got ${argv[i] ?? 'nothing'}`);
      }
    }
    else if (arg === '--scenarios') {
      const known = limitScenarios(false).map(({ id }) => id);
      flags.scenarios = (argv[++i] ?? '').split(',').filter((id) => id !== '');
      if (flags.scenarios.length === 0 || !flags.scenarios.every((id) => known.includes(id))) {
        throw new UsageError(`--scenarios needs a comma-separated list of ${known.join(', ')}; got ${argv[i] ?? 'nothing'}`);
      }
    }
    else if (arg === '--runs') {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) throw new UsageError(`--runs needs a positive integer, got ${argv[i] ?? 'nothing'}`);
      flags.runs = value;
    } else if (arg === '--legs') {
      flags.legs = (argv[++i] ?? '').split(',').filter((leg) => leg !== '');
      const unknown = flags.legs.filter((leg) => !Object.hasOwn(LEGS, leg));
      if (flags.legs.length === 0 || unknown.length > 0) {
        throw new UsageError(`--legs needs a comma-separated list of ${Object.keys(LEGS).join(', ')}; got ${argv[i] ?? 'nothing'}`);
      }
      if (!flags.legs.includes('floor')) flags.legs.unshift('floor');
    } else throw new UsageError(`unknown option ${arg}: expected --runs N, --quick, --json, --skip-limits, --scenarios S1,..., --legs a,b,..., --peers a,b,... or --skip-peers`);
  }
  return flags;
}

class UsageError extends Error {}

/** Runs one leg in its own process and checks both its own call count and the server's. */
async function runCheckedLeg(server: BenchServer, leg: string, workload: Workload): Promise<LegResult> {
  const args: LegArgs = { url: server.url, ...workload };
  const before = await server.stats();
  const result = await runLegInChild(leg, args);
  const after = await server.stats();
  const served = after.requests - before.requests;
  const expected = workload.tasks * workload.callsPerTask;
  const expectedServed = IN_PROCESS_LEGS.has(leg) ? 0 : expected;
  if (result.calls !== expected || served !== expectedServed) {
    throw new Error(`leg ${leg} made ${result.calls} calls and the server saw ${served}, expected ${expected} and ${expectedServed} (${JSON.stringify(workload)})`);
  }
  // Includes the leg process's start and exit, when the server idles.
  return { ...result, serverCpuMs: Math.round(after.cpuMs - before.cpuMs) };
}

/**
 * `runs` rounds of every leg, the order rotated each round so no leg always
 * runs first on a cold or warm machine; then, when both legs ran and
 * `overheadPairs` asks for more, further rounds of `provider` and `fanout`
 * alone, in alternating order.
 */
async function runWorkload(
  server: BenchServer,
  { label, workload, legs, runs, overheadPairs }: { label: string; workload: Workload; legs: readonly string[]; runs: number; overheadPairs: number },
  log: (line: string) => void,
): Promise<WorkloadResult> {
  const results: Record<string, LegResult[]> = Object.fromEntries(legs.map((leg) => [leg, []]));
  // A peer that fails (loses a task, crashes) is a finding: it leaves the later rounds, the run goes on.
  const errors: Record<string, string> = {};
  for (let run = 0; run < runs; run++) {
    const order = legs.map((_, i) => legs[(i + run) % legs.length] as string).filter((leg) => errors[leg] === undefined);
    for (const leg of order) {
      let result: LegResult;
      try {
        result = await runCheckedLeg(server, leg, workload);
      } catch (error) {
        if (!isPeerLeg(leg)) throw error;
        errors[leg] = `run ${run + 1}: ${error instanceof Error ? error.message : String(error)}`;
        delete results[leg];
        log(`  ${label} run ${run + 1}/${runs} ${leg}: no result, ${errors[leg]}`);
        continue;
      }
      results[leg]?.push(result);
      log(`  ${label} run ${run + 1}/${runs} ${leg}: ${result.wallMs} ms, CPU ${result.cpuMs} ms, peak RSS ${result.peakRssMb} MB`);
    }
  }
  const summary = summarizeWorkload(label, workload, results);
  const pairs: OverheadPair[] = [];
  if (legs.includes('fanout') && legs.includes('provider')) {
    for (let pair = runs; pair < overheadPairs; pair++) {
      const cpu: Record<string, number> = {};
      for (const leg of pair % 2 === 0 ? ['provider', 'fanout'] : ['fanout', 'provider']) cpu[leg] = (await runCheckedLeg(server, leg, workload)).cpuMs;
      pairs.push({ fanoutCpuMs: cpu.fanout as number, providerCpuMs: cpu.provider as number });
      log(`  ${label} overhead pair ${pair + 1}/${overheadPairs}: fanout CPU ${cpu.fanout} ms, provider CPU ${cpu.provider} ms`);
    }
  }
  return { ...summary, ...(Object.keys(errors).length === 0 ? {} : { errors }), ...(pairs.length === 0 ? {} : { overheadPairs: pairs }) };
}

async function runFiveTasks(server: BenchServer, workload: Workload): Promise<FiveTaskResult> {
  const result = await runCheckedLeg(server, 'fanout', workload);
  const engine = result.engine;
  if (engine === undefined) throw new Error('the fanout leg returned no engine report');
  return {
    workload,
    wallMs: result.wallMs,
    engineWallMs: engine.wallMs,
    sequentialMs: engine.sequentialMs,
    speedup: engine.speedup,
    calls: result.calls,
  };
}

/** `--scenarios`: only the rate-limit scenarios named; 1 when fanout lost a task or a leg gave no result. */
async function runScenariosOnly(flags: Flags, scenarios: readonly string[], runs: number, log: (line: string) => void): Promise<number> {
  if (flags.peers.length > 0) ensurePeersInstalled(log);
  const beside = [...(flags.legs.includes('sdk-loop') ? ['sdk-loop'] : []), ...flags.peers];
  const limits = await runLimitScenarios({ quick: flags.quick, legs: beside, runs, only: scenarios }, log);
  if (flags.json) process.stdout.write(`${JSON.stringify({ runs, quick: flags.quick, loadAfter: os.loadavg()[0] ?? 0, limits })}\n`);
  const lost = limits.filter((result) => result.leg === 'fanout' && (result.error !== undefined || result.failed > 0));
  return lost.length === 0 ? 0 : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv);
  const config = flags.quick ? QUICK : FULL;
  const runs = flags.runs ?? (flags.quick ? 1 : 3);
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  if (flags.scenarios !== undefined) return runScenariosOnly(flags, flags.scenarios, runs, log);
  const loadBefore = os.loadavg()[0] ?? 0;
  const version = timeVersion(config.versionRuns);
  log(`fanout --version: median ${version.medianMs} ms`);
  if (flags.peers.length > 0) ensurePeersInstalled(log);
  const legs = [...flags.legs, ...flags.peers.filter((peer) => !flags.legs.includes(peer))];
  const server = await startBenchServer();
  try {
    const fiveTasks = await runFiveTasks(server, config.five);
    log(`5 tasks x 1 call @${config.five.latencyMs} ms: ${fiveTasks.wallMs} ms`);
    const workloads: WorkloadResult[] = [];
    for (const { label, workload, overheadPairs } of config.workloads) {
      workloads.push(await runWorkload(server, { label, workload, legs, runs, overheadPairs }, log));
    }
    const chain = await runChainScenario({ url: server.url, ...config.chain });
    log(`chain: b started ${chain.startGapMs} ms after a ended`);
    // Each on a server of its own, with the scenario's limits or faults.
    const limits = flags.skipLimits ? undefined : await runLimitScenarios({ quick: flags.quick, legs: ['sdk-loop', ...flags.peers], runs }, log);
    const worktrees = await measureWorktrees(runs, log);
    const results: BenchResults = {
      machine: {
        node: process.version,
        cores: os.availableParallelism(),
        cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
        loadBefore,
        loadAfter: os.loadavg()[0] ?? 0,
      },
      runs,
      quick: flags.quick,
      fiveTasks,
      workloads,
      chain,
      version,
      ...(limits === undefined ? {} : { limits }),
      worktrees,
    };
    const targets = evaluateTargets(results);
    const passed = targets.every((target) => target.pass);
    process.stdout.write(flags.json ? `${JSON.stringify({ ...results, targets, passed })}\n` : `\n${renderResults(results, targets)}\n`);
    return passed ? 0 : 1;
  } finally {
    await server.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileTool } from '../src/agent/tools/read-file.js';
import { startSimServer, type SimServer } from '../src/models/sim/index.js';
import { BENCH_TOOL_RESULT, type LegResult } from './bench-kit.js';
import { summarizeWorkload, type BenchResults } from './bench-results.js';
import { startBenchServer } from './bench-server.js';
import { idealWallMs, median } from './bench-stats.js';
import { renderResults } from './bench-table.js';
import { evaluateTargets, LIMITS } from './bench-targets.js';
import type { LimitScenarioResult } from './limit-scenarios.js';
import { runChainScenario } from './chain-scenario.js';
import { runFanoutLeg } from './fanout-leg.js';
import { withMemoryReads } from './memory-reads.js';

describe('fanout leg and chain scenario on the simulated server', () => {
  let server: SimServer;
  beforeAll(async () => {
    server = await startSimServer();
  });
  afterAll(() => server.close());

  it('runs tasks × callsPerTask model calls through the engine and returns its report figures', async () => {
    const before = server.stats.requests;
    const result = await runFanoutLeg({ url: server.url, tasks: 5, callsPerTask: 2, latencyMs: 5, concurrency: 5 });
    expect(result.calls).toBe(10);
    expect(server.stats.requests - before).toBe(10);
    expect(result).toEqual({
      wallMs: expect.any(Number),
      cpuMs: expect.any(Number),
      peakRssMb: expect.any(Number),
      calls: 10,
      engine: {
        wallMs: expect.any(Number),
        sequentialMs: expect.any(Number),
        criticalPathMs: expect.any(Number),
        speedup: expect.any(Number),
        efficiency: expect.any(Number),
      },
    });
  });

  it('starts the chain\'s second task only after its dependency ended, and reads every span from the store', async () => {
    const chain = await runChainScenario({ url: server.url, chainLatencyMs: 5, siblingLatencyMs: 20 });
    expect(chain.a.startMs).toBe(0);
    expect(chain.b.startMs).toBeGreaterThanOrEqual(chain.a.endMs);
    expect(chain.startGapMs).toBe(chain.b.startMs - chain.a.endMs);
    expect(chain.aheadOfSiblingMs).toBe(chain.c.endMs - chain.b.startMs);
  });
});

describe('startBenchServer', () => {
  // Starts a Node process of its own, then an engine run: under a full test run on 2 cores that passed 30 s.
  it('reports the calls its process served and the CPU time it spent', { timeout: 120_000 }, async () => {
    const server = await startBenchServer();
    try {
      const before = await server.stats();
      await runFanoutLeg({ url: server.url, tasks: 2, callsPerTask: 3, latencyMs: 0, concurrency: 2 });
      const after = await server.stats();
      expect(after.requests - before.requests).toBe(6);
      expect(after.cpuMs).toBeGreaterThan(before.cpuMs);
    } finally {
      await server.stop();
    }
  });
});

describe('withMemoryReads', () => {
  it('answers read_file from memory while the leg runs and restores the real tool after it, even when the leg fails', async () => {
    const real = readFileTool.run;
    const context = { sandbox: undefined as never, signal: new AbortController().signal };
    await expect(withMemoryReads(async () => readFileTool.run({ path: 'no/such/file.ts' }, context))).resolves.toBe(BENCH_TOOL_RESULT);
    expect(readFileTool.run).toBe(real);
    await expect(withMemoryReads(() => Promise.reject(new Error('leg failed')))).rejects.toThrow('leg failed');
    expect(readFileTool.run).toBe(real);
  });
});

describe('bench statistics', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('computes the ideal wall from waves of concurrency', () => {
    expect(idealWallMs({ tasks: 1000, callsPerTask: 2, latencyMs: 100, concurrency: 200 })).toBe(1000);
    expect(idealWallMs({ tasks: 101, callsPerTask: 3, latencyMs: 200, concurrency: 100 })).toBe(1200);
  });
});

const leg = (wallMs: number, extra: Partial<LegResult> = {}): LegResult => ({ wallMs, cpuMs: 10, peakRssMb: 100, calls: 6, ...extra });
const engine = { wallMs: 180, sequentialMs: 600, criticalPathMs: 150, speedup: 3.3, efficiency: 0.8 };

describe('summarizeWorkload', () => {
  it('pairs each run with the floor of the same run and keeps engine figures for engine legs only', () => {
    const workload = { tasks: 2, callsPerTask: 3, latencyMs: 50, concurrency: 2 };
    const result = summarizeWorkload('w', workload, {
      floor: [leg(100), leg(200), leg(150)],
      fanout: [leg(110, { engine }), leg(260, { engine }), leg(150, { engine })],
    });
    expect(result.idealWallMs).toBe(150);
    expect(result.summary.floor).toMatchObject({ wallMs: 150, wallMinMs: 100, wallMaxMs: 200, timesFloor: 1, idealEfficiency: 1 });
    expect(result.summary.floor?.engineEfficiency).toBeUndefined();
    // Per-run ratios 1.1, 1.3 and 1.0: their median, not the ratio of medians (150 / 150).
    expect(result.summary.fanout?.timesFloor).toBeCloseTo(1.1);
    expect(result.summary.fanout).toMatchObject({ wallMs: 150, engineEfficiency: 0.8, engineCriticalPathMs: 150, engineWallMs: 180 });
  });
});

describe('evaluateTargets', () => {
  const workload = { tasks: 2, callsPerTask: 3, latencyMs: 50, concurrency: 2 };
  const results = (fanoutWall: number, leanCreateMs = 900, fanoutCpu = 10): BenchResults => ({
    machine: { node: 'v20', cores: 2, cpu: 'test', loadBefore: 0, loadAfter: 0 },
    runs: 1,
    quick: true,
    fiveTasks: { workload, wallMs: 1040, engineWallMs: 1030, sequentialMs: 5100, speedup: 4.95, calls: 5 },
    workloads: [
      summarizeWorkload('w', workload, {
        floor: [leg(200)],
        'sdk-loop': [leg(300)],
        fanout: [leg(fanoutWall, { engine, cpuMs: fanoutCpu })],
        provider: [leg(190)],
      }),
    ],
    chain: { a: { startMs: 0, endMs: 200 }, b: { startMs: 201, endMs: 402 }, c: { startMs: 0, endMs: 1001 }, startGapMs: 1, aheadOfSiblingMs: 800 },
    version: { medianMs: 70, runsMs: [70] },
    worktrees: { leanCreateMs, wholeCreateMs: 6000, merge20Ms: 800, sandboxExtraMs: 12, rounds: [] },
  });

  it('passes every target when the figures are within the limits', () => {
    const targets = evaluateTargets(results(220));
    expect(targets).toHaveLength(9);
    expect(targets.filter((target) => !target.pass)).toEqual([]);
    expect(renderResults(results(220), targets)).not.toContain('FAIL');
  });

  it('fails the engine overhead above its limit (CPU against the provider leg) and the SDK comparison when fanout is slower', () => {
    const over = evaluateTargets(results(220, 900, 10 * LIMITS.cpuTimesProvider + 1)).filter((target) => !target.pass);
    expect(over.map((target) => target.name)).toEqual([`w: fanout CPU <= ${LIMITS.cpuTimesProvider}x provider CPU`]);
    expect(over[0]?.measured).toBe('1.25x (12.5 ms vs 10 ms)');
    const slower = evaluateTargets(results(300)).filter((target) => !target.pass);
    expect(slower.map((target) => target.name)).toEqual(['w: fanout < sdk-loop']);
    expect(renderResults(results(300), evaluateTargets(results(300)))).toMatch(/w: fanout < sdk-loop\s+FAIL/);
  });

  it('takes the engine overhead as the median ratio over the rounds and the extra overhead pairs', () => {
    const base = results(220, 900, 10 * LIMITS.cpuTimesProvider + 1);
    const [workloadResult] = base.workloads;
    if (workloadResult === undefined) throw new Error('no workload');
    // The round's pair is 1.25x; four extra pairs at 1.0, 1.1, 1.3 and 1.05 put the median at 1.1.
    const overheadPairs = [1.0, 1.1, 1.3, 1.05].map((ratio) => ({ fanoutCpuMs: 100 * ratio, providerCpuMs: 100 }));
    const target = evaluateTargets({ ...base, workloads: [{ ...workloadResult, overheadPairs }] }).find((each) => each.name.startsWith('w: fanout CPU'));
    expect(target).toMatchObject({ pass: true, measured: '1.10x (105 ms vs 100 ms, 5 pairs, 1.00-1.30x)' });
  });

  it('checks the rate-limit scenarios: failures, S1 against its ideal, S2 against its limit, S5 against sim', () => {
    const scenario = (id: string, model: LimitScenarioResult['model'], wallMs: number, idealWallMs: number, failed = 0): LimitScenarioResult => ({
      id,
      label: id,
      leg: 'fanout',
      model,
      runs: 1,
      workload,
      idealWallMs,
      ideal: 'limit',
      wallMs,
      cpuMs: 100,
      peakRssMb: 100,
      failed,
      rateLimited: 0,
      faults: 0,
      ratio: wallMs / idealWallMs,
    });
    const limits = [
      scenario('S1', 'sim', 10_500, 10_000),
      scenario('S2', 'sim', 62_000, 60_000),
      scenario('S3', 'sim', 3000, 2500, 2),
      scenario('S4', 'sim', 1200, 1000),
      scenario('S5', 'sim', 1000, 1000),
      scenario('S5', 'anthropic', 1050, 1000),
      scenario('S5', 'openai', 1200, 1000),
    ];
    const failing = evaluateTargets({ ...results(220), limits }).filter((target) => !target.pass);
    expect(failing.map((target) => target.name)).toEqual(['S3: 0 failed tasks', `S5: openai: specs <= ${LIMITS.s5Ratio}x the same plan on sim`]);
    expect(renderResults({ ...results(220), limits }, [])).toMatch(/S5\s+fanout\s+anthropic\s+1\s+1050\s+1000\s+1\.05/);
  });

  it('puts fanout below every peer: wall, CPU and peak RSS per workload, and per scenario against its worst row', () => {
    const withPeers = results(220);
    const w = withPeers.workloads[0]!;
    // langgraph is slower everywhere; mastra uses less CPU than fanout (cpuMs 10) and less memory.
    const peers = summarizeWorkload('w', workload, {
      floor: [leg(200)],
      'sdk-loop': [leg(300)],
      fanout: [leg(220, { engine })],
      langgraph: [leg(400, { cpuMs: 50, peakRssMb: 200 })],
      mastra: [leg(500, { cpuMs: 5, peakRssMb: 90 })],
    });
    const failing = evaluateTargets({ ...withPeers, workloads: [{ ...w, ...peers }] }).filter((target) => !target.pass && target.name.includes('peer'));
    expect(failing.map((target) => target.name)).toEqual(["w: fanout CPU < every peer's", "w: fanout peak RSS < every peer's"]);
    expect(failing[0]?.measured).toBe('fanout 10 ms; langgraph 50 ms, mastra 5 ms');
    // A peer that lost a task has no figures: it is behind fanout, and the table says why.
    const lost = { ...w, ...peers, errors: { 'ai-sdk': 'run 1: 1 of 2 tasks failed' } };
    const wall = evaluateTargets({ ...withPeers, workloads: [lost] }).find((target) => target.name === "w: fanout wall < every peer's");
    expect(wall).toMatchObject({ pass: true, measured: 'fanout 220 ms; langgraph 400 ms, mastra 500 ms, ai-sdk (no result)' });
    expect(renderResults({ ...withPeers, workloads: [lost] }, [])).toContain('ai-sdk: no result (run 1: 1 of 2 tasks failed)');

    const row = (leg: string, model: LimitScenarioResult['model'], wallMs: number, error?: string, failed = 0): LimitScenarioResult => ({
      id: 'S3',
      label: 'S3',
      leg,
      model,
      workload,
      idealWallMs: 1000,
      ideal: 'limit',
      runs: 3,
      wallMs,
      cpuMs: 100,
      peakRssMb: 100 + wallMs / 100,
      failed,
      rateLimited: 0,
      faults: 0,
      ratio: wallMs / 1000,
      ...(error !== undefined && { error }),
    });
    const limits = [
      row('fanout', 'sim', 1200),
      row('sdk-loop', 'anthropic', 1100),
      row('ai-sdk', 'anthropic', 1500),
      row('langgraph', 'anthropic', Number.NaN, 'killed'),
      // Faster and lighter, but it gave up on 30 tasks: not ahead of fanout.
      row('mastra', 'anthropic', 400, undefined, 30),
    ];
    const scenario = evaluateTargets({ ...withPeers, limits }).filter((target) => target.name.startsWith('S3: fanout'));
    expect(scenario.map((target) => [target.name, target.pass])).toEqual([
      ["S3: fanout wall < sdk-loop's and every peer's", false],
      ["S3: fanout CPU < every peer's", false],
      ["S3: fanout peak RSS < every peer's", true],
    ]);
    expect(scenario[0]?.measured).toBe('fanout 1200 ms; sdk-loop 1100 ms, ai-sdk 1500 ms, langgraph (no result), mastra 400 ms (30 failed)');
    expect(renderResults({ ...withPeers, limits }, [])).toContain('S3 langgraph: killed');
  });

  it('fails the worktree target when 20 lean worktrees take longer than the limit', () => {
    const failed = evaluateTargets(results(220, LIMITS.leanWorktreesMs + 1)).filter((target) => !target.pass);
    expect(failed.map((target) => target.measured)).toEqual([`${LIMITS.leanWorktreesMs + 1} ms (whole checkouts 6000 ms)`]);
  });
});

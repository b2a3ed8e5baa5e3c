import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../src/models/sim/index.js';
import { runTaskPool, type LegArgs } from './bench-kit.js';
import { startBenchServer } from './bench-server.js';
import { IN_PROCESS_LEGS, LEGS } from './leg-process.js';

describe('runTaskPool', () => {
  it('runs every task once, never more than `concurrency` at a time, and sums their calls', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const total = await runTaskPool(10, 3, async (task) => {
      running++;
      peak = Math.max(peak, running);
      seen.push(task);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return task % 2 === 0 ? 2 : 1;
    });
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
    expect(total).toBe(15);
  });
});

describe('bench legs', () => {
  let server: SimServer;
  beforeAll(async () => {
    server = await startSimServer();
  });
  afterAll(() => server.close());

  it.each(Object.keys(LEGS))('%s makes tasks × callsPerTask calls and measures them', async (leg) => {
    const args: LegArgs = { url: server.url, tasks: 4, callsPerTask: 3, latencyMs: 0, concurrency: 2 };
    const before = server.stats.requests;
    const result = await LEGS[leg]!(args);
    expect(result.calls).toBe(12);
    // A leg whose model answers in its own process sends the server nothing.
    expect(server.stats.requests - before).toBe(IN_PROCESS_LEGS.has(leg) ? 0 : 12);
    expect(result.wallMs).toBeGreaterThanOrEqual(0);
    expect(result.peakRssMb).toBeGreaterThan(0);
  });
});

describe('startBenchServer', () => {
  // Starts a Node process of its own: under a full test run on 2 cores that alone passed 30 s.
  it('serves model calls from its own process until stopped', { timeout: 120_000 }, async () => {
    const server = await startBenchServer();
    try {
      const result = await LEGS.floor!({ url: server.url, tasks: 2, callsPerTask: 2, latencyMs: 0, concurrency: 2 });
      expect(result.calls).toBe(4);
    } finally {
      await server.stop();
    }
    await expect(fetch(`${server.url}/v1/models`)).rejects.toThrow();
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDefaultFanout, type DefaultFanoutOptions } from './compose.js';
import type { FanoutEvent } from './contracts/events.js';
import type { TaskSpec } from './contracts/plan.js';
import { startSimServer, type SimServer, type SimServerOptions } from './models/sim/index.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function limitedServer(options: SimServerOptions): Promise<SimServer> {
  const server = await startSimServer(options);
  cleanups.push(() => server.close());
  return server;
}

function fanoutAgainst(server: SimServer, options: DefaultFanoutOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-limits-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const fanout = createDefaultFanout({ home: join(dir, 'home'), cwd: dir, env: { FANOUT_SIM_URL: server.url }, persist: false, ...options });
  cleanups.push(() => fanout.close());
  return fanout;
}

function tasks(count: number, latencyMs: number): TaskSpec[] {
  return Array.from({ length: count }, (_, index) => ({ id: `t${index}`, prompt: `task ${index}`, sim: { latencyMs } }));
}

/**
 * Runs against the simulated server with its limits on, as a real API
 * enforces them: no task may be lost to a 429, and no retry may be spent on one.
 */
describe('a run against a rate-limited endpoint', () => {
  it('S3, small: 4 calls allowed at once, 40 tasks at concurrency 32, ends with every task done and no retry spent', { timeout: 60_000 }, async () => {
    const server = await limitedServer({ rateLimit: { maxConcurrent: 4, retryAfterMs: 100 } });
    const fanout = fanoutAgainst(server);
    const events: FanoutEvent[] = [];
    const result = await fanout.run({ concurrency: 32, synthesis: false, tasks: tasks(40, 20) }, { onEvent: (event) => events.push(event) });
    expect(result.tasks.filter((task) => task.status !== 'succeeded')).toEqual([]);
    expect(result.tasks.reduce((sum, task) => sum + task.retries, 0)).toBe(0);
    // The first burst met the limit, and the window shrank to it.
    expect(server.stats.rateLimited).toBeGreaterThan(0);
    expect(events.some((event) => event.type === 'rate-window' && event.change === 'shrank')).toBe(true);
    expect(events.some((event) => event.type === 'rate-limited')).toBe(true);
    // The report says what the limit cost: per task, and summed over the run.
    expect(result.tasks.some((task) => (task.rateLimitWaitMs ?? 0) > 0)).toBe(true);
    // In seconds from 1 s on, in ms below: how long the burst waited depends on the machine's speed.
    expect(result.report.diagnostics.join('\n')).toMatch(
      /waited [\d.]+ m?s in total for their providers' rate limits \(rate limit\)|waited [\d.]+ m?s for its provider's rate limits/,
    );
  });

  it('paces calls by the requests-per-minute the answers state, losing no task', { timeout: 60_000 }, async () => {
    // 1,200 a minute: 20 a second, in bursts of at most 20.
    const server = await limitedServer({ rateLimit: { requestsPerMinute: 1200 } });
    const fanout = fanoutAgainst(server);
    const result = await fanout.run({ concurrency: 50, synthesis: false, tasks: tasks(50, 10) });
    expect(result.tasks.filter((task) => task.status !== 'succeeded')).toEqual([]);
    expect(result.tasks.reduce((sum, task) => sum + task.retries, 0)).toBe(0);
  });

  it("never exceeds the plan's static caps: a server with the same limits refuses nothing", { timeout: 60_000 }, async () => {
    const server = await limitedServer({ rateLimit: { maxConcurrent: 3, tokensPerMinute: 1_000_000 } });
    const fanout = fanoutAgainst(server);
    const result = await fanout.run({
      concurrency: 20,
      synthesis: false,
      providers: { sim: { maxConcurrent: 3, tpm: 1_000_000 } },
      tasks: tasks(20, 10),
    });
    expect(result.tasks.filter((task) => task.status !== 'succeeded')).toEqual([]);
    expect(server.stats.rateLimited).toBe(0);
    expect(result.report.diagnostics.join('\n')).toContain('waited for model-call slots of their provider (provider cap)');
  });
});

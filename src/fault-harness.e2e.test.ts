import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskSpec } from './contracts/plan.js';
import { createFanout } from './engine/create-fanout.js';
import { createModelResolver } from './models/resolver.js';
import { RandomFaults, type RandomFaultKind } from './models/sim/fault-injector.js';
import { startSimServer, type SimServer } from './models/sim/index.js';
import { MemoryRunStore } from './store/memory-run-store.js';

// The fault harness: many tasks through the simulated server while 10% of its calls fail in mixed
// ways (429, 500, 529, a connection reset before or during the answer, a stalled answer). Every task must complete: the
// retryable errors are retried, a stall is cut by the stream idle timeout and retried too.
// CI: 200 tasks. FANOUT_FAULTS_LONG=1: 500.

const TASKS = process.env.FANOUT_FAULTS_LONG === '1' ? 500 : 200;

const FAULTS = { rate: 0.1, kinds: [429, 500, 529, 'reset', 'cut', 'stall'] as RandomFaultKind[], seed: 11 };

let sim: SimServer;
beforeAll(async () => {
  sim = await startSimServer({ faults: FAULTS });
});
afterAll(async () => {
  await sim?.close();
});

describe('fault harness', () => {
  it(`${TASKS} tasks with 10% of calls failing (429, 500, 529, reset, cut, stall): 100% complete`, { timeout: 300_000 }, async () => {
    const models = createModelResolver({ simUrl: sim.url, callTimeouts: { streamIdleTimeoutMs: 300 } });
    const fanout = createFanout({ store: new MemoryRunStore(), models, defaultModel: 'sim', maxRetries: 8 });
    // A 429 or 529 waits for the endpoint (a rate-limited event) without spending a retry; every other fault is a retry.
    let failedCalls = 0;
    fanout.on((event) => {
      if (event.type === 'task-retry' || event.type === 'rate-limited') failedCalls += 1;
    });
    try {
      const tasks: TaskSpec[] = Array.from({ length: TASKS }, (_, i) => ({ id: `t${i}`, prompt: `fault harness task ${i}`, sim: { output: `out ${i}` } }));
      const result = await fanout.run({ tasks, concurrency: 100, synthesis: false });
      expect(result.status).toBe('succeeded');
      expect(result.tasks.filter((task) => task.status !== 'succeeded')).toEqual([]);
      for (let i = 0; i < TASKS; i++) expect(result.outputs[`t${i}`]?.text).toBe(`out ${i}`);
      // The faults really happened, and each was got past by another attempt.
      expect(sim.stats.faults).toBeGreaterThan(TASKS * 0.05);
      expect(failedCalls).toBe(sim.stats.faults);
      expect(sim.stats.requests).toBe(TASKS + sim.stats.faults);
      // The server draws one pick per call from its seeded sequence: replaying as many picks shows every kind was met.
      const replay = new RandomFaults(FAULTS);
      const met = new Set(Array.from({ length: sim.stats.requests }, () => replay.next()).filter((kind) => kind !== undefined));
      expect(met).toEqual(new Set(FAULTS.kinds));
    } finally {
      await fanout.close();
    }
  });
});

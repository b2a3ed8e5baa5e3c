/**
 * Heap held per waiting task: the engine, its SQLite store and the agent
 * loop over a model that answers only once every task of a wave waits in
 * it (no HTTP: the provider's own share is not counted). Runs `tasks` tasks
 * at concurrency `low`, then at `high`, each in a fresh engine, and compares
 * the heap after a full GC while the wave waits:
 * `node --expose-gc --import tsx bench/waiting-memory.ts [tasks] [low] [high]`
 * (defaults 3000, 10, 1000) prints bytes per waiting task. Reads the
 * compiled `dist/` unless FANOUT_BENCH_SOURCE=1, as the legs do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import type { Model, ModelRequest, ModelResponse } from '../src/contracts/model.js';
import type { SimOptions } from '../src/contracts/sim-options.js';
import { createBenchWorkspace } from './bench-workspace.js';
import { fanoutBenchPlan } from './fanout-leg.js';
import { createFanout, openRunStore } from './fanout-lib.js';

/** Heap used (bytes, after a full GC) while `concurrency` of `tasks` one-call tasks wait for their model. */
async function heapWhileWaiting(tasks: number, concurrency: number, gc: () => void): Promise<number> {
  let waiting = 0;
  let release!: () => void;
  const answer = new Promise<void>((resolve) => (release = resolve));
  let allWaiting!: () => void;
  const wave = new Promise<void>((resolve) => (allWaiting = resolve));
  const model: Model = {
    spec: 'held',
    provider: 'held',
    async generate(request: ModelRequest): Promise<ModelResponse> {
      if (++waiting === concurrency) allWaiting();
      await answer;
      const text = (request.providerOptions?.sim as SimOptions | undefined)?.output ?? '';
      return { content: [{ type: 'text', text }], stopReason: 'end_turn', usage: { inputTokens: 1000, outputTokens: 50 } };
    },
  };
  const home = mkdtempSync(join(tmpdir(), 'fanout-bench-home-'));
  const workspace = createBenchWorkspace(tasks);
  const fanout = createFanout({ store: openRunStore(home), models: { resolve: () => model, close: async () => {} }, cwd: workspace.cwd });
  try {
    const plan = fanoutBenchPlan({ url: '', tasks, callsPerTask: 1, latencyMs: 0, concurrency });
    const { runId } = fanout.spawn(await fanout.check({ ...plan, model: 'held' }));
    await wave;
    gc();
    gc();
    const used = v8.getHeapStatistics().used_heap_size;
    release();
    await fanout.wait(runId);
    return used;
  } finally {
    await fanout.close();
    rmSync(home, { recursive: true, force: true });
    workspace.remove();
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const [tasks = 3000, low = 10, high = 1000] = process.argv.slice(2).map(Number);
const lowHeap = await heapWhileWaiting(tasks, low, gc);
const highHeap = await heapWhileWaiting(tasks, high, gc);
console.log(
  JSON.stringify({ tasks, low, high, lowHeapMb: +(lowHeap / 1e6).toFixed(2), highHeapMb: +(highHeap / 1e6).toFixed(2), bytesPerWaitingTask: Math.round((highHeap - lowHeap) / (high - low)) }),
);

/**
 * A fast chain beside a slow sibling, through the real engine: `a` (one
 * call) → `b` (one call), and `c` (one slow call) independent of both. The
 * scheduler has no waves, so `b` must start when `a` ends, not when `c` does.
 * The figures come from the task records as stored.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskRecord } from '../src/contracts/records.js';
import type { Plan } from '../src/contracts/plan.js';
import { createFanout, createModelResolver, openRunStore, priceLookup } from './fanout-lib.js';

/** Latencies of the chain's scenario, ms. */
export interface ChainArgs {
  url: string;
  /** Latency of `a` and of `b`. */
  chainLatencyMs: number;
  /** Latency of the sibling `c`. */
  siblingLatencyMs: number;
}

/** When each task of the scenario started and ended, relative to the start of `a`, ms. */
export interface ChainResult {
  a: { startMs: number; endMs: number };
  b: { startMs: number; endMs: number };
  c: { startMs: number; endMs: number };
  /** `b` start − `a` end: what the dependency cost beyond `a` itself. */
  startGapMs: number;
  /** `c` end − `b` start: how long before the sibling's end `b` was already running. */
  aheadOfSiblingMs: number;
}

/** The scenario's plan: a → b, and c alone. */
export function chainPlan(args: ChainArgs): Plan {
  const step = (id: string, latencyMs: number, dependsOn?: string[]) => ({
    id,
    prompt: `Task ${id}: answer at once.`,
    sim: { latencyMs, output: `${id} done` },
    ...(dependsOn === undefined ? {} : { dependsOn }),
  });
  return {
    name: 'bench chain beside a slow sibling',
    model: 'sim',
    synthesis: false,
    tasks: [step('a', args.chainLatencyMs), step('b', args.chainLatencyMs, ['a']), step('c', args.siblingLatencyMs)],
  };
}

/** Runs the scenario on a temporary SQLite store and reads the timings from its stored task records. */
export async function runChainScenario(args: ChainArgs): Promise<ChainResult> {
  const home = mkdtempSync(join(tmpdir(), 'fanout-bench-chain-'));
  const fanout = createFanout({ store: openRunStore(home), models: createModelResolver({ simUrl: args.url }), cwd: home, pricing: priceLookup() });
  try {
    const { tasks } = await fanout.run(chainPlan(args));
    const byId = new Map(tasks.map((task) => [task.taskId, task]));
    const origin = timesOf(byId.get('a'), 'a').startedAt;
    const span = (id: string): { startMs: number; endMs: number } => {
      const { startedAt, endedAt } = timesOf(byId.get(id), id);
      return { startMs: startedAt - origin, endMs: endedAt - origin };
    };
    const a = span('a');
    const b = span('b');
    const c = span('c');
    return { a, b, c, startGapMs: b.startMs - a.endMs, aheadOfSiblingMs: c.endMs - b.startMs };
  } finally {
    await fanout.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function timesOf(task: TaskRecord | undefined, id: string): { startedAt: number; endedAt: number } {
  if (task?.status !== 'succeeded' || task.startedAt === undefined || task.endedAt === undefined) {
    throw new Error(`chain scenario: task ${id} did not succeed (${task?.status ?? 'missing'}: ${task?.error ?? 'no error'})`);
  }
  return { startedAt: task.startedAt, endedAt: task.endedAt };
}

/**
 * The fanout leg: the benchmark workload through the real engine —
 * `createFanout` on the SQLite store (a temporary FANOUT_HOME) with models
 * from `createModelResolver` pointed at the benchmark's simulated server.
 * Each task is a subagent whose sim script asks for `read_file` on a small
 * file of a temporary workspace `callsPerTask − 1` times, then answers, so
 * the agent loop really runs the tool and sends its result back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunReport } from '../src/contracts/fanout.js';
import type { Plan } from '../src/contracts/plan.js';
import { benchTask, measureLeg, type EngineFigures, type LegArgs, type LegResult } from './bench-kit.js';
import { createBenchWorkspace } from './bench-workspace.js';
import { createFanout, createModelResolver, MemoryRunStore, openRunStore, priceLookup } from './fanout-lib.js';

/** The plan of the workload: `tasks` independent read-only tasks on `model: sim`, no synthesis. */
export function fanoutBenchPlan(args: LegArgs): Plan {
  return {
    name: `bench ${args.tasks}x${args.callsPerTask} @${args.latencyMs}ms`,
    concurrency: args.concurrency,
    model: 'sim',
    synthesis: false,
    tasks: Array.from({ length: args.tasks }, (_, task) => benchTask(args, task)),
  };
}

/**
 * Runs the workload through the engine and measures it from `spawn` to the
 * end of its last task (the `task-end` event); what `wait` does after that
 * (reading the results back, the report) is not counted. Throws when a task
 * did not succeed: a failed run would time nothing real. With `store:
 * 'memory'` (a diagnostic), the engine runs on the in-memory store instead
 * of SQLite, which tells the store's share of the cost.
 */
export async function runFanoutLeg(args: LegArgs, options: { store?: 'sqlite' | 'memory' } = {}): Promise<LegResult> {
  const home = mkdtempSync(join(tmpdir(), 'fanout-bench-home-'));
  const workspace = createBenchWorkspace(args.tasks);
  const store = options.store === 'memory' ? new MemoryRunStore() : openRunStore(home);
  const fanout = createFanout({ store, models: createModelResolver({ simUrl: args.url }), cwd: workspace.cwd, pricing: priceLookup() });
  const plan = fanoutBenchPlan(args);
  let report: RunReport | undefined;
  try {
    // As the CLI does before every run: check the plan and preflight its model, then spawn what was
    // checked. This also loads the provider's SDK (imported lazily, on first use), which the other
    // legs import before their clock starts.
    const checked = await fanout.check(plan);
    const measured = await measureLeg(async (markEnd) => {
      let ended = 0;
      fanout.on((event) => {
        if (event.type === 'task-end' && ++ended === args.tasks) markEnd();
      });
      const { runId } = fanout.spawn(checked);
      const result = await fanout.wait(runId);
      report = result.report;
      const failed = result.tasks.filter((task) => task.status !== 'succeeded');
      if (failed.length > 0) {
        throw new Error(`fanout leg: ${failed.length} of ${args.tasks} tasks did not succeed, e.g. ${failed[0]?.taskId}: ${failed[0]?.error}`);
      }
      return result.tasks.reduce((sum, task) => sum + task.turns, 0);
    });
    return { ...measured, engine: engineFigures(report as RunReport) };
  } finally {
    await fanout.close();
    rmSync(home, { recursive: true, force: true });
    workspace.remove();
  }
}

function engineFigures(report: RunReport): EngineFigures {
  const { wallMs, sequentialMs, criticalPathMs, speedup, efficiency } = report;
  return { wallMs, sequentialMs, criticalPathMs, speedup, efficiency };
}

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
import type { RunReport } from '../src/contracts/run-report.js';
import type { Plan } from '../src/contracts/plan.js';
import { benchTask, measureLeg, type EngineFigures, type LegArgs, type LegResult } from './bench-kit.js';
import { createBenchWorkspace } from './bench-workspace.js';
import { createFanout, createModelResolver, encodeSimDirective, MemoryRunStore, openRunStore, priceLookup } from './fanout-lib.js';

/** The model spec of each {@link LegArgs.model}: the real providers reach the simulated server through their base URLs. */
const BENCH_MODEL_SPECS = { sim: 'sim', anthropic: 'anthropic:claude-bench', openai: 'openai:gpt-bench' } as const;

/**
 * The plan of the workload: `tasks` independent read-only tasks, no
 * synthesis. On a real provider's spec the sim options cannot travel as
 * provider options (only the sim provider sends them), so each task's
 * prompt carries them as a directive, which the server reads wherever it is.
 */
export function fanoutBenchPlan(args: LegArgs): Plan {
  const model = args.model ?? 'sim';
  return {
    name: `bench ${args.tasks}x${args.callsPerTask} @${args.latencyMs}ms`,
    concurrency: args.concurrency,
    model: BENCH_MODEL_SPECS[model],
    synthesis: false,
    tasks: Array.from({ length: args.tasks }, (_, index) => {
      const { sim, ...task } = benchTask(args, index);
      return model === 'sim' || sim === undefined ? { ...task, sim } : { ...task, prompt: `${task.prompt}\n\n${encodeSimDirective(sim)}` };
    }),
  };
}

/** The environment that points the real providers at the simulated server, with throwaway keys. */
function benchEnv(url: string): NodeJS.ProcessEnv {
  return { ANTHROPIC_API_KEY: 'bench', ANTHROPIC_BASE_URL: url, OPENAI_API_KEY: 'bench', OPENAI_BASE_URL: `${url}/v1` };
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
  const models = createModelResolver({ simUrl: args.url, env: benchEnv(args.url) });
  const fanout = createFanout({ store, models, cwd: workspace.cwd, pricing: priceLookup() });
  const plan = fanoutBenchPlan(args);
  let report: RunReport | undefined;
  let failed = 0;
  let firstFailure: string | undefined;
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
      const unsucceeded = result.tasks.filter((task) => task.status !== 'succeeded');
      failed = unsucceeded.length;
      if (unsucceeded[0] !== undefined) firstFailure = `${unsucceeded[0].taskId}: ${unsucceeded[0].error}`;
      if (failed > 0 && args.countFailures !== true) {
        throw new Error(`fanout leg: ${failed} of ${args.tasks} tasks did not succeed, e.g. ${firstFailure}`);
      }
      return result.tasks.reduce((sum, task) => sum + task.turns, 0);
    });
    return { ...measured, engine: engineFigures(report as RunReport), ...(args.countFailures === true && { failed, ...(firstFailure !== undefined && { firstFailure }) }) };
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

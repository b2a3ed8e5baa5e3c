/**
 * A diagnostic leg: fanout's agent loop (`runAgent`, its tools and sandbox)
 * over fanout's provider, in a plain task pool, without the engine or the
 * store. Between `provider` and `fanout`, it tells how much of fanout's cost
 * is the agent running its tools and how much is the engine.
 */
import { AnthropicModel, createNodeFetch, runAgent, SandboxRoot, SimModel } from './fanout-lib.js';
import { BENCH_MAX_TOKENS, benchPrompt, benchSim, benchSystem, measureLeg, runTaskPool, type LegArgs, type LegResult } from './bench-kit.js';
import { createBenchWorkspace } from './bench-workspace.js';

/** Runs the workload as one `runAgent` per task and measures it. */
export async function runAgentLoop(args: LegArgs): Promise<LegResult> {
  const http = createNodeFetch();
  const model = new SimModel('sim', new AnthropicModel({ spec: 'sim', modelId: 'sim', apiKey: 'bench', baseURL: args.url, fetch: http.fetch }));
  const workspace = createBenchWorkspace(args.tasks);
  // One root for all tasks, as the engine shares one per run: its real location is resolved once, not per task.
  const cwd = new SandboxRoot(workspace.cwd);
  const runTask = async (task: number): Promise<number> => {
    const result = await runAgent({
      system: benchSystem(args, task),
      prompt: benchPrompt(task),
      call: (request) => model.generate(request),
      cwd,
      writes: [],
      maxTurns: args.callsPerTask,
      maxTokensPerCall: BENCH_MAX_TOKENS,
      providerOptions: { sim: benchSim(args, task) },
      signal: new AbortController().signal,
    });
    if (result.status !== 'succeeded') throw new Error(`agent-loop: task ${task} ended ${result.status}: ${result.error}`);
    return result.turns;
  };
  try {
    return await measureLeg(() => runTaskPool(args.tasks, args.concurrency, runTask));
  } finally {
    http.close();
    workspace.remove();
  }
}

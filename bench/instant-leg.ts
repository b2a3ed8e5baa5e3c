/**
 * The diagnostic leg `fanout-instant`: the `fanout` leg's engine, SQLite
 * store, agent loop and tools (read_file really runs) over a model that
 * answers in this process on the next turn of the event loop, without HTTP
 * and whatever `latencyMs` says. Its CPU is what fanout itself spends per
 * task, apart from the model path and the network that the `provider` leg
 * measures; it varies far less between runs than the legs over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model, ModelRequest, ModelResponse } from '../src/contracts/model.js';
import type { SimOptions } from '../src/contracts/sim-options.js';
import { measureLeg, type LegArgs, type LegResult } from './bench-kit.js';
import { createBenchWorkspace } from './bench-workspace.js';
import { fanoutBenchPlan } from './fanout-leg.js';
import { createFanout, openRunStore } from './fanout-lib.js';

const USAGE = { inputTokens: 1000, outputTokens: 50 };

/** Answers as the simulated server would: the task's scripted tool calls in turn, then its output. */
const instantModel: Model = {
  spec: 'instant',
  provider: 'instant',
  async generate(request: ModelRequest): Promise<ModelResponse> {
    await new Promise((resolve) => setImmediate(resolve));
    const sim = request.providerOptions?.sim as SimOptions;
    const turn = request.messages.filter((message) => message.role === 'assistant').length;
    const step = sim.script?.[turn];
    const tool = step?.tools?.[0];
    if (tool === undefined) return { content: [{ type: 'text', text: sim.output ?? '' }], stopReason: 'end_turn', usage: USAGE };
    return { content: [{ type: 'tool_use', id: `call-${turn}`, name: tool.name, input: tool.input }], stopReason: 'tool_use', usage: USAGE };
  },
};

/** Runs the workload's plan through the engine on the instant model; measured from `spawn` to the last `task-end`. */
export async function runInstantLeg(args: LegArgs): Promise<LegResult> {
  const home = mkdtempSync(join(tmpdir(), 'fanout-bench-home-'));
  const workspace = createBenchWorkspace(args.tasks);
  const fanout = createFanout({ store: openRunStore(home), models: { resolve: () => instantModel, close: async () => {} }, cwd: workspace.cwd });
  try {
    const checked = await fanout.check({ ...fanoutBenchPlan(args), model: 'instant' });
    return await measureLeg(async (markEnd) => {
      let ended = 0;
      fanout.on((event) => {
        if (event.type === 'task-end' && ++ended === args.tasks) markEnd();
      });
      const { runId } = fanout.spawn(checked);
      const result = await fanout.wait(runId);
      const failed = result.tasks.find((task) => task.status !== 'succeeded');
      if (failed !== undefined) throw new Error(`fanout-instant leg: task ${failed.taskId} ended ${failed.status}: ${failed.error}`);
      return result.tasks.reduce((sum, task) => sum + task.turns, 0);
    });
  } finally {
    await fanout.close();
    rmSync(home, { recursive: true, force: true });
    workspace.remove();
  }
}

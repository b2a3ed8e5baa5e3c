/**
 * fanout's provider path without the engine: the simulated provider over
 * AnthropicModel (or OpenAIModel) over the lean keep-alive fetch, in a plain
 * task pool, as `model: sim` runs. Shows how much of fanout's cost is the
 * model path itself.
 */
import type { Message, Model, ProviderOptions } from '../src/contracts/model.js';
import {
  BENCH_MAX_TOKENS,
  BENCH_TOOL_RESULT,
  BENCH_TOOLS,
  benchPrompt,
  benchSim,
  benchSystem,
  measureLeg,
  runTaskPool,
  type LegArgs,
  type LegResult,
} from './bench-kit.js';
import { AnthropicModel, createNodeFetch, OpenAIModel, SimModel } from './fanout-lib.js';

/**
 * Runs the workload through the provider's `generate` and measures it; with
 * `stream`, every call streams (as when a live view listens to deltas);
 * `wire: 'openai'` goes through OpenAIModel and the Chat Completions API.
 */
export async function runProviderLoop(
  args: LegArgs,
  options: { stream?: boolean; wire?: 'anthropic' | 'openai' } = {},
): Promise<LegResult> {
  const http = createNodeFetch();
  const common = { modelId: 'sim', apiKey: 'bench', provider: 'sim', fetch: http.fetch };
  const model: Model =
    options.wire === 'openai'
      ? new SimModel('sim:openai', new OpenAIModel({ ...common, spec: 'sim:openai', baseURL: `${args.url}/v1` }))
      : new SimModel('sim', new AnthropicModel({ ...common, spec: 'sim', baseURL: args.url }));
  const onDelta = options.stream === true ? () => {} : undefined;
  const runTask = async (task: number): Promise<number> => {
    // One signal per task, as the engine gives each task its own.
    const signal = new AbortController().signal;
    const providerOptions: ProviderOptions = { sim: benchSim(args, task) };
    const system = benchSystem(args, task);
    const messages: Message[] = [{ role: 'user', content: [{ type: 'text', text: benchPrompt(task) }] }];
    for (let call = 1; ; call++) {
      const answer = await model.generate({ system, messages, tools: [...BENCH_TOOLS], maxTokens: BENCH_MAX_TOKENS, signal, providerOptions, onDelta });
      const uses = answer.content.flatMap((block) => (block.type === 'tool_use' ? [block] : []));
      if (uses.length === 0 || call >= args.callsPerTask) return call;
      messages.push(
        { role: 'assistant', content: answer.content },
        { role: 'user', content: uses.map((use) => ({ type: 'tool_result', toolUseId: use.id, content: BENCH_TOOL_RESULT, isError: false })) },
      );
    }
  };
  try {
    return await measureLeg(() => runTaskPool(args.tasks, args.concurrency, runTask));
  } finally {
    http.close();
  }
}

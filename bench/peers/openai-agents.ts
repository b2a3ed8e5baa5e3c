/**
 * The OpenAI Agents JS peer: an `Agent` per task (its instructions are the
 * task's role prompt) with the agent's tools (read_file executed, answering
 * the workload's file excerpt), `run()` with `maxTurns` at the task's call
 * count, p-limit for concurrency. The model is `OpenAIChatCompletionsModel`
 * over the official OpenAI client pointed at the simulated server (Chat
 * Completions wire: the sim does not serve the Responses API). Tracing is
 * off: its exporter would post to OpenAI. Retries are the client's defaults.
 */
import { Agent, OpenAIChatCompletionsModel, run, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import type { LegResult } from '../measure.js';
import type { PeerWorkload } from '../peer-workload.js';
import { measurePooled, unusedTool } from './peer-kit.js';

export async function runPeer(workload: PeerWorkload): Promise<LegResult> {
  const { args } = workload;
  setTracingDisabled(true);
  const model = new OpenAIChatCompletionsModel(new OpenAI({ apiKey: 'bench', baseURL: `${args.url}/v1` }), 'gpt-bench');
  const tools = workload.tools.map((spec) =>
    tool({
      name: spec.name,
      description: spec.description,
      // The agent's tools have optional fields: not strict, as fanout sends them.
      parameters: spec.inputSchema as unknown as Extract<Parameters<typeof tool>[0]['parameters'], { additionalProperties: true }>,
      strict: false,
      execute: async () => (spec.name === 'read_file' ? workload.toolResult : unusedTool(spec.name)),
    }),
  );
  return measurePooled(workload, async (task) => {
    const agent = new Agent({
      name: 'reviewer',
      instructions: workload.systems[task] ?? '',
      model,
      tools,
      modelSettings: { maxTokens: workload.maxTokens },
    });
    const result = await run(agent, workload.prompts[task] ?? '', { maxTurns: args.callsPerTask });
    return result.rawResponses.length;
  });
}

/**
 * The Mastra peer: a workflow whose one step, run with `foreach` at the
 * plan's concurrency over the task numbers, calls `agent.generate` with the
 * task's role prompt as instructions, the agent's tools (AI SDK tools,
 * read_file executed, answering the workload's file excerpt) and `maxSteps`
 * at the task's call count. The model is the official AI SDK Anthropic
 * provider pointed at the simulated server. No storage, memory or
 * observability configured; retries are Mastra's defaults.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { Agent, type ToolsInput } from '@mastra/core/agent';
import type { MastraModelConfig } from '@mastra/core/llm';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { z } from 'zod';
import { measureTasks, type LegResult } from '../measure.js';
import type { PeerWorkload } from '../peer-workload.js';
import { aiSdkTools } from './ai-sdk-tools.js';
import { taskNumbers } from './peer-kit.js';

export async function runPeer(workload: PeerWorkload): Promise<LegResult> {
  const { args } = workload;
  const tools = aiSdkTools(workload);
  const agent = new Agent({
    id: 'reviewer',
    name: 'reviewer',
    instructions: 'You review code.',
    // The AI SDK provider's LanguageModelV4 and Mastra's copy of the provider types differ by a patch
    // release; at run time Mastra takes the model as it is (its docs pass AI SDK providers).
    model: createAnthropic({ apiKey: 'bench', baseURL: `${args.url}/v1` })('claude-bench') as unknown as MastraModelConfig,
    tools: tools as ToolsInput,
  });
  return measureTasks(args, async (attempt) => {
    const review = createStep({
      id: 'review',
      inputSchema: z.number(),
      outputSchema: z.object({}),
      execute: async ({ inputData: task }) => {
        await attempt(task, async () => {
          const result = await agent.generate(workload.prompts[task] ?? '', {
            instructions: workload.systems[task] ?? '',
            maxSteps: args.callsPerTask,
            modelSettings: { maxOutputTokens: workload.maxTokens },
          });
          return result.steps.length;
        });
        return {};
      },
    });
    const workflow = createWorkflow({ id: 'bench', inputSchema: z.array(z.number()), outputSchema: z.array(z.object({})) })
      .foreach(review, { concurrency: args.concurrency })
      .commit();
    const run = await workflow.createRun();
    const result = await run.start({ inputData: taskNumbers(workload) });
    if (result.status !== 'success') throw new Error(`the Mastra workflow ended ${result.status}`);
  });
}

/**
 * The Vercel AI SDK peer: `generateText` with the agent's tools (read_file
 * executed, answering the workload's file excerpt), `stopWhen` at the
 * task's call count, p-limit for concurrency, the official Anthropic
 * provider pointed at the simulated server. Retries are the SDK's defaults.
 */
import { createAnthropic } from '@ai-sdk/anthropic';
import { generateText, stepCountIs } from 'ai';
import type { LegResult } from '../measure.js';
import type { PeerWorkload } from '../peer-workload.js';
import { aiSdkTools } from './ai-sdk-tools.js';
import { measurePooled } from './peer-kit.js';

export async function runPeer(workload: PeerWorkload): Promise<LegResult> {
  const { args } = workload;
  const model = createAnthropic({ apiKey: 'bench', baseURL: `${args.url}/v1` })('claude-bench');
  const tools = aiSdkTools(workload);
  return measurePooled(workload, async (task) => {
    const result = await generateText({
      model,
      instructions: workload.systems[task],
      prompt: workload.prompts[task] ?? '',
      tools,
      stopWhen: stepCountIs(args.callsPerTask),
      maxOutputTokens: workload.maxTokens,
    });
    return result.steps.length;
  });
}

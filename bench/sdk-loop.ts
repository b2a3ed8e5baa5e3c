/**
 * The baseline a user would write by hand: the official Anthropic SDK with
 * its defaults (global fetch) and p-limit for concurrency. On the workloads
 * retries are off, so every leg makes exactly the same calls; in the
 * rate-limit scenarios (`countFailures`) the SDK keeps its default retries,
 * as a user's code would, and failed tasks are counted.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import pLimit from 'p-limit';
import { measureTasks, runWireConversation, type LegArgs, type LegResult, type WireBlock } from './bench-kit.js';

/** Runs the workload through `client.messages.create` under p-limit and measures it. */
export async function runSdkLoop(args: LegArgs): Promise<LegResult> {
  const client = new Anthropic({ apiKey: 'bench', baseURL: args.url, ...(args.countFailures !== true && { maxRetries: 0 }) });
  const limit = pLimit(args.concurrency);
  const send = async (body: unknown): Promise<{ content: WireBlock[] }> =>
    (await client.messages.create(body as MessageCreateParamsNonStreaming)) as unknown as { content: WireBlock[] };
  return measureTasks(args, async (attempt) => {
    await Promise.all(Array.from({ length: args.tasks }, (_, task) => limit(() => attempt(task, () => runWireConversation(args, task, send)))));
  });
}

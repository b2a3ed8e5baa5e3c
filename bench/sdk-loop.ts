/**
 * The baseline a user would write by hand: the official Anthropic SDK with
 * its defaults (global fetch) and p-limit for concurrency. Retries are off,
 * so every leg makes exactly the same calls.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import pLimit from 'p-limit';
import { measureLeg, runWireConversation, type LegArgs, type LegResult, type WireBlock } from './bench-kit.js';

/** Runs the workload through `client.messages.create` under p-limit and measures it. */
export async function runSdkLoop(args: LegArgs): Promise<LegResult> {
  const client = new Anthropic({ apiKey: 'bench', baseURL: args.url, maxRetries: 0 });
  const limit = pLimit(args.concurrency);
  const send = async (body: unknown): Promise<{ content: WireBlock[] }> =>
    (await client.messages.create(body as MessageCreateParamsNonStreaming)) as unknown as { content: WireBlock[] };
  return measureLeg(async () => {
    const counts = await Promise.all(
      Array.from({ length: args.tasks }, (_, task) => limit(() => runWireConversation(args, task, send))),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  });
}

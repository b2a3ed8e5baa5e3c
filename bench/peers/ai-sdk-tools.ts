/** The agent's tools as AI SDK tools, for the two peers built on the AI SDK (ai-sdk.ts, mastra.ts). */
import { jsonSchema, tool, type ToolSet } from 'ai';
import type { PeerWorkload } from '../peer-workload.js';
import { unusedTool } from './peer-kit.js';

/** read_file answers the workload's file excerpt; the model never calls the others. */
export function aiSdkTools(workload: PeerWorkload): ToolSet {
  return Object.fromEntries(
    workload.tools.map((spec) => [
      spec.name,
      tool({
        description: spec.description,
        inputSchema: jsonSchema<Record<string, unknown>>(spec.inputSchema),
        execute: async () => (spec.name === 'read_file' ? workload.toolResult : unusedTool(spec.name)),
      }),
    ]),
  );
}

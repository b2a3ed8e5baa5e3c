/**
 * What the parent hands a peer leg (bench/peers/): the workload's calls
 * already rendered, so the peer's process never loads fanout (its modules
 * would count in the peer's peak RSS). Nothing here imports fanout.
 */
import type { LegArgs } from './bench-kit.js';

/** The peer legs, by name: the frameworks of issue 10 a user could fan subagents out with. */
export const PEER_LEGS = ['langgraph', 'mastra', 'openai-agents', 'ai-sdk'] as const;

export type PeerLeg = (typeof PEER_LEGS)[number];

/** The wire format each peer speaks to the simulated server (OpenAI Agents JS: Chat Completions; the sim has no Responses API). */
export const PEER_WIRE: Readonly<Record<PeerLeg, 'anthropic' | 'openai'>> = {
  langgraph: 'anthropic',
  mastra: 'anthropic',
  'openai-agents': 'openai',
  'ai-sdk': 'anthropic',
};

/** Whether `leg` names a peer leg. */
export function isPeerLeg(leg: string): leg is PeerLeg {
  return (PEER_LEGS as readonly string[]).includes(leg);
}

/** One tool as every leg sends it: fanout's agent tools, JSON Schema inputs. */
export interface PeerTool {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** The workload a peer leg runs: the same calls as every other leg. */
export interface PeerWorkload {
  args: LegArgs;
  tools: PeerTool[];
  /** What `read_file` answers (the other tools are never called). */
  toolResult: string;
  maxTokens: number;
  /** Per task: the role prompt fanout renders, and the first user message, which carries the sim directive. */
  systems: string[];
  prompts: string[];
}

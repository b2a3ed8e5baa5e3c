import type { SimConversation, SimToolCall } from './sim-conversation.js';
import { estimateTokens, stableHash } from './sim-conversation.js';
import { planAnswer } from './sim-planner.js';
import { synthesisAnswer } from './sim-synthesis.js';
import { taskSummary } from './sim-task-summary.js';

/** What the simulated model says in one turn, before a wire format renders it. */
export interface SimAnswer {
  /** Deterministic id of this answer (conversation and turn); wires add their prefix. */
  id: string;
  /** Text before the tool calls; may be empty when the turn only calls tools. */
  text: string;
  /** Tool calls with ids deterministic for the conversation and turn (no wire prefix). */
  toolCalls: SimToolCall[];
  outputTokens: number;
}

/**
 * The deterministic answer for a conversation: `script[turn]` while the
 * script lasts, then the final answer — `output` when given, else the
 * default of the call's kind (task summary, synthesis, plan).
 */
export function respond(conversation: SimConversation): SimAnswer {
  const { options, turn, key } = conversation;
  const step = options.script?.[turn];
  const text = step !== undefined ? step.text ?? '' : options.output ?? defaultAnswer(conversation);
  const toolCalls = (step?.tools ?? []).map((tool, index) => ({
    id: stableHash(`${key}:${turn}:${index}`),
    name: tool.name,
    input: tool.input,
  }));
  const chars = toolCalls.reduce((sum, call) => sum + call.name.length + JSON.stringify(call.input).length, text.length);
  return { id: stableHash(`${key}:${turn}`), text, toolCalls, outputTokens: options.outputTokens ?? estimateTokens(chars) };
}

function defaultAnswer(conversation: SimConversation): string {
  switch (conversation.options.kind) {
    case 'synthesis':
      return synthesisAnswer(conversation.firstUserText);
    case 'planner':
      return planAnswer(conversation.firstUserText);
    default:
      return taskSummary(conversation);
  }
}

import type { SimConversation, SimToolCall } from './sim-conversation.js';
import { estimateTokens, stableHash } from './sim-conversation.js';
import { sampleJson } from './sim-json-sample.js';
import { planAnswer } from './sim-planner.js';
import { resolverAnswer } from './sim-resolver.js';
import { fillResultRefs } from './sim-result-refs.js';
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
  /** The answer was cut at the request's `max_tokens`: `stop_reason: "max_tokens"` (`finish_reason: "length"`). */
  truncated: boolean;
}

/**
 * The deterministic answer for a conversation: `script[turn]` while the
 * script lasts, then the final answer — `output` when given, else the
 * default of the call's kind (task summary or JSON for a schema, synthesis,
 * plan, resolved file) — cut at the request's `max_tokens`.
 */
export function respond(conversation: SimConversation): SimAnswer {
  const { options, turn, key } = conversation;
  const step = options.script?.[turn];
  const scripted = step !== undefined ? step.text ?? '' : options.output;
  const text = scripted !== undefined ? fillResultRefs(scripted, conversation) : defaultAnswer(conversation);
  const toolCalls = (step?.tools ?? []).map((tool, index) => ({
    id: stableHash(`${key}:${turn}:${index}`),
    name: tool.name,
    input: fillResultRefs(tool.input, conversation),
  }));
  const chars = answerChars(text, toolCalls);
  const answer = { id: stableHash(`${key}:${turn}`), text, toolCalls, outputTokens: options.outputTokens ?? estimateTokens(chars), truncated: false };
  const { maxTokens } = conversation;
  return maxTokens === undefined || answer.outputTokens <= maxTokens ? answer : truncate(answer, chars, maxTokens);
}

function defaultAnswer(conversation: SimConversation): string {
  switch (conversation.options.kind) {
    case 'synthesis':
      return synthesisAnswer(conversation.firstUserText);
    case 'planner':
      return planAnswer(conversation.firstUserText);
    case 'resolver':
      return resolverAnswer(conversation.firstUserText);
    default:
      return conversation.outputSchema === undefined
        ? taskSummary(conversation)
        : JSON.stringify(sampleJson(conversation.outputSchema), null, 2);
  }
}

function answerChars(text: string, toolCalls: readonly SimToolCall[]): number {
  return toolCalls.reduce((sum, call) => sum + call.name.length + JSON.stringify(call.input).length, text.length);
}

/**
 * The answer as a real API sends it when `max_tokens` stops it: the share of
 * its characters that the limit allows (text first, then the tool calls that
 * fit whole), `maxTokens` output tokens, stop reason `max_tokens`.
 */
function truncate(answer: SimAnswer, chars: number, maxTokens: number): SimAnswer {
  let room = Math.floor((chars * maxTokens) / answer.outputTokens);
  let end = Math.min(answer.text.length, room);
  const code = answer.text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--; // never half a surrogate pair
  const text = answer.text.slice(0, end);
  room -= end;
  const toolCalls: SimToolCall[] = [];
  for (const call of answer.toolCalls) {
    const size = answerChars('', [call]);
    if (size > room) break;
    toolCalls.push(call);
    room -= size;
  }
  return { ...answer, text, toolCalls, outputTokens: maxTokens, truncated: true };
}

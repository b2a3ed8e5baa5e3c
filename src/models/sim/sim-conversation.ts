import { createHash } from 'node:crypto';
import type { SimOptions } from '../../contracts/sim-options.js';
import { extractSimDirective } from './sim-directives.js';
import { outputSchemaInPrompt } from './sim-output-schema.js';

/** A tool call made by the assistant in an earlier turn. */
export interface SimToolCall {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

/** The answer to a tool call, as sent back by the client. */
export interface SimToolResult {
  toolCallId: string;
  content: string;
  isError: boolean;
}

/** One message of either wire format, reduced to what the simulated model reads. */
export interface SimMessage {
  role: 'user' | 'assistant';
  texts: string[];
  toolCalls: SimToolCall[];
  toolResults: SimToolResult[];
}

/** A request of either wire format, normalised: the responder works on this only. */
export interface SimConversation {
  /** The system prompt without the directive. */
  system: string;
  /** Text of the first user message without the directive. */
  firstUserText: string;
  /** Options from the `<fanout-sim>` directive (empty when there is none). */
  options: SimOptions;
  /** Number of assistant turns so far: the index of the turn to answer. */
  turn: number;
  /** Every tool call of the conversation, in order. */
  toolCalls: SimToolCall[];
  /** Tool results by the id of the call they answer. */
  toolResults: Map<string, SimToolResult>;
  /** Stable id of the conversation: hash of the system prompt and the first user message. */
  key: string;
  /** Estimated input tokens of the whole request. */
  inputTokens: number;
  /**
   * The JSON Schema the final answer must follow: the request's own
   * structured-output field, else one the system prompt states.
   */
  outputSchema: Record<string, unknown> | undefined;
  /** The request's cap on output tokens (`max_tokens`, `max_completion_tokens`), when it sets one. */
  maxTokens: number | undefined;
}

/** What a request says about its answer besides the messages, in either wire format. */
export interface SimAnswerLimits {
  /** The request's structured-output schema (Anthropic `output_format`, OpenAI `response_format`). */
  outputSchema?: Record<string, unknown>;
  maxTokens?: number;
}

/**
 * Builds the normalised conversation: reads the directive from the system
 * texts, else from the first user message, strips it from both, and counts
 * assistant turns (consecutive assistant messages count as one turn, since
 * some clients split one answer into several messages).
 */
export function buildConversation(
  systemTexts: string[],
  messages: SimMessage[],
  limits: SimAnswerLimits = {},
): SimConversation {
  const firstUser = messages.find((message) => message.role === 'user');
  const system = stripDirectives(systemTexts);
  const user = stripDirectives(firstUser?.texts ?? []);
  const options = system.options ?? user.options ?? {};

  let turn = 0;
  let chars = 0;
  const toolCalls: SimToolCall[] = [];
  const toolResults = new Map<string, SimToolResult>();
  for (const text of systemTexts) chars += text.length;
  messages.forEach((message, index) => {
    if (message.role === 'assistant' && messages[index - 1]?.role !== 'assistant') turn++;
    for (const text of message.texts) chars += text.length;
    for (const call of message.toolCalls) {
      toolCalls.push(call);
      chars += call.name.length + JSON.stringify(call.input).length;
    }
    for (const result of message.toolResults) {
      toolResults.set(result.toolCallId, result);
      chars += result.content.length;
    }
  });

  return {
    system: system.text,
    firstUserText: user.text,
    options,
    turn,
    toolCalls,
    toolResults,
    key: stableHash(`${system.text}\u0000${user.text}`),
    inputTokens: estimateTokens(chars),
    outputSchema: limits.outputSchema ?? outputSchemaInPrompt(system.text),
    maxTokens: limits.maxTokens,
  };
}

/** Token estimate used for all usage numbers: a quarter of the characters, rounded up, at least 1. */
export function estimateTokens(chars: number): number {
  return Math.max(1, Math.ceil(chars / 4));
}

/** A short hex digest, for deterministic ids and conversation keys. */
export function stableHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

function stripDirectives(texts: string[]): { options: SimOptions | undefined; text: string } {
  let options: SimOptions | undefined;
  const kept: string[] = [];
  for (const raw of texts) {
    const extracted = extractSimDirective(raw);
    options ??= extracted.options;
    if (extracted.text !== '') kept.push(extracted.text);
  }
  return { options, text: kept.join('\n\n') };
}

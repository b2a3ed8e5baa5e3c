/**
 * Anthropic Messages API answers read into fanout's ModelResponse: the
 * pieces the non-streamed and the streamed path share.
 */
import type { Message as ApiMessage, Usage as ApiUsage } from '@anthropic-ai/sdk/resources/messages';
import type { ModelResponse, StopReason, TextBlock, ToolUseBlock } from '../../contracts/model.js';

/** A non-streamed answer: its text and tool_use blocks in order (other block types are skipped), stop reason and usage. */
export function fromApiMessage(message: ApiMessage): ModelResponse {
  const content: Array<TextBlock | ToolUseBlock> = [];
  for (const block of message.content) {
    if (block.type === 'text') content.push({ type: 'text', text: block.text });
    else if (block.type === 'tool_use') {
      content.push({ type: 'tool_use', id: block.id, name: block.name, input: toInput(block.input) });
    }
  }
  return {
    content,
    stopReason: toStopReason(message.stop_reason),
    usage: { inputTokens: inputTokens(message.usage), outputTokens: message.usage.output_tokens },
  };
}

/** Billed input: fresh tokens plus those written to and read from the prompt cache. */
export function inputTokens(
  usage: Pick<ApiUsage, 'cache_creation_input_tokens' | 'cache_read_input_tokens'> & { input_tokens: number | null },
): number {
  return (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
}

/** A tool call's input as an object; anything else (the API sends objects) is no input. */
export function toInput(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}

const STOP_REASONS: ReadonlySet<string> = new Set(['end_turn', 'tool_use', 'max_tokens', 'stop_sequence', 'refusal']);

/** The API's `stop_reason`; one fanout does not know (`pause_turn`, a newer one) is `other`. */
export function toStopReason(reason: string | null | undefined): StopReason {
  return reason != null && STOP_REASONS.has(reason) ? (reason as StopReason) : 'other';
}

import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import type { ModelRequest, ModelResponse, StopReason, TextBlock, ToolUseBlock } from '../../contracts/model.js';
import { inputTokens, toInput, toStopReason } from './anthropic-response.js';

/**
 * Accumulates a streamed answer into a ModelResponse, calling `onDelta` with
 * text as it arrives and with each tool call's name when the call starts.
 * Tool inputs arrive as JSON fragments and are parsed once, at block stop.
 * Undefined when the stream ended without `message_stop`, i.e. the answer
 * was cut off.
 */
export async function collectMessageStream(
  stream: AsyncIterable<RawMessageStreamEvent>,
  onDelta: NonNullable<ModelRequest['onDelta']>,
): Promise<ModelResponse | undefined> {
  const blocks: Array<TextBlock | (ToolUseBlock & { json: string })> = [];
  let stopReason: StopReason = 'other';
  let usage = { inputTokens: 0, outputTokens: 0 };
  let stopped = false;
  for await (const event of stream) {
    switch (event.type) {
      case 'message_start':
        usage = { inputTokens: inputTokens(event.message.usage), outputTokens: event.message.usage.output_tokens };
        break;
      case 'content_block_start': {
        const block = event.content_block;
        if (block.type === 'text') {
          blocks[event.index] = { type: 'text', text: block.text };
          if (block.text !== '') onDelta({ type: 'text-delta', text: block.text });
        } else if (block.type === 'tool_use') {
          blocks[event.index] = { type: 'tool_use', id: block.id, name: block.name, input: {}, json: '' };
          onDelta({ type: 'tool-call', name: block.name });
        }
        break;
      }
      case 'content_block_delta': {
        const block = blocks[event.index];
        if (event.delta.type === 'text_delta' && block?.type === 'text') {
          block.text += event.delta.text;
          onDelta({ type: 'text-delta', text: event.delta.text });
        } else if (event.delta.type === 'input_json_delta' && block?.type === 'tool_use') {
          block.json += event.delta.partial_json;
        }
        break;
      }
      case 'content_block_stop': {
        const block = blocks[event.index];
        if (block?.type === 'tool_use' && block.json !== '') block.input = toInput(JSON.parse(block.json));
        break;
      }
      case 'message_delta':
        stopReason = toStopReason(event.delta.stop_reason);
        usage = {
          inputTokens: event.usage.input_tokens == null ? usage.inputTokens : inputTokens(event.usage),
          outputTokens: event.usage.output_tokens,
        };
        break;
      case 'message_stop':
        stopped = true;
        break;
    }
  }
  if (!stopped) return undefined;
  const content = blocks
    .filter((block) => block !== undefined)
    .map((block): TextBlock | ToolUseBlock =>
      block.type === 'text' ? block : { type: 'tool_use', id: block.id, name: block.name, input: block.input },
    );
  return { content, stopReason, usage };
}

import { buildConversation } from './sim-conversation.js';
import type { SimMessage } from './sim-conversation.js';
import type { SimAnswer } from './sim-responder.js';
import { anthropicLimitHeaders } from './sim-limit-headers.js';
import type { SimWire } from './sim-wire.js';
import {
  TEXT_FRAGMENT_SIZE,
  invalidRequest,
  jsonFragments,
  objectAt,
  optionalTokenLimit,
  parseEnvelope,
  requireArray,
  requireObject,
  splitFragments,
} from './sim-wire.js';

/** The Anthropic Messages API (`POST /v1/messages`), JSON and server-sent events. */
export const anthropicWire: SimWire = {
  parse(body) {
    const { fields: request, messages: rawMessages, model, stream } = parseEnvelope(body);
    const messages: SimMessage[] = [];
    rawMessages.forEach((raw, index) => {
      const message = parseMessage(raw, `messages[${index}]`);
      if (message !== undefined) messages.push(message);
    });
    return {
      conversation: buildConversation(systemTexts(request.system), messages, {
        maxTokens: optionalTokenLimit(request.max_tokens, 'max_tokens'),
        // structured outputs: `output_format` (beta) or `output_config.format`, `{ type: "json_schema", schema }`
        outputSchema: objectAt(request, 'output_format', 'schema') ?? objectAt(request, 'output_config', 'format', 'schema'),
      }),
      model,
      stream,
      includeUsage: false,
    };
  },

  json(answer, request) {
    return {
      id: messageId(answer),
      type: 'message',
      role: 'assistant',
      model: request.model,
      content: contentBlocks(answer),
      stop_reason: stopReason(answer),
      stop_sequence: null,
      usage: usage(request.conversation.inputTokens, answer.outputTokens),
    };
  },

  sse(answer, request) {
    const events: string[] = [
      sseEvent('message_start', {
        type: 'message_start',
        message: {
          id: messageId(answer),
          type: 'message',
          role: 'assistant',
          model: request.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: usage(request.conversation.inputTokens, 1),
        },
      }),
    ];
    contentBlocks(answer).forEach((block, index) => {
      const isText = block.type === 'text';
      const start = isText ? { type: 'text', text: '' } : { ...block, input: {} };
      events.push(sseEvent('content_block_start', { type: 'content_block_start', index, content_block: start }));
      const pieces = isText
        ? splitFragments(block.text, TEXT_FRAGMENT_SIZE).map((text) => ({ type: 'text_delta', text }))
        : jsonFragments(block.input).map((partial_json) => ({ type: 'input_json_delta', partial_json }));
      for (const delta of pieces) events.push(sseEvent('content_block_delta', { type: 'content_block_delta', index, delta }));
      events.push(sseEvent('content_block_stop', { type: 'content_block_stop', index }));
    });
    events.push(
      sseEvent('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopReason(answer), stop_sequence: null },
        usage: { output_tokens: answer.outputTokens },
      }),
      sseEvent('message_stop', { type: 'message_stop' }),
    );
    return events.join('');
  },

  error(status, message) {
    return { type: 'error', error: { type: anthropicErrorType(status), message } };
  },

  limitHeaders: anthropicLimitHeaders,
};

/** The `error.type` Anthropic uses for an HTTP status. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

type AnthropicBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** Text first, then tool calls; an answer always has at least one block. */
function contentBlocks(answer: SimAnswer): AnthropicBlock[] {
  const blocks: AnthropicBlock[] = [];
  if (answer.text !== '' || answer.toolCalls.length === 0) blocks.push({ type: 'text', text: answer.text });
  for (const call of answer.toolCalls) blocks.push({ type: 'tool_use', id: `toolu_${call.id}`, name: call.name, input: call.input });
  return blocks;
}

function stopReason(answer: SimAnswer): 'max_tokens' | 'tool_use' | 'end_turn' {
  if (answer.truncated) return 'max_tokens';
  return answer.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
}

function messageId(answer: SimAnswer): string {
  return `msg_${answer.id}`;
}

function usage(inputTokens: number, outputTokens: number): Record<string, number> {
  return { input_tokens: inputTokens, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

function sseEvent(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function systemTexts(system: unknown): string[] {
  if (system === undefined || system === null) return [];
  if (typeof system === 'string') return [system];
  return requireArray(system, 'system').map((block, index) => {
    const { text } = requireObject(block, `system[${index}]`);
    if (typeof text !== 'string') throw invalidRequest(`system[${index}].text: expected a string`);
    return text;
  });
}

/** Messages with role `system` (sent mid-conversation by Claude Code) are skipped. */
function parseMessage(raw: unknown, where: string): SimMessage | undefined {
  const { role, content } = requireObject(raw, where);
  if (role === 'system') return undefined;
  if (role !== 'user' && role !== 'assistant') throw invalidRequest(`${where}.role: expected "user" or "assistant"`);
  const message: SimMessage = { role, texts: [], toolCalls: [], toolResults: [] };
  if (typeof content === 'string') {
    message.texts.push(content);
    return message;
  }
  requireArray(content, `${where}.content`).forEach((item, index) => {
    const block = requireObject(item, `${where}.content[${index}]`);
    switch (block.type) {
      case 'text':
        if (typeof block.text !== 'string') throw invalidRequest(`${where}.content[${index}].text: expected a string`);
        message.texts.push(block.text);
        break;
      case 'tool_use':
        message.toolCalls.push({
          id: String(block.id),
          name: String(block.name),
          input: requireObject(block.input ?? {}, `${where}.content[${index}].input`),
        });
        break;
      case 'tool_result':
        message.toolResults.push({
          toolCallId: String(block.tool_use_id),
          content: resultText(block.content),
          isError: block.is_error === true,
        });
        break;
      default:
        // images, documents, thinking: nothing the simulated model reads
        break;
    }
  });
  return message;
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (typeof part === 'object' && part !== null && typeof part.text === 'string' ? part.text : ''))
    .filter((text) => text !== '')
    .join('\n');
}

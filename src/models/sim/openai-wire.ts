import { buildConversation } from './sim-conversation.js';
import type { SimMessage } from './sim-conversation.js';
import type { SimAnswer } from './sim-responder.js';
import { openaiLimitHeaders } from './sim-limit-headers.js';
import type { SimRequest, SimWire } from './sim-wire.js';
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

/** The OpenAI Chat Completions API (`POST /v1/chat/completions`), JSON and `chat.completion.chunk` events. */
export const openaiWire: SimWire = {
  parse(body) {
    const { fields: request, messages: rawMessages, model, stream } = parseEnvelope(body);
    const system: string[] = [];
    const messages: SimMessage[] = [];
    rawMessages.forEach((raw, index) => {
      const where = `messages[${index}]`;
      const message = requireObject(raw, where);
      switch (message.role) {
        case 'system':
        case 'developer':
          system.push(...contentTexts(message.content, where));
          break;
        case 'user':
          messages.push({ role: 'user', texts: contentTexts(message.content, where), toolCalls: [], toolResults: [] });
          break;
        case 'assistant':
          messages.push({
            role: 'assistant',
            texts: contentTexts(message.content, where),
            toolCalls: toolCalls(message.tool_calls, where),
            toolResults: [],
          });
          break;
        case 'tool':
          // a tool result answers the assistant's call, so it counts like Anthropic's tool_result in a user turn
          messages.push({
            role: 'user',
            texts: [],
            toolCalls: [],
            toolResults: [{ toolCallId: String(message.tool_call_id), content: contentTexts(message.content, where).join('\n'), isError: false }],
          });
          break;
        default:
          throw invalidRequest(`${where}.role: expected "system", "developer", "user", "assistant" or "tool"`);
      }
    });
    const streamOptions = request.stream_options;
    return {
      conversation: buildConversation(system, messages, {
        // `max_completion_tokens` is the current name; `max_tokens` the older one, still sent by many clients
        maxTokens:
          optionalTokenLimit(request.max_completion_tokens, 'max_completion_tokens') ?? optionalTokenLimit(request.max_tokens, 'max_tokens'),
        outputSchema: objectAt(request, 'response_format', 'json_schema', 'schema'),
      }),
      model,
      stream,
      includeUsage:
        typeof streamOptions === 'object' && streamOptions !== null && (streamOptions as { include_usage?: unknown }).include_usage === true,
    };
  },

  json(answer, request) {
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: answer.text === '' && answer.toolCalls.length > 0 ? null : answer.text,
      refusal: null,
    };
    if (answer.toolCalls.length > 0) {
      message.tool_calls = answer.toolCalls.map((call) => ({
        id: callId(call.id),
        type: 'function',
        function: { name: call.name, arguments: JSON.stringify(call.input) },
      }));
    }
    return {
      id: completionId(answer),
      object: 'chat.completion',
      created: nowSeconds(),
      model: request.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(answer) }],
      usage: usage(request, answer),
    };
  },

  sse(answer, request) {
    const base = { id: completionId(answer), object: 'chat.completion.chunk', created: nowSeconds(), model: request.model };
    // with include_usage, OpenAI sends `usage: null` on every chunk but the last
    const usageField = request.includeUsage ? { usage: null } : {};
    const chunks: string[] = [];
    const push = (delta: unknown, finishReason: string | null = null): void => {
      chunks.push(sseData({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...usageField }));
    };
    push({ role: 'assistant', content: '' });
    for (const content of splitFragments(answer.text, TEXT_FRAGMENT_SIZE)) push({ content });
    answer.toolCalls.forEach((call, index) => {
      push({ tool_calls: [{ index, id: callId(call.id), type: 'function', function: { name: call.name, arguments: '' } }] });
      for (const args of jsonFragments(call.input)) push({ tool_calls: [{ index, function: { arguments: args } }] });
    });
    push({}, finishReason(answer));
    if (request.includeUsage) chunks.push(sseData({ ...base, choices: [], usage: usage(request, answer) }));
    chunks.push('data: [DONE]\n\n');
    return chunks.join('');
  },

  error(status, message) {
    const [type, code] = openaiErrorType(status);
    return { error: { message, type, param: null, code } };
  },

  limitHeaders: openaiLimitHeaders,
};

/** The `type` and `code` of an OpenAI error object for an HTTP status. */
export function openaiErrorType(status: number): [type: string, code: string | null] {
  switch (status) {
    case 401:
      return ['invalid_request_error', 'invalid_api_key'];
    case 404:
      return ['invalid_request_error', 'not_found'];
    case 429:
      return ['rate_limit_error', 'rate_limit_exceeded'];
    case 529:
      return ['overloaded_error', 'overloaded'];
    default:
      return status >= 500 ? ['server_error', null] : ['invalid_request_error', null];
  }
}

function completionId(answer: SimAnswer): string {
  return `chatcmpl-${answer.id}`;
}

function callId(id: string): string {
  return `call_${id}`;
}

function finishReason(answer: SimAnswer): 'length' | 'tool_calls' | 'stop' {
  if (answer.truncated) return 'length';
  return answer.toolCalls.length > 0 ? 'tool_calls' : 'stop';
}

function usage(request: SimRequest, answer: SimAnswer): Record<string, number> {
  const prompt = request.conversation.inputTokens;
  return { prompt_tokens: prompt, completion_tokens: answer.outputTokens, total_tokens: prompt + answer.outputTokens };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function sseData(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/** `content` is a string, an array of parts (only `text` parts are read), or null on tool-calling turns. */
function contentTexts(content: unknown, where: string): string[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return [content];
  return requireArray(content, `${where}.content`).flatMap((part, index) => {
    const { type, text } = requireObject(part, `${where}.content[${index}]`);
    return type === 'text' && typeof text === 'string' ? [text] : [];
  });
}

function toolCalls(value: unknown, where: string): SimMessage['toolCalls'] {
  if (value === undefined || value === null) return [];
  return requireArray(value, `${where}.tool_calls`).map((raw, index) => {
    const call = requireObject(raw, `${where}.tool_calls[${index}]`);
    const fn = requireObject(call.function, `${where}.tool_calls[${index}].function`);
    return { id: String(call.id), name: String(fn.name), input: parseArguments(fn.arguments) };
  });
}

/** Arguments the model produced are echoed back as a string; unparsable ones count as empty input. */
function parseArguments(value: unknown): Record<string, unknown> {
  if (typeof value !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

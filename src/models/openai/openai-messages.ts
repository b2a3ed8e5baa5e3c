/**
 * Mapping between fanout's Model contract and the OpenAI Chat Completions
 * wire format, in both directions. Pure functions: the model class owns the
 * client, the stream collector owns the chunk accumulation.
 */
import type {
  ChatCompletion,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
  ChatCompletionMessageToolCall,
} from 'openai/resources/chat/completions';
import type { Message, ModelRequest, ModelResponse, StopReason, TextBlock, ToolUseBlock } from '../../contracts/model.js';

/**
 * The request's conversation as Chat Completions messages: the system prompt
 * as a `system` message, then each turn. `system` rather than `developer`: every
 * OpenAI-compatible server knows it, and OpenAI's reasoning models accept it.
 */
export function toChatMessages(request: Pick<ModelRequest, 'system' | 'messages'>): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  if (request.system !== '') out.push({ role: 'system', content: request.system });
  for (const message of request.messages) {
    if (message.role === 'assistant') out.push(toAssistantMessage(message));
    else out.push(...toUserMessages(message));
  }
  return out;
}

/**
 * A user turn: each tool result becomes its own `tool` message, placed first
 * because the API wants them right after the assistant turn that called the
 * tools; the text blocks follow as one user message. An error result is
 * prefixed with `Error: `, since the wire format has no error flag.
 */
function toUserMessages(message: Message): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  const texts: string[] = [];
  for (const block of message.content) {
    if (block.type === 'tool_result') {
      out.push({ role: 'tool', tool_call_id: block.toolUseId, content: block.isError ? `Error: ${block.content}` : block.content });
    } else if (block.type === 'text') {
      texts.push(block.text);
    }
  }
  // A plain string, not content parts: several local servers accept only strings.
  const text = joinTexts(texts);
  if (text !== '' || out.length === 0) out.push({ role: 'user', content: text });
  return out;
}

function toAssistantMessage(message: Message): ChatCompletionMessageParam {
  const calls = message.content.filter((block): block is ToolUseBlock => block.type === 'tool_use');
  const text = joinTexts(message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])));
  if (calls.length === 0) return { role: 'assistant', content: text };
  return {
    role: 'assistant',
    content: text === '' ? null : text,
    tool_calls: calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.input) },
    })),
  };
}

function joinTexts(texts: string[]): string {
  return texts.filter((text) => text !== '').join('\n\n');
}

/** Tool specs as `function` tools; the input schema is the function's `parameters`. */
export function toChatTools(tools: ModelRequest['tools']): ChatCompletionFunctionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  }));
}

/**
 * A non-streamed completion as a ModelResponse: the first choice's text (or
 * refusal), then its function tool calls. Undefined when it has no choice.
 */
export function fromChatCompletion(completion: ChatCompletion): ModelResponse | undefined {
  const choice = completion.choices[0];
  if (choice === undefined) return undefined;
  const { message } = choice;
  const calls = (message.tool_calls ?? []).flatMap((call, index) => functionCall(call, index));
  // A refusal comes instead of content; it is the answer's text then.
  const refusal = message.content ? undefined : message.refusal || undefined;
  return {
    content: answerContent(refusal ?? message.content ?? '', calls),
    stopReason: refusal === undefined ? toStopReason(choice.finish_reason, calls.length > 0) : 'refusal',
    usage: toUsage(completion.usage),
  };
}

function functionCall(call: ChatCompletionMessageToolCall, index: number): ToolUseBlock[] {
  if (call.type !== 'function') return [];
  return [toolUse(call.id, index, call.function.name, call.function.arguments)];
}

/**
 * One tool call. A call without an id (some local servers omit it) gets one
 * made from its position, so its result can still be matched to it.
 */
export function toolUse(id: string | undefined, index: number, name: string, args: string): ToolUseBlock {
  const parsed = parseToolArguments(args);
  const block: ToolUseBlock = { type: 'tool_use', id: id || `call_${index}`, name, input: parsed.input };
  if (parsed.error !== undefined) block.inputError = parsed.error;
  return block;
}

/**
 * Parses a tool call's `arguments` JSON. Empty arguments are an empty input
 * (servers send `""` for tools without parameters); anything that is not a
 * JSON object gives an empty input and an error the agent shows the model.
 */
export function parseToolArguments(args: string): { input: Record<string, unknown>; error?: string } {
  if (args.trim() === '') return { input: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch (error) {
    // Node 22+ appends "(line L column C)" to the position: drop it so the message is the same on every Node.
    const reason = (error as Error).message.replace(/ \(line \d+ column \d+\)$/, '');
    return { input: {}, error: `the arguments are not valid JSON (${reason}): ${clip(args)}` };
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return { input: parsed as Record<string, unknown> };
  return { input: {}, error: `the arguments must be a JSON object, got ${clip(args)}` };
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

/** The answer's blocks: its text (when not empty) first, then its tool calls, as the wire format orders them. */
export function answerContent(text: string, calls: ToolUseBlock[]): Array<TextBlock | ToolUseBlock> {
  return text === '' ? calls : [{ type: 'text', text }, ...calls];
}

/**
 * `finish_reason` as a StopReason. An answer with tool calls is `tool_use`
 * even when the server says `stop` (some local servers do), unless it was
 * cut off at the token limit.
 */
export function toStopReason(reason: string | null | undefined, hasToolCalls: boolean): StopReason {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'refusal';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'stop':
      return hasToolCalls ? 'tool_use' : 'end_turn';
    default:
      return hasToolCalls ? 'tool_use' : 'other';
  }
}

/** Token counts from a `usage` object; zero when the server sent none. */
export function toUsage(usage: { prompt_tokens?: number | null; completion_tokens?: number | null } | null | undefined): ModelResponse['usage'] {
  return { inputTokens: usage?.prompt_tokens ?? 0, outputTokens: usage?.completion_tokens ?? 0 };
}

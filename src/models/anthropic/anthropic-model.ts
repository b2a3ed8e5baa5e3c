import Anthropic from '@anthropic-ai/sdk';
import { ANTHROPIC_DEFAULT_BASE_URL } from '../provider-endpoints.js';
import type { Stream } from '@anthropic-ai/sdk/core/streaming';
import type {
  ContentBlockParam,
  Message as ApiMessage,
  MessageCreateParamsBase,
  MessageParam,
  RawMessageStreamEvent,
  TextBlockParam,
  Tool,
} from '@anthropic-ai/sdk/resources/messages';
import { FanoutError } from '../../contracts/errors.js';
import type {
  ContentBlock,
  Message,
  Model,
  ModelRequest,
  ModelResponse,
  StopReason,
  TextBlock,
  ToolSpec,
  ToolUseBlock,
} from '../../contracts/model.js';
import { frozenJson } from '../frozen-json.js';
import type { FetchFunction } from '../http/node-fetch.js';
import { requestSimDirective } from '../sim/index.js';
import { toAnthropicModelError } from './anthropic-errors.js';

/** Options of {@link AnthropicModel}. */
export interface AnthropicModelOptions {
  /** The spec it was resolved from, e.g. `anthropic:claude-sonnet-5-5` or `sim`. */
  spec: string;
  /** The API's model id, e.g. `claude-sonnet-5-5`. */
  modelId: string;
  apiKey: string;
  /** @default `https://api.anthropic.com` */
  baseURL?: string;
  /**
   * Talks to fanout's simulated model server: sends each request's SimOptions
   * as a directive in the system prompt.
   * @default false
   */
  simulated?: boolean;
  /** Provider key for per-provider caps and shared backoff. @default `sim` when simulated, else `anthropic` */
  provider?: string;
  /** The fetch the SDK uses; fanout passes its keep-alive {@link createNodeFetch}. @default the global fetch */
  fetch?: FetchFunction;
  defaultHeaders?: Record<string, string>;
  /**
   * Per HTTP request. The engine enforces task time limits through the
   * signal; this only bounds a hung connection.
   * @default 600000
   */
  timeoutMs?: number;
  /**
   * Let the SDK emit OpenTelemetry spans for each call. Off by default: even
   * with no tracer registered, span bookkeeping is measurable per-call work
   * at hundreds of concurrent calls.
   * @default false
   */
  openTelemetry?: boolean;
  /**
   * What {@link AnthropicModel.preflight} runs; the resolver passes its
   * cached TCP reachability check of `baseURL`. @default nothing to check
   */
  preflight?: (signal?: AbortSignal) => Promise<void>;
}


/** The Messages API route, relative to the base URL. */
const MESSAGES_PATH = '/v1/messages';

/**
 * A Model over the Anthropic Messages API, through the official SDK.
 *
 * The SDK does not retry (`maxRetries: 0`): the engine owns retries and the
 * backoff shared by all tasks of a provider. Without an `onDelta` listener
 * the call is not streamed, which is cheaper on the wire and in CPU.
 *
 * The SDK never writes to the console: its logger is off, and the request
 * goes through `client.post` rather than `messages.create`, which
 * `console.warn`s on every call of a model id the SDK lists as deprecated
 * (that warning bypasses the logger and would land in fanout's output).
 */
export class AnthropicModel implements Model {
  readonly spec: string;
  readonly provider: string;
  readonly simulated: boolean;
  private readonly client: Anthropic;
  private readonly modelId: string;
  private readonly baseURL: string;
  private readonly apiKey: string;
  private readonly check: ((signal?: AbortSignal) => Promise<void>) | undefined;

  constructor(options: AnthropicModelOptions) {
    this.spec = options.spec;
    this.modelId = options.modelId;
    this.simulated = options.simulated ?? false;
    this.provider = options.provider ?? (this.simulated ? 'sim' : 'anthropic');
    this.baseURL = options.baseURL ?? ANTHROPIC_DEFAULT_BASE_URL;
    this.apiKey = options.apiKey;
    this.check = options.preflight;
    this.client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: this.baseURL,
      maxRetries: 0,
      // Also keeps ANTHROPIC_LOG from turning on request logging behind fanout's back.
      logLevel: 'off',
      timeout: options.timeoutMs ?? 600_000,
      ...(options.openTelemetry === true ? {} : { openTelemetry: false }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      // Every request of fanout's carries a JSON body (see generate), encoded by fanout.
      defaultHeaders: { ...JSON_CONTENT, ...options.defaultHeaders },
    });
  }

  /** Runs the check given as {@link AnthropicModelOptions.preflight}, if any. */
  async preflight(signal?: AbortSignal): Promise<void> {
    await this.check?.(signal);
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const { signal } = request;
    if (signal.aborted) throw new FanoutError('ABORTED', `model ${this.spec}: call aborted`);
    try {
      const streamed = request.onDelta !== undefined;
      // Encoded here, not by the SDK, so the tool definitions are encoded once (see encodeBody). The SDK
      // sends bytes as they are; the content type is a default header of the client, because headers
      // given per request cost the SDK a Headers object more on every call.
      const options = { body: Buffer.from(this.encodeBody(request, streamed)), signal };
      if (request.onDelta === undefined) {
        const message = await this.client.post<ApiMessage>(MESSAGES_PATH, options);
        return fromApiMessage(message);
      }
      const stream = await this.client.post<Stream<RawMessageStreamEvent>>(MESSAGES_PATH, { ...options, stream: true });
      const response = await collectStream(stream, request.onDelta);
      // The SDK ends the iteration quietly when the request is aborted; the catch below reports the abort.
      if (signal.aborted) throw signal.reason;
      if (response !== undefined) return response;
      throw new FanoutError('MODEL_ERROR', `model ${this.spec}: the answer stream ended before message_stop`, {
        retryable: true,
      });
    } catch (error) {
      throw toAnthropicModelError(error, { spec: this.spec, baseURL: this.baseURL, apiKey: this.apiKey, signal });
    }
  }

  /**
   * The request body, as JSON: the Messages API parameters with the tool
   * definitions spliced in from {@link frozenJson}, so that a frozen spec
   * (fanout's agent tools are) is encoded once per process instead of on
   * every call. Otherwise exactly what `JSON.stringify` of the whole
   * parameters would give.
   */
  private encodeBody(request: ModelRequest, stream: boolean): string {
    const system: TextBlockParam[] = request.system === '' ? [] : [{ type: 'text', text: request.system }];
    if (this.simulated) {
      system.push({ type: 'text', text: requestSimDirective(request.sim) });
    }
    const params: Omit<MessageCreateParamsBase, 'tools'> = {
      model: this.modelId,
      max_tokens: request.maxTokens,
      ...(system.length === 0 ? {} : { system }),
      messages: request.messages.map(toApiMessage),
      stream,
    };
    const json = JSON.stringify(params);
    if (request.tools.length === 0) return json;
    const tools = request.tools.map((tool) => frozenJson(TOOL_JSON, tool, toApiTool)).join(',');
    return `${json.slice(0, -1)},"tools":[${tools}]}`;
  }
}

/** Encoded tool definitions, by spec (see {@link frozenJson}). */
const TOOL_JSON = new WeakMap<ToolSpec, string>();

const JSON_CONTENT = { 'content-type': 'application/json' } as const;

function toApiTool(tool: ToolSpec): Tool {
  return { name: tool.name, description: tool.description, input_schema: tool.inputSchema as Tool['input_schema'] };
}

function toApiMessage(message: Message): MessageParam {
  // The API rejects empty text blocks; they carry nothing, so drop them unless nothing else is left.
  const blocks = message.content.filter((block) => block.type !== 'text' || block.text !== '');
  return { role: message.role, content: (blocks.length > 0 ? blocks : message.content).map(toApiBlock) };
}

function toApiBlock(block: ContentBlock): ContentBlockParam {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
    case 'tool_result':
      return { type: 'tool_result', tool_use_id: block.toolUseId, content: block.content, is_error: block.isError };
  }
}

function fromApiMessage(message: ApiMessage): ModelResponse {
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
    usage: {
      inputTokens: inputTokens(message.usage),
      outputTokens: message.usage.output_tokens,
    },
  };
}

/**
 * Accumulates a streamed answer into a ModelResponse, calling `onDelta` with
 * text as it arrives and with each tool call's name when the call starts.
 * Tool inputs arrive as JSON fragments and are parsed once, at block stop.
 * Undefined when the stream ended without `message_stop`.
 */
async function collectStream(
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

/** Billed input: fresh tokens plus those written to and read from the prompt cache. */
function inputTokens(usage: {
  input_tokens: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}): number {
  return (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
}

function toInput(input: unknown): Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
}

const STOP_REASONS: ReadonlySet<string> = new Set(['end_turn', 'tool_use', 'max_tokens', 'stop_sequence', 'refusal']);

function toStopReason(reason: string | null | undefined): StopReason {
  return reason != null && STOP_REASONS.has(reason) ? (reason as StopReason) : 'other';
}

import OpenAI from 'openai';
import { OPENAI_DEFAULT_BASE_URL } from '../provider-endpoints.js';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import { FanoutError } from '../../contracts/errors.js';
import { emptyAnswer } from '../http/sdk-transport-errors.js';
import type { FetchFunction } from '../http/node-fetch.js';
import type { Model, ModelRequest, ModelResponse } from '../../contracts/model.js';
import { toOpenAIModelError } from './openai-errors.js';
import { fromChatCompletion, toChatMessages, toChatTools } from './openai-messages.js';
import { collectChatStream } from './openai-stream.js';
import { endpointIdentity, openaiRateLimit } from '../http/rate-limit-headers.js';
import type { HeaderSource } from '../http/http-errors.js';

/** The request field that carries {@link ModelRequest.maxTokens}. */
export type TokenLimitParam = 'max_tokens' | 'max_completion_tokens';

/** Options of {@link OpenAIModel}. */
export interface OpenAIModelOptions {
  /** The spec it was resolved from, e.g. `openai:gpt-4o` or `sim:openai`. */
  spec: string;
  /** The server's model name, e.g. `gpt-4o`, `llama3.1:8b`. */
  modelId: string;
  /** Local servers (Ollama, vLLM, llama.cpp, LM Studio) accept any non-empty value. */
  apiKey: string;
  /** Including the `/v1` path of compatible servers, e.g. `http://127.0.0.1:11434/v1`. @default `https://api.openai.com/v1` */
  baseURL?: string;
  /** Sent as `OpenAI-Organization`. */
  organization?: string;
  /** Sent as `OpenAI-Project`. */
  project?: string;
  /** Provider key for per-provider caps and shared backoff. @default `openai` */
  provider?: string;
  /**
   * Where the output token limit goes. OpenAI's own API wants
   * `max_completion_tokens` (its reasoning models reject `max_tokens`); many
   * compatible servers know only `max_tokens`.
   * @default `max_completion_tokens` for api.openai.com, else `max_tokens`
   */
  tokenLimitParam?: TokenLimitParam;
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
   * What {@link OpenAIModel.preflight} runs; the resolver passes its cached
   * TCP reachability check of `baseURL`. @default nothing to check
   */
  preflight?: (signal?: AbortSignal) => Promise<void>;
}


/**
 * A Model over the OpenAI Chat Completions API, through the official SDK,
 * for OpenAI and every server that speaks the same API (Ollama, vLLM,
 * llama.cpp's server, LM Studio, OpenRouter).
 *
 * The SDK does not retry (`maxRetries: 0`): the engine owns retries and the
 * backoff shared by all tasks of a provider. Without an `onDelta` listener
 * the call is not streamed, which is cheaper on the wire and in CPU.
 */
export class OpenAIModel implements Model {
  readonly spec: string;
  readonly provider: string;
  readonly endpoint: string;
  private readonly client: OpenAI;
  private readonly modelId: string;
  private readonly baseURL: string;
  private readonly apiKey: string;
  private readonly tokenLimitParam: TokenLimitParam;
  private readonly check: ((signal?: AbortSignal) => Promise<void>) | undefined;

  constructor(options: OpenAIModelOptions) {
    this.spec = options.spec;
    this.modelId = options.modelId;
    this.provider = options.provider ?? 'openai';
    this.baseURL = options.baseURL ?? OPENAI_DEFAULT_BASE_URL;
    this.apiKey = options.apiKey;
    this.endpoint = endpointIdentity(this.provider, this.baseURL, this.apiKey);
    this.check = options.preflight;
    this.tokenLimitParam = options.tokenLimitParam ?? (isOpenAIHost(this.baseURL) ? 'max_completion_tokens' : 'max_tokens');
    // Every setting is explicit (null included), so the SDK reads nothing from process.env behind the resolver's back.
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: this.baseURL,
      organization: options.organization ?? null,
      project: options.project ?? null,
      maxRetries: 0,
      // Nothing of the SDK's goes to the console (and OPENAI_LOG is not read).
      logLevel: 'off',
      timeout: options.timeoutMs ?? 600_000,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.defaultHeaders === undefined ? {} : { defaultHeaders: options.defaultHeaders }),
    });
  }

  /** Runs the check given as {@link OpenAIModelOptions.preflight}, if any. */
  async preflight(signal?: AbortSignal): Promise<void> {
    await this.check?.(signal);
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const { signal } = request;
    if (signal.aborted) throw new FanoutError('ABORTED', `model ${this.spec}: call aborted`);
    try {
      const params = this.params(request);
      let response: ModelResponse | undefined;
      let headers: HeaderSource;
      if (request.onDelta === undefined) {
        const answer = await this.client.chat.completions.create({ ...params, stream: false }, { signal }).withResponse();
        // The SDK hands over nothing for a body announced empty (`content-length: 0`): a lost answer, as a cut one is.
        if ((answer.data as unknown) === undefined) throw emptyAnswer(this.spec);
        response = fromChatCompletion(answer.data);
        headers = answer.response.headers;
      } else {
        const opened = await this.client.chat.completions
          .create({ ...params, stream: true, stream_options: { include_usage: true } }, { signal })
          .withResponse();
        response = await collectChatStream(opened.data, request.onDelta);
        headers = opened.response.headers;
      }
      // The SDK ends a stream's iteration quietly when the request is aborted; the catch below reports the abort.
      if (signal.aborted) throw signal.reason;
      if (response !== undefined) {
        const rateLimit = openaiRateLimit(headers);
        return rateLimit === undefined ? response : { ...response, rateLimit };
      }
      const what = request.onDelta === undefined ? 'the answer has no choices' : 'the answer stream ended before its finish_reason';
      throw new FanoutError('MODEL_ERROR', `model ${this.spec}: ${what}`, { retryable: true });
    } catch (error) {
      throw toOpenAIModelError(error, { spec: this.spec, baseURL: this.baseURL, apiKey: this.apiKey, signal });
    }
  }

  private params(request: ModelRequest): ChatCompletionCreateParamsBase {
    return {
      model: this.modelId,
      [this.tokenLimitParam]: request.maxTokens,
      messages: toChatMessages(request),
      ...(request.tools.length === 0 ? {} : { tools: toChatTools(request.tools) }),
    };
  }
}

function isOpenAIHost(baseURL: string): boolean {
  try {
    return new URL(baseURL).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

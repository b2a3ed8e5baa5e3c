import Anthropic from '@anthropic-ai/sdk';
import { FanoutError } from '../../contracts/errors.js';
import { emptyAnswer } from '../http/sdk-transport-errors.js';
import type { FetchFunction } from '../http/node-fetch.js';
import type { Model, ModelRequest, ModelResponse } from '../../contracts/model.js';
import { ANTHROPIC_DEFAULT_BASE_URL } from '../provider-endpoints.js';
import { toAnthropicModelError } from './anthropic-errors.js';
import { toMessageParams } from './anthropic-messages.js';
import { fromApiMessage } from './anthropic-response.js';
import { collectMessageStream } from './anthropic-stream.js';
import { anthropicRateLimit, endpointIdentity } from '../http/rate-limit-headers.js';
import type { HeaderSource } from '../http/http-errors.js';

/** Options of {@link AnthropicModel}. */
export interface AnthropicModelOptions {
  /** The spec it was resolved from, e.g. `anthropic:claude-sonnet-5-5`. */
  spec: string;
  /** The API's model id, e.g. `claude-sonnet-5-5`. */
  modelId: string;
  apiKey: string;
  /** @default `https://api.anthropic.com` */
  baseURL?: string;
  /** Provider key for per-provider caps and shared backoff. @default `anthropic` */
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


/**
 * A Model over the Anthropic Messages API, through the official SDK's
 * `messages.create`.
 *
 * The SDK does not retry (`maxRetries: 0`): the engine owns retries and the
 * backoff shared by all tasks of a provider. Without an `onDelta` listener
 * the call is not streamed, which is cheaper on the wire and in CPU. The SDK
 * never writes to the console (see `withoutConsoleWarnings`).
 */
export class AnthropicModel implements Model {
  readonly spec: string;
  readonly provider: string;
  readonly endpoint: string;
  private readonly client: Anthropic;
  private readonly modelId: string;
  private readonly baseURL: string;
  private readonly apiKey: string;
  private readonly check: ((signal?: AbortSignal) => Promise<void>) | undefined;

  constructor(options: AnthropicModelOptions) {
    this.spec = options.spec;
    this.modelId = options.modelId;
    this.provider = options.provider ?? 'anthropic';
    this.baseURL = options.baseURL ?? ANTHROPIC_DEFAULT_BASE_URL;
    this.apiKey = options.apiKey;
    this.endpoint = endpointIdentity(this.provider, this.baseURL, this.apiKey);
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
      ...(options.defaultHeaders === undefined ? {} : { defaultHeaders: options.defaultHeaders }),
    });
  }

  /** Runs the check given as {@link AnthropicModelOptions.preflight}, if any. */
  async preflight(signal?: AbortSignal): Promise<void> {
    await this.check?.(signal);
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const { signal, onDelta } = request;
    if (signal.aborted) throw new FanoutError('ABORTED', `model ${this.spec}: call aborted`);
    try {
      const params = toMessageParams(this.modelId, request);
      const messages = this.client.messages;
      if (onDelta === undefined) {
        const answer = await withoutConsoleWarnings(() => messages.create({ ...params, stream: false }, { signal })).withResponse();
        // The SDK hands over nothing for a body announced empty (`content-length: 0`): a lost answer, as a cut one is.
        if ((answer.data as unknown) === undefined) throw emptyAnswer(this.spec);
        return withRateLimit(fromApiMessage(answer.data), answer.response.headers);
      }
      const opened = await withoutConsoleWarnings(() => messages.create({ ...params, stream: true }, { signal })).withResponse();
      const response = await collectMessageStream(opened.data, onDelta);
      // The SDK ends the iteration quietly when the request is aborted; the catch below reports the abort.
      if (signal.aborted) throw signal.reason;
      if (response !== undefined) return withRateLimit(response, opened.response.headers);
      throw new FanoutError('MODEL_ERROR', `model ${this.spec}: the answer stream ended before message_stop`, {
        retryable: true,
      });
    } catch (error) {
      throw toAnthropicModelError(error, { spec: this.spec, baseURL: this.baseURL, apiKey: this.apiKey, signal });
    }
  }
}

/** The response with what its `anthropic-ratelimit-*` headers say, when it has any. */
function withRateLimit(response: ModelResponse, headers: HeaderSource): ModelResponse {
  const rateLimit = anthropicRateLimit(headers);
  return rateLimit === undefined ? response : { ...response, rateLimit };
}

/**
 * Runs `call` with `console.warn` muted. `messages.create` warns on the
 * console, past the SDK's logger (which is off), on every call of a model id
 * the SDK lists as deprecated: at hundreds of calls that would flood fanout's
 * output. The warning is written synchronously inside `create`, before it
 * returns its promise, so muting exactly that synchronous call mutes nothing
 * else.
 */
function withoutConsoleWarnings<T>(call: () => T): T {
  const warn = console.warn;
  console.warn = () => {};
  try {
    return call();
  } finally {
    console.warn = warn;
  }
}

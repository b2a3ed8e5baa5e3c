/**
 * The Model contract: what the engine and the agent loop need from a chat
 * model, and nothing more. Types only — providers live beside it and the
 * engine never imports one directly.
 */

/** A text block in a message. */
export interface TextBlock {
  type: 'text';
  text: string;
}

/** A tool call the model asked for. `input` is the parsed JSON arguments. */
export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
  /**
   * Set by a provider when the model's arguments for this call were not a
   * JSON object (malformed, or cut off at the token limit); `input` is then
   * `{}`. The agent should answer the call with an error result carrying
   * this text instead of running the tool, so the model can try again.
   */
  inputError?: string;
}

/** The answer to a tool call, sent back to the model in a user message. */
export interface ToolResultBlock {
  type: 'tool_result';
  toolUseId: string;
  content: string;
  isError: boolean;
}

/** One block of a message's content. */
export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock;

/** One conversation turn. The system prompt is passed apart, in {@link ModelRequest.system}. */
export interface Message {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

/** A tool the model may call; `inputSchema` is a JSON Schema object. */
export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/**
 * Options for particular providers, keyed by provider name (`sim`, ...), as
 * the Vercel AI SDK's `providerOptions`: a provider reads its own entry and
 * ignores the others, so the contract does not know any of them. A task's
 * `sim:` block travels here, under `sim`.
 */
export type ProviderOptions = Readonly<Record<string, object | undefined>>;

/** Token counts of one model call. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

/** Why the model stopped producing this answer. */
export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'refusal' | 'other';

/** A streamed fragment, for live views. Providers call it as text arrives. */
export type ModelDelta = { type: 'text-delta'; text: string } | { type: 'tool-call'; name: string };

/**
 * One model call: the conversation so far, the tools the model may call and
 * the output limit. Provider-neutral; each provider translates it to its
 * wire format.
 */
export interface ModelRequest {
  /** The system prompt, sent apart from the messages. */
  system: string;
  messages: Message[];
  tools: ToolSpec[];
  /** Upper bound of output tokens for this call. */
  maxTokens: number;
  signal: AbortSignal;
  /** Options for particular providers, each read by its own provider only. */
  providerOptions?: ProviderOptions;
  /**
   * Called with fragments as they stream in. A provider may skip streaming
   * entirely when no listener is given (it is cheaper on the wire and CPU).
   */
  onDelta?: (delta: ModelDelta) => void;
}

/** One model answer, provider-neutral: what the agent loop acts on next. */
export interface ModelResponse {
  /** Text and tool_use blocks, in the order the model produced them. */
  content: Array<TextBlock | ToolUseBlock>;
  stopReason: StopReason;
  usage: Usage;
  /**
   * What the answer's rate-limit headers said (`anthropic-ratelimit-*`,
   * `x-ratelimit-*`), when it had any: the engine paces the endpoint's calls
   * by it, so fanout slows down before the limit rather than after.
   */
  rateLimit?: RateLimitInfo;
}

/** One limited resource as an answer's rate-limit headers state it. */
export interface RateLimitBucket {
  /** The limit per minute, when the server states it. */
  limit?: number;
  /** What is left now. */
  remaining: number;
  /** When the bucket is full again, ms since the epoch. */
  resetAt: number;
}

/**
 * An endpoint's rate limits as one answer states them. `tokens` is the
 * tightest of the token limits the server sends (all tokens, input, output).
 */
export interface RateLimitInfo {
  requests?: RateLimitBucket;
  tokens?: RateLimitBucket;
}

/**
 * A chat model with tool use. `generate` throws a FanoutError with code
 * `MODEL_ERROR` (and `retryable`, `retryAfterMs`, `status`) on failure, or
 * `ABORTED` when the signal fires. It does not retry by itself: the engine
 * owns retries and shared backoff.
 */
export interface Model {
  /** The spec it was resolved from, e.g. `sim` or `anthropic:claude-sonnet-5-5`. */
  readonly spec: string;
  /**
   * Provider key used for per-provider concurrency caps, shared backoff and
   * {@link ProviderOptions}; `sim` is the simulated model (see `isSimulated`).
   */
  readonly provider: string;
  /**
   * Who enforces this model's rate limits: its base URL and a hash of its
   * key (never the key itself). Models of one endpoint share one adaptive
   * window of calls in flight. Default: the provider key.
   */
  readonly endpoint?: string;
  generate(request: ModelRequest): Promise<ModelResponse>;
  /**
   * Checks, before a run records anything, that the model can be reached
   * (e.g. a TCP connection to its base URL). Throws FanoutError
   * `MODEL_CONFIG` naming the URL. Optional: models without an endpoint skip it.
   */
  preflight?(signal?: AbortSignal): Promise<void>;
}

/** Turns a model spec from a plan or a flag into a Model. */
export interface ModelResolver {
  /** Throws FanoutError `MODEL_CONFIG` naming the spec, a missing env var or the URL. */
  resolve(spec: string): Model;
  /** Releases servers and sockets (e.g. the in-process simulated server). */
  close(): Promise<void>;
}

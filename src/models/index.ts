/**
 * Models: the Model contract, the spec resolver and the providers behind
 * it. The conformance suite is not exported here: it imports vitest.
 */
export type {
  ContentBlock,
  Message,
  Model,
  ModelDelta,
  ModelRequest,
  ModelResolver,
  ModelResponse,
  ProviderOptions,
  StopReason,
  TextBlock,
  ToolResultBlock,
  ToolSpec,
  ToolUseBlock,
  Usage,
} from '../contracts/model.js';
export type { SimOptions, SimStep } from '../contracts/sim-options.js';
export { AnthropicModel, type AnthropicModelOptions } from './anthropic/anthropic-model.js';
export { ANTHROPIC_DEFAULT_BASE_URL, OPENAI_DEFAULT_BASE_URL } from './provider-endpoints.js';
export { toAnthropicModelError } from './anthropic/anthropic-errors.js';
export {
  OpenAIModel,
  type OpenAIModelOptions,
  type TokenLimitParam,
} from './openai/openai-model.js';
export { toOpenAIModelError } from './openai/openai-errors.js';
export { createNodeFetch, type FetchFunction, type NodeFetch } from './http/node-fetch.js';
export {
  connectionErrorCode,
  describeConnectionFailure,
  httpRetryAdvice,
  isRetryableConnectionCode,
  isRetryableStatus,
  oneLine,
  retryAfterMs,
} from './http/http-errors.js';
export {
  classifySdkTransportError,
  type SdkTransportErrorClasses,
  type ProviderErrorContext,
} from './http/sdk-transport-errors.js';
export {
  createEndpointReachability,
} from './http/endpoint-reachability.js';
export {
  createModelResolver,
  defaultModelSpec,
  type ModelResolverOptions,
} from './resolver.js';

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
  SimOptions,
  SimStep,
  StopReason,
  TextBlock,
  ToolResultBlock,
  ToolSpec,
  ToolUseBlock,
  Usage,
} from './model.js';
export { AnthropicModel, type AnthropicModelOptions } from './anthropic/anthropic-model.js';
export { toAnthropicModelError, type AnthropicErrorContext } from './anthropic/anthropic-errors.js';
export { createNodeFetch, type FetchFunction, type NodeFetch, type NodeFetchOptions } from './http/node-fetch.js';
export {
  connectionErrorCode,
  isRetryableConnectionCode,
  isRetryableStatus,
  oneLine,
  retryAfterMs,
  type HeaderSource,
} from './http/http-errors.js';
export {
  createModelResolver,
  defaultModelSpec,
  type ModelResolverOptions,
  type ProviderContext,
  type ProviderEntry,
} from './resolver.js';

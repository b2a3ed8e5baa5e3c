import Anthropic, { APIError } from '@anthropic-ai/sdk';
import { FanoutError } from '../../contracts/errors.js';
import { oneLine } from '../http/http-errors.js';
import { fromSdkApiError } from '../http/sdk-api-error.js';
import { classifySdkTransportError, transportErrorClassesOf, type ProviderErrorContext } from '../http/sdk-transport-errors.js';

/** What the classifier needs to know about the failed call. */
export type AnthropicErrorContext = ProviderErrorContext;

const SDK_TRANSPORT_ERRORS = transportErrorClassesOf(Anthropic);

/** Error types of a streamed `event: error` that a later attempt may get past. */
const RETRYABLE_STREAM_ERROR_TYPES = new Set(['overloaded_error', 'rate_limit_error', 'api_error', 'timeout_error']);

/**
 * Turns whatever the Anthropic SDK threw into a FanoutError: `ABORTED` when
 * the caller's signal fired, otherwise `MODEL_ERROR` with `status`,
 * `retryable` and `retryAfterMs`, and a one-line message that names the
 * spec, the HTTP status and the API's own message (never the API key).
 */
export function toAnthropicModelError(error: unknown, context: AnthropicErrorContext): FanoutError {
  const { spec, baseURL, apiKey } = context;
  const line = (text: string): string => oneLine(`model ${spec}: ${text}`, apiKey);
  const transport = classifySdkTransportError(error, SDK_TRANSPORT_ERRORS, { baseURL, signal: context.signal, line });
  if (transport !== undefined) return transport;
  if (error instanceof APIError) {
    const type = error.type ?? undefined;
    const streamRetryable = type !== undefined && RETRYABLE_STREAM_ERROR_TYPES.has(type);
    return fromSdkApiError({ error, type, detail: error.apiMessage ?? error.message, line, streamRetryable });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new FanoutError('MODEL_ERROR', line(message), { cause: error });
}

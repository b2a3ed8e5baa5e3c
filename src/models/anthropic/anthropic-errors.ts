import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { FanoutError } from '../../contracts/errors.js';
import { httpRetryAdvice, oneLine } from '../http/http-errors.js';
import {
  classifySdkTransportError,
  type ProviderErrorContext,
  type SdkTransportErrorClasses,
} from '../http/sdk-transport-errors.js';

/** What the classifier needs to know about the failed call. */
export type AnthropicErrorContext = ProviderErrorContext;

const SDK_TRANSPORT_ERRORS: SdkTransportErrorClasses = {
  userAbort: APIUserAbortError,
  connectionTimeout: APIConnectionTimeoutError,
  connection: APIConnectionError,
};

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
    const detail = error.apiMessage ?? error.message;
    if (error.status === undefined) {
      const retryable = type !== undefined && RETRYABLE_STREAM_ERROR_TYPES.has(type);
      return new FanoutError('MODEL_ERROR', line(`stream failed: ${type ?? 'error'}: ${detail}`), {
        cause: error,
        retryable,
      });
    }
    const status = error.status;
    const { retryable, retryAfterMs: waitMs } = httpRetryAdvice(status, error.headers);
    const wait = waitMs === undefined ? '' : ` (retry after ${waitMs} ms)`;
    return new FanoutError('MODEL_ERROR', line(`HTTP ${status}${type ? ` ${type}` : ''}: ${detail}${wait}`), {
      cause: error,
      status,
      retryable,
      retryAfterMs: waitMs,
    });
  }
  if (error instanceof SyntaxError) {
    return new FanoutError('MODEL_ERROR', line(`the API answered with malformed JSON (${error.message})`), {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new FanoutError('MODEL_ERROR', line(message), { cause: error });
}

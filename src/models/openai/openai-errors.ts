import OpenAI, { APIError } from 'openai';
import { FanoutError } from '../../contracts/errors.js';
import { isRetryableStatus, oneLine } from '../http/http-errors.js';
import { fromSdkApiError } from '../http/sdk-api-error.js';
import { classifySdkTransportError, transportErrorClassesOf, type ProviderErrorContext } from '../http/sdk-transport-errors.js';

/** What the classifier needs to know about the failed call. */
export type OpenAIErrorContext = ProviderErrorContext;

const SDK_TRANSPORT_ERRORS = transportErrorClassesOf(OpenAI);

/** `error.type` values of an error sent inside a stream that a later attempt may get past. */
const RETRYABLE_STREAM_ERROR_TYPES = new Set(['server_error', 'rate_limit_error', 'overloaded_error', 'api_error', 'timeout_error']);

/**
 * Turns whatever the OpenAI SDK threw into a FanoutError: `ABORTED` when
 * the caller's signal fired, otherwise `MODEL_ERROR` with `status`,
 * `retryable` and `retryAfterMs`, and a one-line message that names the
 * spec, the HTTP status and the server's own message (never the API key).
 *
 * The key is removed from what the server and the SDK said, not from the
 * spec and URL fanout names: local servers take any key, and a key such as
 * `ollama` may well be part of the host name.
 */
export function toOpenAIModelError(error: unknown, context: OpenAIErrorContext): FanoutError {
  const { spec, baseURL, apiKey } = context;
  const line = (text: string): string => oneLine(`model ${spec}: ${text}`);
  const said = (text: string): string => oneLine(text, apiKey);
  const transport = classifySdkTransportError(error, SDK_TRANSPORT_ERRORS, { baseURL, signal: context.signal, line, said });
  if (transport !== undefined) return transport;
  if (error instanceof APIError) return fromApiError(error, baseURL, line, said);
  const message = error instanceof Error ? error.message : String(error);
  return new FanoutError('MODEL_ERROR', line(said(message)), { cause: error });
}

function fromApiError(error: APIError, baseURL: string, line: (text: string) => string, said: (text: string) => string): FanoutError {
  const type = error.type ?? undefined;
  // An error sent inside a stream: some servers (vLLM, OpenRouter) give its HTTP status as a numeric `code`.
  const code: unknown = error.code;
  const streamRetryable =
    typeof code === 'number' ? isRetryableStatus(code) : type !== undefined && RETRYABLE_STREAM_ERROR_TYPES.has(type);
  // A 404 from a compatible server is most often a base URL without its `/v1` or a model that is not installed.
  const hint = error.status === 404 ? ` (check the base URL ${baseURL} and the model name)` : '';
  return fromSdkApiError({ error, type, detail: said(apiMessage(error)), line, streamRetryable, hint });
}

/**
 * The server's own message: `error.message` of the JSON body, else the
 * SDK's message without the status it starts with (it holds the raw body of
 * a non-JSON answer, e.g. `404 page not found`).
 */
function apiMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (typeof body?.message === 'string' && body.message !== '') return body.message;
  const prefix = error.status === undefined ? '' : `${error.status} `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

import { FanoutError } from '../../contracts/errors.js';
import { httpRetryAdvice, type HeaderSource } from './http-errors.js';

/** What both SDKs' `APIError` carry: an HTTP status, or none for an error sent inside a stream. */
export interface SdkApiErrorFacts {
  error: Error & { status: number | undefined; headers: HeaderSource | undefined };
  /** The API's `error.type`, when it sent one. */
  type: string | undefined;
  /** The API's own message, already cleaned of the key. */
  detail: string;
  /** Makes the final one-line message (`model <spec>: <text>`). */
  line: (text: string) => string;
  /** For an error inside a stream (no status): whether a later attempt may get past it. */
  streamRetryable: boolean;
  /** Appended to an HTTP error's message (a hint at the likely cause). */
  hint?: string;
}

/**
 * The `MODEL_ERROR` for an SDK `APIError`: an error inside a stream with the
 * provider's verdict on retrying, or an HTTP error answer with `status`,
 * `retryable` and `retryAfterMs` from the status and its headers.
 */
export function fromSdkApiError(facts: SdkApiErrorFacts): FanoutError {
  const { error, type, detail, line } = facts;
  if (error.status === undefined) {
    return new FanoutError('MODEL_ERROR', line(`stream failed: ${type ?? 'error'}: ${detail}`), {
      cause: error,
      retryable: facts.streamRetryable,
    });
  }
  const status = error.status;
  const { retryable, retryAfterMs } = httpRetryAdvice(status, error.headers);
  const wait = retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`;
  return new FanoutError('MODEL_ERROR', line(`HTTP ${status}${type ? ` ${type}` : ''}: ${detail}${wait}${facts.hint ?? ''}`), {
    cause: error,
    status,
    retryable,
    retryAfterMs,
  });
}

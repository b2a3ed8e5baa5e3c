import { FanoutError } from '../../contracts/errors.js';
import { findLateAnswer } from './late-answer.js';
import { connectionErrorCode, describeConnectionFailure, isRetryableConnectionCode } from './http-errors.js';

/** A class an error can be tested against with `instanceof`. */
type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The transport error classes of an SDK. The Anthropic and OpenAI SDKs are
 * generated from the same template, so each has its own classes of the same
 * names and meaning.
 */
export interface SdkTransportErrorClasses {
  /** Thrown when the request's signal fired (`APIUserAbortError`). */
  userAbort: ErrorClass;
  /** The request timed out (`APIConnectionTimeoutError`, a subclass of the next one). */
  connectionTimeout: ErrorClass;
  /** No HTTP answer: the connection failed (`APIConnectionError`); the system error is along its `cause`. */
  connection: ErrorClass;
}

/** The transport error classes an SDK's client class carries as statics (as both SDKs' do). */
export function transportErrorClassesOf(sdk: {
  APIUserAbortError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
  APIConnectionError: ErrorClass;
}): SdkTransportErrorClasses {
  return { userAbort: sdk.APIUserAbortError, connectionTimeout: sdk.APIConnectionTimeoutError, connection: sdk.APIConnectionError };
}

/** What a provider's error classifier needs to know about the failed call. */
export interface ProviderErrorContext {
  /** The model spec, named at the start of every message. */
  spec: string;
  /** The API base URL, named when the connection failed (or the server has no such route). */
  baseURL: string;
  /** Removed from every text the server or the SDK produced, should it echo the key. */
  apiKey?: string;
  /** The caller's signal: when it fired, any failure is an abort. */
  signal?: AbortSignal;
}

/** How the provider words what it reports. */
export interface SdkTransportErrorContext {
  /** The API base URL, named when the connection failed. */
  baseURL: string;
  /** The caller's signal: when it fired, any failure is an abort. */
  signal?: AbortSignal;
  /** Makes the final one-line message (`model <spec>: <text>`). */
  line: (text: string) => string;
  /** Cleans a text that the SDK produced (removes the API key); not needed when `line` does. */
  said?: (text: string) => string;
}

/**
 * The part of SDK error classification both providers share: `ABORTED` when
 * the caller's signal fired (whatever the SDK made of it), a FanoutError as
 * it is, and `MODEL_ERROR` for a timed-out, stalled or failed connection (retryable
 * when a later attempt may get past it) and for an answer that is not valid
 * JSON (retryable). Undefined for everything else (HTTP error answers, errors
 * inside a stream), which each provider maps in its own way.
 */
export function classifySdkTransportError(
  error: unknown,
  classes: SdkTransportErrorClasses,
  context: SdkTransportErrorContext,
): FanoutError | undefined {
  const { baseURL, line, said = (text: string) => text } = context;
  // Whatever the SDK made of it (an abort error, a quietly ended stream, the signal's reason), a fired signal is an abort.
  if (context.signal?.aborted === true || error instanceof classes.userAbort || isAbortError(error)) {
    return new FanoutError('ABORTED', line('call aborted'), { cause: error });
  }
  if (error instanceof FanoutError) return error;
  // fanout's fetch gave up on a stalled or overlong answer: wrapped by the SDK or not, a later attempt may get through.
  const timeout = findLateAnswer(error);
  if (timeout !== undefined) {
    return new FanoutError('MODEL_ERROR', line(`${timeout.message} from ${baseURL}`), { cause: error, retryable: true });
  }
  if (error instanceof classes.connectionTimeout) {
    return new FanoutError('MODEL_ERROR', line(`request to ${baseURL} timed out`), { cause: error, retryable: true });
  }
  // An answer whose body ends where the connection closed (no length announced) reaches the SDK whole but cut
  // short: the reset shows as a parse error. A later attempt may get the whole answer.
  if (error instanceof SyntaxError) {
    return new FanoutError('MODEL_ERROR', line(`the server answered with malformed JSON, perhaps cut short (${said(error.message)})`), {
      cause: error,
      retryable: true,
    });
  }
  if (error instanceof classes.connection) {
    const code = connectionErrorCode(error.cause);
    return new FanoutError('MODEL_ERROR', line(describeConnectionFailure(baseURL, code, said(error.message))), {
      cause: error,
      retryable: isRetryableConnectionCode(code),
    });
  }
  return undefined;
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** A 200 answer with an empty body: retryable, as a body cut short is. */
export function emptyAnswer(spec: string): FanoutError {
  return new FanoutError('MODEL_ERROR', `model ${spec}: the server answered with an empty body`, { retryable: true });
}

import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { describe, expect, it } from 'vitest';
import { FanoutError } from '../../contracts/errors.js';
import { toOpenAIModelError } from './openai-errors.js';

const context = { spec: 'openai:gpt-4o', baseURL: 'http://127.0.0.1:11434/v1', apiKey: 'sk-secret-0123456789' };

/** An error object sent inside a stream, as the SDK raises it (no status, no headers). */
const streamError = (error: Record<string, unknown>) => new APIError(undefined, error, undefined, undefined);

describe('toOpenAIModelError', () => {
  it('classifies HTTP errors by status, x-should-retry and retry-after', () => {
    const rateLimited = toOpenAIModelError(
      APIError.generate(429, { error: { message: 'Slow down', type: 'rate_limit_error' } }, undefined, new Headers({ 'retry-after': '2' })),
      context,
    );
    expect(rateLimited).toMatchObject({ code: 'MODEL_ERROR', status: 429, retryable: true, retryAfterMs: 2000 });
    expect(rateLimited.message).toBe('model openai:gpt-4o: HTTP 429 rate_limit_error: Slow down (retry after 2000 ms)');
    const bad = toOpenAIModelError(APIError.generate(400, { error: { message: 'bad tools' } }, undefined, new Headers()), context);
    expect(bad).toMatchObject({ status: 400, retryable: false });
    const told = toOpenAIModelError(
      APIError.generate(400, { error: { message: 'try again' } }, undefined, new Headers({ 'x-should-retry': 'true' })),
      context,
    );
    expect(told.retryable).toBe(true);
  });

  it('shows the raw body of a non-JSON error once, with a hint on 404', () => {
    // The SDK starts its message with the status; the body (Go servers answer `404 page not found`) follows.
    const error = toOpenAIModelError(APIError.generate(404, undefined, 'no such route', new Headers()), context);
    expect(error.message).toBe(
      'model openai:gpt-4o: HTTP 404: no such route (check the base URL http://127.0.0.1:11434/v1 and the model name)',
    );
  });

  it('classifies an error inside a stream by its numeric code, else by its type', () => {
    expect(toOpenAIModelError(streamError({ message: 'upstream down', code: 502 }), context).retryable).toBe(true);
    expect(toOpenAIModelError(streamError({ message: 'bad input', code: 400 }), context).retryable).toBe(false);
    const server = toOpenAIModelError(streamError({ message: 'oops', type: 'server_error' }), context);
    expect(server).toMatchObject({ retryable: true, status: undefined });
    expect(server.message).toBe('model openai:gpt-4o: stream failed: server_error: oops');
    expect(toOpenAIModelError(streamError({ message: 'no', type: 'invalid_request_error' }), context).retryable).toBe(false);
  });

  it('removes the key from what the server said', () => {
    const error = toOpenAIModelError(
      APIError.generate(401, { error: { message: `Incorrect API key provided: ${context.apiKey}` } }, undefined, new Headers()),
      context,
    );
    expect(error.message).toBe('model openai:gpt-4o: HTTP 401: Incorrect API key provided: [redacted]');
  });

  it('makes connection failures and timeouts retryable and names the URL', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const connection = toOpenAIModelError(new APIConnectionError({ cause: refused }), context);
    expect(connection).toMatchObject({ code: 'MODEL_ERROR', retryable: true });
    expect(connection.message).toContain('cannot connect to http://127.0.0.1:11434/v1 (connection refused)');
    const unknownHost = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    expect(toOpenAIModelError(new APIConnectionError({ cause: unknownHost }), context).retryable).toBe(false);
    expect(toOpenAIModelError(new APIConnectionTimeoutError(), context)).toMatchObject({ retryable: true, message: expect.stringContaining('timed out') });
  });

  it('is ABORTED for a user abort, an AbortError or any failure once the signal fired', () => {
    expect(toOpenAIModelError(new APIUserAbortError(), context).code).toBe('ABORTED');
    expect(toOpenAIModelError(new DOMException('aborted', 'AbortError'), context).code).toBe('ABORTED');
    const controller = new AbortController();
    controller.abort();
    expect(toOpenAIModelError(new Error('socket hang up'), { ...context, signal: controller.signal }).code).toBe('ABORTED');
  });

  it('keeps FanoutErrors, reports malformed JSON as retryable (perhaps cut short) and anything else as not retryable', () => {
    const own = new FanoutError('MODEL_ERROR', 'stream ended', { retryable: true });
    expect(toOpenAIModelError(own, context)).toBe(own);
    const json = toOpenAIModelError(new SyntaxError('Unexpected token < in JSON'), context);
    expect(json).toMatchObject({ code: 'MODEL_ERROR', retryable: true });
    expect(json.message).toContain('malformed JSON');
    expect(toOpenAIModelError(new TypeError('odd'), context)).toMatchObject({ code: 'MODEL_ERROR', retryable: false });
    expect(toOpenAIModelError('weird', context).message).toBe('model openai:gpt-4o: weird');
  });
});

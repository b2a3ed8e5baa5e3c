import * as anthropic from '@anthropic-ai/sdk';
import * as openai from 'openai';
import { describe, expect, it } from 'vitest';
import { FanoutError } from '../../contracts/errors.js';
import { classifySdkTransportError, transportErrorClassesOf, type SdkTransportErrorClasses } from './sdk-transport-errors.js';

/** An SDK's classes, and makers of the errors it throws. */
interface Sdk {
  classes: SdkTransportErrorClasses;
  connection(message: string, cause: Error): Error;
  timeout(): Error;
  abort(): Error;
  http500(): Error;
}

const sdks: Array<[string, Sdk]> = [
  [
    'anthropic',
    {
      // the client class's statics, as the provider passes them
      classes: transportErrorClassesOf(anthropic.default),
      connection: (message, cause) => new anthropic.APIConnectionError({ message, cause }),
      timeout: () => new anthropic.APIConnectionTimeoutError(),
      abort: () => new anthropic.APIUserAbortError(),
      http500: () => anthropic.APIError.generate(500, undefined, 'boom', new Headers()),
    },
  ],
  [
    'openai',
    {
      classes: transportErrorClassesOf(openai.default),
      connection: (message, cause) => new openai.APIConnectionError({ message, cause }),
      timeout: () => new openai.APIConnectionTimeoutError(),
      abort: () => new openai.APIUserAbortError(),
      http500: () => openai.APIError.generate(500, undefined, 'boom', new Headers()),
    },
  ],
];

const context = { baseURL: 'http://127.0.0.1:9', line: (text: string) => `model m: ${text}`, said: (text: string) => text.replace('KEY', '[redacted]') };

describe.each(sdks)('classifySdkTransportError (%s SDK classes)', (_name, sdk) => {
  const { classes } = sdk;
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

  it('reports a failed connection with the base URL, cleaned by said, retryable by its code', () => {
    const error = classifySdkTransportError(sdk.connection('KEY', refused), classes, context);
    expect(error).toMatchObject({ code: 'MODEL_ERROR', retryable: true });
    expect(error?.message).toBe('model m: cannot connect to http://127.0.0.1:9 (connection refused): is the server running and the base URL right?');
    const other = classifySdkTransportError(sdk.connection('socket KEY', new Error('x')), classes, context);
    expect(other?.message).toBe('model m: connection to http://127.0.0.1:9 failed (socket [redacted])');
  });

  it('reports a timeout as retryable, and an abort (or a fired signal) as ABORTED', () => {
    expect(classifySdkTransportError(sdk.timeout(), classes, context)).toMatchObject({
      code: 'MODEL_ERROR',
      retryable: true,
      message: 'model m: request to http://127.0.0.1:9 timed out',
    });
    expect(classifySdkTransportError(sdk.abort(), classes, context)?.code).toBe('ABORTED');
    const fired = AbortSignal.abort();
    expect(classifySdkTransportError(new Error('anything'), classes, { ...context, signal: fired })?.code).toBe('ABORTED');
  });

  it('keeps a FanoutError, and leaves HTTP errors and the rest to the provider', () => {
    const own = new FanoutError('MODEL_ERROR', 'mine');
    expect(classifySdkTransportError(own, classes, context)).toBe(own);
    expect(classifySdkTransportError(sdk.http500(), classes, context)).toBeUndefined();
    expect(classifySdkTransportError(new TypeError('something else'), classes, context)).toBeUndefined();
  });

  it('reports malformed JSON as retryable, cleaned by said: the answer may have been cut short', () => {
    const error = classifySdkTransportError(new SyntaxError('Unexpected token KEY in JSON'), classes, context);
    expect(error).toMatchObject({ code: 'MODEL_ERROR', retryable: true });
    expect(error?.message).toBe('model m: the server answered with malformed JSON, perhaps cut short (Unexpected token [redacted] in JSON)');
  });
});

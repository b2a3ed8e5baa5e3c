import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFetch, type FetchFunction } from '../http/node-fetch.js';
import { describeProviderConformance } from '../provider-conformance.js';
import { SIM_DIRECTIVE_TAG, startSimServer, type SimServer } from '../sim/index.js';
import { SimModel } from '../sim/sim-model.js';
import { closedPort, promptRequest as request, rejection } from '../test-support/provider-test-helpers.js';
import { OpenAIModel, type OpenAIModelOptions } from './openai-model.js';

describeProviderConformance('OpenAIModel over the lean fetch', (url) => {
  const http = createNodeFetch();
  const model = new OpenAIModel({ spec: 'openai:sim', modelId: 'sim', apiKey: 'test-key', baseURL: `${url}/v1`, fetch: http.fetch });
  return { model, close: () => http.close() };
});

describeProviderConformance('OpenAIModel over the global fetch', (url) => ({
  model: new OpenAIModel({ spec: 'openai:sim', modelId: 'sim', apiKey: 'test-key', baseURL: `${url}/v1` }),
}));

/** A request body the SDK sent, as the server received it. */
interface SentBody {
  model: string;
  messages: Array<{ role: string; content: unknown; tool_call_id?: string; tool_calls?: unknown[] }>;
  max_tokens?: number;
  max_completion_tokens?: number;
  stream?: boolean;
  stream_options?: unknown;
  tools?: unknown[];
}

describe('OpenAIModel', () => {
  let server: SimServer;
  const http = createNodeFetch();
  const sent: SentBody[] = [];
  /** Forwards every call to the simulated server, whatever host the SDK aimed at, and keeps the bodies. */
  const recording: FetchFunction = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (typeof init?.body === 'string') sent.push(JSON.parse(init.body) as SentBody);
    return http.fetch(`${server.url}${url.pathname}${url.search}`, init);
  };
  const lastSent = (): SentBody => sent.at(-1)!;

  beforeAll(async () => {
    server = await startSimServer();
  });
  afterAll(async () => {
    http.close();
    await server.close();
  });

  const model = (options: Partial<OpenAIModelOptions> = {}): OpenAIModel =>
    new OpenAIModel({ spec: 'sim:openai', modelId: 'sim', apiKey: 'k', baseURL: `${server.url}/v1`, fetch: recording, ...options });
  /** The simulated provider over this wire: it adds the sim directive. */
  const simulated = (options: Partial<OpenAIModelOptions> = {}): SimModel => new SimModel('sim:openai', model(options));

  it('labels itself by spec and provider', () => {
    expect(new OpenAIModel({ spec: 'openai:gpt-4o', modelId: 'gpt-4o', apiKey: 'k' })).toMatchObject({
      spec: 'openai:gpt-4o',
      provider: 'openai',
    });
    expect(model({ provider: 'sim' })).toMatchObject({ spec: 'sim:openai', provider: 'sim' });
    expect(model({ provider: 'ollama' }).provider).toBe('ollama');
  });

  it('sends the system prompt (with the sim directive the simulated provider adds) as a system message, and max_tokens to a compatible server', async () => {
    await simulated().generate(request('Hello.', { providerOptions: { sim: { output: 'Hi.' } } }));
    const body = lastSent();
    expect(body.messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(body.messages[0]!.content).toBe(`You are a test.\n\n<${SIM_DIRECTIVE_TAG}>{"output":"Hi.","kind":"task"}</${SIM_DIRECTIVE_TAG}>`);
    expect(body).toMatchObject({ model: 'sim', max_tokens: 256 });
    expect(body.max_completion_tokens).toBeUndefined();
    expect(body.tools).toBeUndefined();
  });

  it('uses max_completion_tokens for OpenAI itself, unless told otherwise', async () => {
    const openai = { baseURL: 'https://api.openai.com/v1' };
    await model(openai).generate(request('Limit?'));
    expect(lastSent()).toMatchObject({ max_completion_tokens: 256 });
    expect(lastSent().max_tokens).toBeUndefined();
    await model({ ...openai, tokenLimitParam: 'max_tokens' }).generate(request('Limit again?'));
    expect(lastSent()).toMatchObject({ max_tokens: 256 });
  });

  it('asks for usage when it streams', async () => {
    const response = await simulated().generate(request('Stream.', { providerOptions: { sim: { output: 'Streamed.', outputTokens: 3 } }, onDelta: () => {} }));
    expect(lastSent()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(response.usage.outputTokens).toBe(3);
  });

  it('sends an error tool result with an Error: prefix, since the wire format has no error flag', async () => {
    const call = { type: 'tool_use' as const, id: 'call_1', name: 'read_file', input: { path: 'x.ts' } };
    await model().generate(
      request('Read x.ts.', {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Read x.ts.' }] },
          { role: 'assistant', content: [call] },
          { role: 'user', content: [{ type: 'tool_result', toolUseId: 'call_1', content: '"x.ts" does not exist', isError: true }] },
        ],
      }),
    );
    expect(lastSent().messages.slice(-2)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"x.ts"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'Error: "x.ts" does not exist' },
    ]);
  });

  it('sends no sim options: only the simulated provider sends them', async () => {
    const real = model({ spec: 'openai:sim' });
    expect(real.provider).toBe('openai');
    const response = await real.generate(request('Summarize the task.', { providerOptions: { sim: { output: 'SCRIPTED' } } }));
    expect(lastSent().messages.map((message) => message.role)).toEqual(['system', 'user']);
    const text = response.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    expect(text).toContain('(simulated) test finished: Summarize the task.');
  });

  it('names the URL when nothing listens there, even when the key is part of it', async () => {
    const port = await closedPort();
    const baseURL = `http://127.0.0.1:${port}/v1`;
    // Local servers take any key; one that happens to be in the URL must not hide the URL.
    const unreachable = new OpenAIModel({ spec: 'openai:x', modelId: 'x', apiKey: '127.0.0.1', baseURL, fetch: http.fetch });
    const error = await rejection(unreachable.generate(request('Hello?')));
    expect(error).toMatchObject({ code: 'MODEL_ERROR', retryable: true });
    expect(error.message).toBe(
      `model openai:x: cannot connect to ${baseURL} (connection refused): is the server running and the base URL right?`,
    );
  });

  it('points at the base URL when the server has no such route (a missing /v1)', async () => {
    const error = await rejection(model({ baseURL: server.url, fetch: http.fetch }).generate(request('Route?')));
    expect(error).toMatchObject({ code: 'MODEL_ERROR', status: 404, retryable: false });
    expect(error.message).toContain(`check the base URL ${server.url} and the model name`);
  });

  it('turns a request timeout into a retryable MODEL_ERROR', async () => {
    const error = await rejection(simulated({ timeoutMs: 50 }).generate(request('Slow.', { providerOptions: { sim: { latencyMs: 10_000 } } })));
    expect(error).toMatchObject({ code: 'MODEL_ERROR', retryable: true });
    expect(error.message).toContain('timed out');
  });

  it('never puts the API key in an error message, even when the server echoes it', async () => {
    const apiKey = 'sk-proj-secret-0123456789';
    // The simulated server rejects an unknown directive key and names it in its 400 message.
    const error = await rejection(simulated({ apiKey }).generate(request('Echo the key.', { providerOptions: { sim: { [apiKey]: true } } })));
    expect(error).toMatchObject({ code: 'MODEL_ERROR', status: 400, retryable: false });
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(apiKey);
  });
});

import httpServer from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFetch } from '../http/node-fetch.js';
import { describeProviderConformance } from '../provider-conformance.js';
import { startSimServer, type SimServer } from '../sim/index.js';
import { SimModel } from '../sim/sim-model.js';
import { closedPort, promptRequest as request, rejection } from '../test-support/provider-test-helpers.js';
import { AnthropicModel } from './anthropic-model.js';

describeProviderConformance('AnthropicModel over the lean fetch', (url) => {
  const http = createNodeFetch();
  const model = new AnthropicModel({ spec: 'anthropic:sim', modelId: 'sim', apiKey: 'test-key', baseURL: url, fetch: http.fetch });
  return { model, close: () => http.close() };
});

describeProviderConformance('AnthropicModel over the global fetch', (url) => ({
  model: new AnthropicModel({ spec: 'anthropic:sim', modelId: 'sim', apiKey: 'test-key', baseURL: url }),
}));

describe('AnthropicModel', () => {
  let server: SimServer;
  const http = createNodeFetch();

  beforeAll(async () => {
    server = await startSimServer();
  });
  afterAll(async () => {
    http.close();
    await server.close();
  });

  it('labels itself by spec and provider', () => {
    const real = new AnthropicModel({ spec: 'anthropic:claude-x', modelId: 'claude-x', apiKey: 'k' });
    expect(real).toMatchObject({ spec: 'anthropic:claude-x', provider: 'anthropic' });
    const sim = new AnthropicModel({ spec: 'sim', modelId: 'sim', apiKey: 'k', provider: 'sim' });
    expect(sim).toMatchObject({ provider: 'sim' });
  });

  it('sends no sim options: only the simulated provider sends them', async () => {
    const model = new AnthropicModel({ spec: 'anthropic:sim', modelId: 'sim', apiKey: 'k', baseURL: server.url, fetch: http.fetch });
    const response = await model.generate(request('Summarize the task.', { providerOptions: { sim: { output: 'SCRIPTED' } } }));
    const text = response.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    expect(text).not.toBe('SCRIPTED');
    expect(text.length).toBeGreaterThan(0);
  });

  it('sends the Messages API body: system, messages, max_tokens and each tool definition, frozen or not', async () => {
    const bodies: unknown[] = [];
    const capture = httpServer.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        bodies.push({ contentType: req.headers['content-type'], body: JSON.parse(body) as unknown });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [{ type: 'text', text: 'ok' }],
          stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } }));
      });
    });
    await new Promise<void>((resolve) => capture.listen(0, '127.0.0.1', resolve));
    const baseURL = `http://127.0.0.1:${(capture.address() as net.AddressInfo).port}`;
    try {
      const model = new AnthropicModel({ spec: 'anthropic:m', modelId: 'm', apiKey: 'k', baseURL, fetch: http.fetch });
      const frozen = Object.freeze({
        name: 'read_file',
        description: 'Reads.',
        inputSchema: Object.freeze({ type: 'object', properties: Object.freeze({ path: Object.freeze({ type: 'string' }) }) }),
      });
      const plain = { name: 'grep', description: 'Greps.', inputSchema: { type: 'object' } };
      for (let call = 0; call < 2; call++) {
        plain.description = `Greps, call ${call}.`;
        await model.generate(request('Hi.', { tools: [frozen, plain], maxTokens: 99 }));
      }
      expect(bodies).toEqual([0, 1].map((call) => ({
        contentType: 'application/json',
        body: {
          model: 'm',
          max_tokens: 99,
          system: [{ type: 'text', text: 'You are a test.' }],
          messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi.' }] }],
          stream: false,
          tools: [
            { name: 'read_file', description: 'Reads.', input_schema: { type: 'object', properties: { path: { type: 'string' } } } },
            { name: 'grep', description: `Greps, call ${call}.`, input_schema: { type: 'object' } },
          ],
        },
      })));
    } finally {
      await new Promise<void>((resolve) => capture.close(() => resolve()));
    }
  });

  it('names the URL when nothing listens there', async () => {
    const port = await closedPort();
    const baseURL = `http://127.0.0.1:${port}`;
    const model = new AnthropicModel({ spec: 'anthropic:x', modelId: 'x', apiKey: 'k', baseURL, fetch: http.fetch });
    const error = await rejection(model.generate(request('Hello?')));
    expect(error.code).toBe('MODEL_ERROR');
    expect(error.message).toContain(baseURL);
    expect(error.message).toContain('connection refused');
    expect(error.retryable).toBe(true);
  });

  it('turns a request timeout into a retryable MODEL_ERROR', async () => {
    const model = new SimModel('sim', new AnthropicModel({ spec: 'sim', modelId: 'sim', apiKey: 'k', baseURL: server.url, fetch: http.fetch, timeoutMs: 50 }));
    const error = await rejection(model.generate(request('Slow.', { providerOptions: { sim: { latencyMs: 10_000 } } })));
    expect(error).toMatchObject({ code: 'MODEL_ERROR', retryable: true });
    expect(error.message).toContain('timed out');
  });

  it('never puts the API key in an error message, even when the API echoes it', async () => {
    const apiKey = 'sk-ant-secret-0123456789';
    const model = new SimModel('sim', new AnthropicModel({ spec: 'sim', modelId: 'sim', apiKey, baseURL: server.url, fetch: http.fetch }));
    // The simulated server rejects an unknown directive key and names it in its 400 message.
    const error = await rejection(model.generate(request('Echo the key.', { providerOptions: { sim: { [apiKey]: true } } })));
    expect(error).toMatchObject({ code: 'MODEL_ERROR', status: 400, retryable: false });
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(apiKey);
  });
});

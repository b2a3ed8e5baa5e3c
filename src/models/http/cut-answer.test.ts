import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicModel } from '../anthropic/anthropic-model.js';
import { OpenAIModel } from '../openai/openai-model.js';
import { promptRequest, rejection } from '../test-support/provider-test-helpers.js';
import { createNodeFetch } from './node-fetch.js';

/**
 * A connection lost mid-answer, seen through each provider over fanout's
 * fetch: whatever the answer's framing, the call fails retryable, so the
 * engine tries again instead of failing the task.
 */
describe('an answer cut short by the connection', () => {
  const lean = createNodeFetch();
  let server: http.Server;
  let url: string;
  /** How the server cuts its next answer. */
  let cut: 'close-delimited' | 'announced-length' | 'empty' = 'close-delimited';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const start = '{"id":"msg_cut","type":"message","content":[{"type":"text","text":"';
        if (cut === 'close-delimited') {
          // No length announced and the connection closes after the body: the close ends the body, cut short.
          res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
          res.end(start);
        } else if (cut === 'empty') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '0' });
          res.end();
        } else {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(start.length * 4) });
          res.write(start, () => req.socket.destroy());
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });

  afterAll(async () => {
    lean.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const models = {
    anthropic: () => new AnthropicModel({ spec: 'anthropic:m', modelId: 'm', apiKey: 'k', baseURL: url, fetch: lean.fetch }),
    openai: () => new OpenAIModel({ spec: 'openai:m', modelId: 'm', apiKey: 'k', baseURL: `${url}/v1`, fetch: lean.fetch }),
  };

  for (const [name, model] of Object.entries(models)) {
    it(`${name}: a body ended by the connection's close, cut short, is a retryable MODEL_ERROR`, async () => {
      cut = 'close-delimited';
      const error = await rejection(model().generate(promptRequest('hi')));
      expect(error).toMatchObject({ code: 'MODEL_ERROR', retryable: true });
      expect(error.message).toContain('malformed JSON, perhaps cut short');
    });

    it(`${name}: a body shorter than its announced length is a retryable MODEL_ERROR`, async () => {
      cut = 'announced-length';
      const error = await rejection(model().generate(promptRequest('hi')));
      expect(error).toMatchObject({ code: 'MODEL_ERROR', retryable: true });
      expect(error.message).toContain('ECONNRESET');
    });

    it(`${name}: a 200 with an empty body is a retryable MODEL_ERROR that says so`, async () => {
      cut = 'empty';
      const error = await rejection(model().generate(promptRequest('hi')));
      expect(error).toMatchObject({ code: 'MODEL_ERROR', retryable: true, message: `model ${name}:m: the server answered with an empty body` });
    });
  }
});

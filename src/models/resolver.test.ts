import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import type { Model, ModelRequest, ModelResolver } from '../contracts/model.js';
import { isSimulated, type SimOptions } from '../contracts/sim-options.js';
import { ManualClock } from '../engine/manual-clock.js';
import { createModelResolver, defaultModelSpec } from './resolver.js';
import { startSimServer, type SimServer } from './sim/index.js';
import { closedPort, promptRequest } from './test-support/provider-test-helpers.js';

const request = (prompt: string, sim?: SimOptions): ModelRequest =>
  promptRequest(prompt, { providerOptions: sim === undefined ? undefined : { sim } });

const configError = (run: () => unknown): FanoutError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FanoutError);
    return error as FanoutError;
  }
  throw new Error('expected a FanoutError');
};

describe('defaultModelSpec', () => {
  it('uses Anthropic when its key is set, else the simulated model', () => {
    expect(defaultModelSpec({ ANTHROPIC_API_KEY: 'sk-x' })).toBe('anthropic:claude-sonnet-5-5');
    expect(defaultModelSpec({})).toBe('sim');
    expect(defaultModelSpec({ ANTHROPIC_API_KEY: '' })).toBe('sim');
    expect(defaultModelSpec({ OPENAI_API_KEY: 'sk-o' })).toBe('openai:gpt-4o');
    expect(defaultModelSpec({ OPENAI_API_KEY: 'sk-o', ANTHROPIC_API_KEY: 'sk-a' })).toBe('anthropic:claude-sonnet-5-5');
  });
});

describe('createModelResolver', () => {
  let external: SimServer;
  let resolver: ModelResolver;

  beforeAll(async () => {
    external = await startSimServer();
  });
  afterAll(() => external.close());
  afterEach(() => resolver?.close());

  it('resolves sim to the simulated model, served by an in-process server started on first use', async () => {
    resolver = createModelResolver({ env: {} });
    const model = resolver.resolve('sim');
    expect(model).toMatchObject({ spec: 'sim', provider: 'sim' });
    expect(isSimulated(model)).toBe(true);
    expect(resolver.resolve('sim')).toBe(model);
    const response = await model.generate(request('Hello.', { output: 'Hi from the sim.' }));
    expect(response.content).toEqual([{ type: 'text', text: 'Hi from the sim.' }]);
    expect(external.stats.requests).toBe(0);
  });

  it('accepts sim:anthropic as its own cached spec and refuses any other sim: variant in one line', async () => {
    resolver = createModelResolver({ env: {} });
    const model = resolver.resolve('sim:anthropic');
    expect(model).toMatchObject({ spec: 'sim:anthropic', provider: 'sim' });
    expect(isSimulated(model)).toBe(true);
    expect(resolver.resolve('sim:anthropic')).not.toBe(resolver.resolve('sim'));
    expect((await model.generate(request('Fast?', { output: 'Fast.' }))).content).toEqual([{ type: 'text', text: 'Fast.' }]);
    expect(() => resolver.resolve('sim:foo')).toThrow(
      expect.objectContaining({ code: 'MODEL_CONFIG', message: 'unknown simulated model "sim:foo": expected sim, sim:anthropic or sim:openai' }),
    );
  });

  it('uses a given simulated server instead of starting one', async () => {
    resolver = createModelResolver({ env: { FANOUT_SIM_URL: external.url } });
    const before = external.stats.requests;
    await resolver.resolve('sim').generate(request('External?', { output: 'Yes.' }));
    expect(external.stats.requests).toBe(before + 1);
  });

  it('stops its server on close() and starts a fresh one when used again', async () => {
    resolver = createModelResolver({ env: {} });
    const first = resolver.resolve('sim');
    await first.generate(request('One.'));
    await resolver.close();
    // A model kept from before close() still points at the stopped server.
    await expect(first.generate(request('Late.'))).rejects.toMatchObject({ code: 'MODEL_ERROR', message: /connection refused/ });
    const again = resolver.resolve('sim');
    expect((await again.generate(request('Two.', { output: 'Two.' }))).content).toEqual([{ type: 'text', text: 'Two.' }]);
  });

  it('resolves anthropic:<id> with the key and base URL from the environment', async () => {
    resolver = createModelResolver({ env: { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: external.url } });
    const model = resolver.resolve('anthropic:claude-sonnet-5-5');
    expect(model).toMatchObject({ spec: 'anthropic:claude-sonnet-5-5', provider: 'anthropic' });
    expect(isSimulated(model)).toBe(false);
    const before = external.stats.requests;
    const response = await model.generate(request('Real path?'));
    expect(response.stopReason).toBe('end_turn');
    expect(external.stats.requests).toBe(before + 1);
  });

  it('names the missing key', () => {
    resolver = createModelResolver({ env: {} });
    const error = configError(() => resolver.resolve('anthropic:claude-sonnet-5-5'));
    expect(error.code).toBe('MODEL_CONFIG');
    expect(error.message).toBe('ANTHROPIC_API_KEY is not set (needed by model "anthropic:claude-sonnet-5-5")');
  });

  it('asks for a model id after the prefix', () => {
    resolver = createModelResolver({ env: { ANTHROPIC_API_KEY: 'sk-test' } });
    const error = configError(() => resolver.resolve('anthropic:'));
    expect(error).toMatchObject({ code: 'MODEL_CONFIG' });
    expect(error.message).toContain('anthropic:claude-sonnet-5-5');
  });

  it('names the spec and the known prefixes for an unknown provider', () => {
    resolver = createModelResolver({ env: {} });
    const error = configError(() => resolver.resolve('gemini:pro'));
    expect(error.code).toBe('MODEL_CONFIG');
    expect(error.message).toContain('"gemini:pro"');
    expect(error.message).toContain('one of sim, anthropic, openai');
    expect(configError(() => resolver.resolve('toString')).code).toBe('MODEL_CONFIG');
  });

  it('refuses a call time limit in the environment that is not a positive number, in one line', () => {
    const error = configError(() => createModelResolver({ env: { FANOUT_STREAM_IDLE_TIMEOUT_MS: '0' } }));
    expect(error.code).toBe('MODEL_CONFIG');
    expect(error.message).toBe('FANOUT_STREAM_IDLE_TIMEOUT_MS must be a number of milliseconds > 0, got "0"');
  });

  it('gives a model its own stream idle timeout, over the one of every model', async () => {
    const stalling = await startSimServer({ faults: { rate: 1, kinds: ['stall'] } });
    try {
      const clock = new ManualClock();
      resolver = createModelResolver({
        env: { FANOUT_STREAM_IDLE_TIMEOUT_MS: '90000' },
        simUrl: stalling.url,
        clock,
        modelCallTimeouts: { sim: { streamIdleTimeoutMs: 2_000 } },
      });
      const ended: string[] = [];
      for (const spec of ['sim', 'sim:openai']) {
        resolver.resolve(spec).generate(request('Stall.')).catch(() => ended.push(spec));
      }
      const until = async (done: () => boolean): Promise<void> => {
        for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      };
      // Both heads arrived: each call's watchdog now sleeps to its idle deadline, not the call's.
      await until(() => clock.deadlines.filter((at) => at - clock.monotonic() <= 90_000).length >= 2);
      await clock.advance(2_000);
      await until(() => ended.length >= 1);
      expect(ended).toEqual(['sim']);
      await clock.advance(88_000);
      await until(() => ended.length >= 2);
      expect(ended).toEqual(['sim', 'sim:openai']);
    } finally {
      await resolver.close();
      await stalling.close();
    }
  });

  it.each([
    ['anthropic:claude-x', 'ANTHROPIC'],
    ['openai:gpt-x', 'OPENAI'],
  ])('names an unreachable base URL in the error of the first call (%s)', async (spec, variable) => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    resolver = createModelResolver({ env: { [`${variable}_API_KEY`]: 'sk-test', [`${variable}_BASE_URL`]: url } });
    const error = await resolver.resolve(spec).generate(request('Anyone?')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FanoutError);
    expect((error as FanoutError).code).toBe('MODEL_ERROR');
    expect((error as FanoutError).message).toContain(url);
  });
});

describe('createModelResolver: base URLs and preflight', () => {
  let external: SimServer;
  let resolver: ModelResolver;

  beforeAll(async () => {
    external = await startSimServer();
  });
  afterAll(() => external.close());
  afterEach(() => resolver?.close());

  it.each([
    ['anthropic:claude-x', 'ANTHROPIC'],
    ['openai:gpt-x', 'OPENAI'],
  ])('fails resolve for a base URL that is not an http(s) URL, naming the variable and value (%s)', (spec, variable) => {
    resolver = createModelResolver({ env: { [`${variable}_API_KEY`]: 'sk-test', [`${variable}_BASE_URL`]: 'not-a-url' } });
    const error = configError(() => resolver.resolve(spec));
    expect(error.code).toBe('MODEL_CONFIG');
    expect(error.message).toMatch(new RegExp(`^${variable}_BASE_URL is not an http\\(s\\) URL: "not-a-url" \\(expected e\\.g\\. "http`));
  });

  it('fails resolve of a sim model for a FANOUT_SIM_URL that is not a URL', () => {
    resolver = createModelResolver({ env: { FANOUT_SIM_URL: 'nowhere' } });
    expect(configError(() => resolver.resolve('sim')).message).toMatch(/^FANOUT_SIM_URL is not an http\(s\) URL: "nowhere"/);
  });

  it.each([
    ['anthropic:claude-x', 'ANTHROPIC'],
    ['openai:gpt-x', 'OPENAI'],
  ])('preflight names a refused base URL, the spec and the variable that set it (%s)', async (spec, variable) => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    resolver = createModelResolver({ env: { [`${variable}_API_KEY`]: 'sk-test', [`${variable}_BASE_URL`]: url } });
    const error = await resolver.resolve(spec).preflight?.().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FanoutError);
    expect(error).toMatchObject({
      code: 'MODEL_CONFIG',
      message: `cannot reach ${url} for model "${spec}" (connection refused) — check ${variable}_BASE_URL`,
    });
  });

  it('preflight passes for a listening base URL, and remembers the success per host and port', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    let connections = 0;
    server.on('connection', () => (connections += 1));
    try {
      resolver = createModelResolver({ env: { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: url } });
      await resolver.resolve('anthropic:claude-x').preflight?.();
      await resolver.resolve('anthropic:claude-y').preflight?.();
      expect(connections).toBe(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    // Closed now, but the success is kept for the resolver's lifetime.
    await expect(resolver.resolve('anthropic:claude-z').preflight?.()).resolves.toBeUndefined();
  });

  it('preflight is aborted by its signal', async () => {
    resolver = createModelResolver({ env: { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: external.url } });
    const controller = new AbortController();
    controller.abort();
    await expect(resolver.resolve('anthropic:claude-x').preflight?.(controller.signal)).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('preflight of a sim model starts the in-process server, which the first call then uses', async () => {
    resolver = createModelResolver({ env: {} });
    const model = resolver.resolve('sim:openai');
    await model.preflight?.();
    const response = await model.generate(request('Up?', { output: 'Up.' }));
    expect(response.content).toEqual([{ type: 'text', text: 'Up.' }]);
    expect(external.stats.requests).toBe(0);
  });

  it('preflight of a sim model checks an external FANOUT_SIM_URL', async () => {
    resolver = createModelResolver({ env: { FANOUT_SIM_URL: external.url } });
    await expect(resolver.resolve('sim').preflight?.()).resolves.toBeUndefined();
    const url = `http://127.0.0.1:${await closedPort()}`;
    resolver = createModelResolver({ env: { FANOUT_SIM_URL: url } });
    await expect(resolver.resolve('sim').preflight?.()).rejects.toMatchObject({
      code: 'MODEL_CONFIG',
      message: `cannot reach ${url} for model "sim" (connection refused) — check FANOUT_SIM_URL`,
    });
  });

  it('keeps the SDK quiet about model ids it lists as deprecated', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      resolver = createModelResolver({ env: { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: external.url } });
      const deprecated = resolver.resolve('anthropic:claude-sonnet-4-5');
      await deprecated.generate(request('Old model?'));
      await deprecated.generate({ ...request('Streamed?'), onDelta: () => undefined });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('createModelResolver: OpenAI-compatible models', () => {
  let external: SimServer;
  let resolver: ModelResolver;

  beforeAll(async () => {
    external = await startSimServer();
  });
  afterAll(() => external.close());
  afterEach(() => resolver?.close());

  const toolCallId = async (model: Model): Promise<string | undefined> => {
    const response = await model.generate(request('Call a tool.', { script: [{ tools: [{ name: 'grep', input: { pattern: 'x' } }] }] }));
    return response.content.find((block) => block.type === 'tool_use')?.id;
  };

  it('resolves openai:<name> with the key and base URL from the environment, any non-empty key', async () => {
    resolver = createModelResolver({ env: { OPENAI_API_KEY: 'ollama', OPENAI_BASE_URL: `${external.url}/v1` } });
    const model = resolver.resolve('openai:gpt-x');
    expect(model).toMatchObject({ spec: 'openai:gpt-x', provider: 'openai' });
    expect(isSimulated(model)).toBe(false);
    expect(resolver.resolve('openai:gpt-x')).toBe(model);
    const before = external.stats.requests;
    const response = await model.generate(request('Real path?'));
    expect(response.stopReason).toBe('end_turn');
    expect(external.stats.requests).toBe(before + 1);
  });

  it('sends everything after the first colon as the model name (Ollama tags have colons)', async () => {
    const seen: unknown[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ path: req.url, auth: req.headers.authorization, model: (JSON.parse(body) as { model: string }).model });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/v1`;
      resolver = createModelResolver({ env: { OPENAI_API_KEY: 'x', OPENAI_BASE_URL: url } });
      const response = await resolver.resolve('openai:llama3.1:8b').generate(request('Hi.'));
      expect(response.content).toEqual([{ type: 'text', text: 'ok' }]);
      expect(seen).toEqual([{ path: '/v1/chat/completions', auth: 'Bearer x', model: 'llama3.1:8b' }]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('names the missing key, and asks for a model name', () => {
    resolver = createModelResolver({ env: { OPENAI_API_KEY: '' } });
    expect(configError(() => resolver.resolve('openai:gpt-4o'))).toMatchObject({
      code: 'MODEL_CONFIG',
      message: 'OPENAI_API_KEY is not set (needed by model "openai:gpt-4o")',
    });
    resolver = createModelResolver({ env: { OPENAI_API_KEY: 'sk-test' } });
    expect(configError(() => resolver.resolve('openai:')).message).toContain('"openai:gpt-4o"');
  });

  it('rejects an OPENAI_BASE_URL that is not an http(s) URL', () => {
    resolver = createModelResolver({ env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: 'localhost:11434/v1' } });
    const error = configError(() => resolver.resolve('openai:llama3'));
    expect(error.code).toBe('MODEL_CONFIG');
    expect(error.message).toBe(
      'OPENAI_BASE_URL is not an http(s) URL: "localhost:11434/v1" (expected e.g. "http://127.0.0.1:11434/v1")',
    );
  });

  it('resolves sim:openai to the simulated model over the OpenAI wire format', async () => {
    resolver = createModelResolver({ env: { FANOUT_SIM_URL: external.url } });
    const model = resolver.resolve('sim:openai');
    expect(model).toMatchObject({ spec: 'sim:openai', provider: 'sim' });
    expect(isSimulated(model)).toBe(true);
    const response = await model.generate(request('Scripted?', { output: 'Scripted over OpenAI.' }));
    expect(response.content).toEqual([{ type: 'text', text: 'Scripted over OpenAI.' }]);
    // The simulated server names tool calls call_… on the OpenAI wire and toolu_… on the Anthropic one.
    expect(await toolCallId(model)).toMatch(/^call_/);
    expect(await toolCallId(resolver.resolve('sim'))).toMatch(/^toolu_/);
  });

  it('starts its own simulated server for sim:openai when none is given', async () => {
    resolver = createModelResolver({ env: {} });
    const before = external.stats.requests;
    const response = await resolver.resolve('sim:openai').generate(request('Local?', { output: 'Local.' }));
    expect(response.content).toEqual([{ type: 'text', text: 'Local.' }]);
    expect(external.stats.requests).toBe(before);
  });
});

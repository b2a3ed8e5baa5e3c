import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FanoutError } from '../errors.js';
import type { ModelRequest, ModelResolver } from './model.js';
import { createModelResolver, defaultModelSpec } from './resolver.js';
import { startSimServer, type SimServer } from './sim/index.js';

const request = (prompt: string, sim?: ModelRequest['sim']): ModelRequest => ({
  system: 'You are a test.',
  messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }],
  tools: [],
  maxTokens: 256,
  signal: new AbortController().signal,
  sim,
});

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
    expect(defaultModelSpec({ ANTHROPIC_API_KEY: 'sk-x' })).toBe('anthropic:claude-sonnet-4-5');
    expect(defaultModelSpec({})).toBe('sim');
    expect(defaultModelSpec({ ANTHROPIC_API_KEY: '' })).toBe('sim');
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
    expect(model).toMatchObject({ spec: 'sim', provider: 'sim', simulated: true });
    expect(resolver.resolve('sim')).toBe(model);
    const response = await model.generate(request('Hello.', { output: 'Hi from the sim.' }));
    expect(response.content).toEqual([{ type: 'text', text: 'Hi from the sim.' }]);
    expect(external.stats.requests).toBe(0);
  });

  it('accepts sim:<anything> as its own cached spec', async () => {
    resolver = createModelResolver({ env: {} });
    const model = resolver.resolve('sim:fast');
    expect(model).toMatchObject({ spec: 'sim:fast', provider: 'sim', simulated: true });
    expect(resolver.resolve('sim:fast')).not.toBe(resolver.resolve('sim'));
    expect((await model.generate(request('Fast?', { output: 'Fast.' }))).content).toEqual([{ type: 'text', text: 'Fast.' }]);
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
    const model = resolver.resolve('anthropic:claude-sonnet-4-5');
    expect(model).toMatchObject({ spec: 'anthropic:claude-sonnet-4-5', provider: 'anthropic', simulated: false });
    const before = external.stats.requests;
    const response = await model.generate(request('Real path?'));
    expect(response.stopReason).toBe('end_turn');
    expect(external.stats.requests).toBe(before + 1);
  });

  it('names the missing key', () => {
    resolver = createModelResolver({ env: {} });
    const error = configError(() => resolver.resolve('anthropic:claude-sonnet-4-5'));
    expect(error.code).toBe('MODEL_CONFIG');
    expect(error.message).toBe('ANTHROPIC_API_KEY is not set (needed by model "anthropic:claude-sonnet-4-5")');
  });

  it('asks for a model id after the prefix', () => {
    resolver = createModelResolver({ env: { ANTHROPIC_API_KEY: 'sk-test' } });
    const error = configError(() => resolver.resolve('anthropic:'));
    expect(error).toMatchObject({ code: 'MODEL_CONFIG' });
    expect(error.message).toContain('anthropic:claude-sonnet-4-5');
  });

  it('names the spec and the known prefixes for an unknown provider', () => {
    resolver = createModelResolver({ env: {} });
    const error = configError(() => resolver.resolve('gemini:pro'));
    expect(error.code).toBe('MODEL_CONFIG');
    expect(error.message).toContain('"gemini:pro"');
    expect(error.message).toContain('sim, anthropic');
    expect(configError(() => resolver.resolve('toString')).code).toBe('MODEL_CONFIG');
  });

  it('names an unreachable base URL in the error of the first call', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(probe.address() as net.AddressInfo).port}`;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    resolver = createModelResolver({ env: { ANTHROPIC_API_KEY: 'sk-test', ANTHROPIC_BASE_URL: url } });
    const error = await resolver.resolve('anthropic:claude-x').generate(request('Anyone?')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FanoutError);
    expect((error as FanoutError).code).toBe('MODEL_ERROR');
    expect((error as FanoutError).message).toContain(url);
  });
});

/** What the provider tests (anthropic, openai, resolver) all need: a request, a caught error, a dead port. */
import net from 'node:net';
import { expect } from 'vitest';
import { FanoutError } from '../../contracts/errors.js';
import type { ModelRequest } from '../../contracts/model.js';

/** A one-turn request with a user prompt, no tools and 256 output tokens; `extra` overrides any field. */
export function promptRequest(prompt: string, extra: Partial<ModelRequest> = {}): ModelRequest {
  return {
    system: 'You are a test.',
    messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }],
    tools: [],
    maxTokens: 256,
    signal: new AbortController().signal,
    ...extra,
  };
}

/** The FanoutError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<FanoutError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FanoutError);
  return error as FanoutError;
}

/** A port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

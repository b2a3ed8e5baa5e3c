import { afterEach, describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import type { Model, ModelRequest } from '../contracts/model.js';
import { ManualClock, settle } from '../engine/manual-clock.js';
import { ModelGates } from '../engine/model-gate.js';
import { AnthropicModel } from './anthropic/anthropic-model.js';
import { createNodeFetch, type NodeFetch } from './http/node-fetch.js';
import { OpenAIModel } from './openai/openai-model.js';
import { RandomFaults } from './sim/fault-injector.js';
import { startSimServer, type SimServer } from './sim/index.js';

// A stalled answer (the sim's `stall` fault: the head is sent, then nothing) through the real
// providers and fanout's fetch, on a manual clock: the idle timeout ends the call with a
// retryable MODEL_ERROR, and the gate's retry gets the answer.

let server: SimServer | undefined;
let http: NodeFetch | undefined;
afterEach(async () => {
  http?.close();
  await server?.close();
  server = undefined;
});

/** A seed whose first call stalls and whose second does not. */
function stallOnceSeed(): number {
  for (let seed = 1; ; seed++) {
    const faults = new RandomFaults({ rate: 0.5, kinds: ['stall'], seed });
    if (faults.next() === 'stall' && faults.next() === undefined) return seed;
  }
}

const request = (signal = new AbortController().signal): ModelRequest => ({
  system: 'You are terse.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hi.' }] }],
  tools: [],
  maxTokens: 100,
  signal,
});

/** Waits in real time (I/O happens) until `done` holds, at most 5 s. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Advances the manual clock until `done` settles (real I/O happens between steps). */
async function runUntil(clock: ManualClock, done: Promise<unknown>, stepMs: number): Promise<void> {
  let finished = false;
  done.then(
    () => (finished = true),
    () => (finished = true),
  );
  for (let i = 0; i < 1_000 && !finished; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    await clock.advance(stepMs);
  }
}

const wires: Array<[string, (url: string, fetch: NodeFetch['fetch']) => Model]> = [
  ['anthropic', (url, fetch) => new AnthropicModel({ spec: 'sim', modelId: 'sim', apiKey: 'sim', baseURL: url, provider: 'sim', fetch })],
  ['openai', (url, fetch) => new OpenAIModel({ spec: 'sim:openai', modelId: 'sim', apiKey: 'sim', baseURL: `${url}/v1`, provider: 'sim', fetch })],
];

describe.each(wires)('a stalled answer over the %s wire', (_wire, makeModel) => {
  it('fails with a retryable MODEL_ERROR once the idle timeout passes, not before', async () => {
    server = await startSimServer({ faults: { rate: 1, kinds: ['stall'] } });
    const clock = new ManualClock();
    http = createNodeFetch({ clock, timeouts: { streamIdleTimeoutMs: 5_000 } });
    const model = makeModel(server.url, http.fetch);
    const call = model.generate(request());
    let outcome: unknown;
    call.then(
      () => (outcome = 'answered'),
      (error: unknown) => (outcome = error),
    );
    // Real time passes for the head to arrive (the watchdog then sleeps to the idle deadline); the manual clock stays just short of the limit.
    await until(() => clock.deadlines.some((at) => at - clock.monotonic() <= 5_000));
    await clock.advance(4_999);
    await settle();
    expect(outcome).toBeUndefined();
    await clock.advance(1);
    await runUntil(clock, call, 0);
    expect(outcome).toBeInstanceOf(FanoutError);
    const error = outcome as FanoutError;
    expect(error.code).toBe('MODEL_ERROR');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/stalled: no data for 5000 ms/);
    expect(error.message).not.toMatch(/\n/);
  });

  it('is retried by the gate and the next attempt answers', async () => {
    server = await startSimServer({ faults: { rate: 0.5, kinds: ['stall'], seed: stallOnceSeed() } });
    const clock = new ManualClock();
    http = createNodeFetch({ clock, timeouts: { streamIdleTimeoutMs: 5_000 } });
    const gates = new ModelGates({ clock, random: () => 0 });
    const retries: string[] = [];
    const call = gates.call(makeModel(server.url, http.fetch), request(), {
      onRetry: ({ error }) => retries.push(error.message),
    });
    await runUntil(clock, call, 1_000);
    const response = await call;
    expect(response.content.length).toBeGreaterThan(0);
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatch(/stalled/);
    expect(server.stats.faults).toBe(1);
    expect(server.stats.requests).toBe(2);
  });
});

describe('the call timeout', () => {
  it('ends a call whose answer never starts, with a retryable MODEL_ERROR', async () => {
    // latencyMs holds the answer back: nothing arrives, so only the call's own deadline can end it.
    server = await startSimServer({ defaultLatencyMs: 60_000 });
    const clock = new ManualClock();
    http = createNodeFetch({ clock, timeouts: { streamIdleTimeoutMs: 1_000, callTimeoutMs: 20_000 } });
    const model = wires[0]![1](server.url, http.fetch);
    const call = model.generate(request());
    let outcome: unknown;
    call.catch((error: unknown) => (outcome = error));
    await until(() => clock.deadlines.some((at) => at - clock.monotonic() <= 20_000));
    // Silence before the head is not a stall: the model may be thinking.
    await clock.advance(19_999);
    await settle();
    expect(outcome).toBeUndefined();
    await clock.advance(1);
    await runUntil(clock, call, 0);
    expect((outcome as FanoutError).code).toBe('MODEL_ERROR');
    expect((outcome as FanoutError).retryable).toBe(true);
    expect((outcome as FanoutError).message).toMatch(/no complete answer within 20000 ms/);
  });
});

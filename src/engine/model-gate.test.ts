import { describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import type { ModelRequest } from '../contracts/model.js';
import { ScriptedModel, textResponse, type ScriptedStep } from '../models/scripted-model.js';
import { ManualClock, settle } from './manual-clock.js';
import { ModelGates } from './model-gate.js';
import { heldStep } from './test-support/engine-harness.js';

function request(signal = new AbortController().signal): ModelRequest {
  return { system: 's', messages: [], tools: [], maxTokens: 10, signal };
}

function rateLimited(retryAfterMs?: number): ScriptedStep {
  const options = retryAfterMs === undefined ? {} : { retryAfterMs };
  return { error: new FanoutError('MODEL_ERROR', 'rate limited', { retryable: true, status: 429, ...options }) };
}

/** Tracks whether a promise settled yet, without awaiting it. */
function track<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { settled: () => done, promise };
}

describe('ModelGates', () => {
  it('caps calls in flight per provider and hands slots over in order', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock, providerConcurrency: { capped: 2 } });
    const held = [heldStep(), heldStep(), heldStep()];
    const model = new ScriptedModel(
      held.map((step) => step.step),
      { provider: 'capped' },
    );
    const slotWaits: string[] = [];
    const calls = held.map(() =>
      track(gates.call(model, request(), { onSlotWait: (detail) => slotWaits.push(detail) })),
    );
    await settle();
    expect(model.requests).toHaveLength(2);
    expect(slotWaits).toEqual(['2 calls of provider capped in flight (cap 2)']);

    held[0]?.answer('first');
    await settle();
    expect(model.requests).toHaveLength(3);
    held[1]?.answer();
    held[2]?.answer();
    await expect(Promise.all(calls.map((call) => call.promise))).resolves.toHaveLength(3);
    expect(gates.gateOf(model).inFlight).toBe(0);
  });

  it('does not cap simulated providers by default, and caps others at 16', () => {
    const gates = new ModelGates({ clock: new ManualClock() });
    expect(gates.gateOf(new ScriptedModel([], { provider: 'sim' })).cap).toBe(Number.POSITIVE_INFINITY);
    const real = { spec: 'anthropic:x', provider: 'anthropic', generate: async () => textResponse('') };
    expect(gates.gateOf(real).cap).toBe(16);
  });

  it('retries after exactly retryAfterMs and reports the retry', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock });
    const model = new ScriptedModel([rateLimited(3000), textResponse('ok')]);
    const retries: Array<{ attempt: number; waitMs: number; error: string }> = [];
    const call = track(
      gates.call(model, request(), {
        onRetry: ({ attempt, waitMs, error }) => retries.push({ attempt, waitMs, error: error.message }),
      }),
    );
    await clock.advance(2999);
    expect(model.requests).toHaveLength(1);
    expect(call.settled()).toBe(false);
    await clock.advance(1);
    await expect(call.promise).resolves.toMatchObject({ content: [{ type: 'text', text: 'ok' }] });
    expect(retries).toEqual([{ attempt: 1, waitMs: 3000, error: 'rate limited' }]);
  });

  it('pauses every call of the provider after a rate limit, not those of other providers', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock });
    const limited = new ScriptedModel([rateLimited(5000), textResponse('a')], { provider: 'p' });
    const sibling = new ScriptedModel([textResponse('b')], { provider: 'p' });
    const elsewhere = new ScriptedModel([textResponse('c')], { provider: 'q' });
    const first = track(gates.call(limited, request()));
    await settle();
    expect(gates.gateOf(limited).pausedUntil).toBe(clock.now() + 5000);

    const paused: Array<{ waitMs: number; detail: string }> = [];
    const second = track(gates.call(sibling, request(), { onPaused: (waitMs, detail) => paused.push({ waitMs, detail }) }));
    const third = track(gates.call(elsewhere, request()));
    await clock.advance(4000);
    expect(sibling.requests).toHaveLength(0);
    expect(third.settled()).toBe(true);

    await clock.advance(1000);
    await Promise.all([first.promise, second.promise]);
    expect(sibling.requests).toHaveLength(1);
    expect(paused).toEqual([{ waitMs: 5000, detail: 'provider p is backing off after a rate limit' }]);
  });

  it('backs off exponentially with jitter when no retry-after is given, then gives up', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock, maxRetries: 2, baseDelayMs: 1000, random: () => 0 });
    const serverError = (): ScriptedStep => ({
      error: new FanoutError('MODEL_ERROR', 'server error', { retryable: true, status: 500 }),
    });
    const model = new ScriptedModel([serverError(), serverError(), serverError()]);
    const waits: number[] = [];
    const call = track(gates.call(model, request(), { onRetry: ({ waitMs }) => waits.push(waitMs) }));
    await settle();
    expect(gates.gateOf(model).pausedUntil).toBe(0);
    await clock.advance(500);
    expect(model.requests).toHaveLength(2);
    await clock.advance(1000);
    await expect(call.promise).rejects.toMatchObject({ code: 'MODEL_ERROR', message: 'server error' });
    expect(waits).toEqual([500, 1000]);
    expect(model.requests).toHaveLength(3);
  });

  it('does not retry an error that is not retryable', async () => {
    const gates = new ModelGates({ clock: new ManualClock() });
    const model = new ScriptedModel([{ error: new FanoutError('MODEL_ERROR', 'bad request', { status: 400 }) }]);
    await expect(gates.call(model, request())).rejects.toMatchObject({ message: 'bad request' });
    expect(model.requests).toHaveLength(1);
  });

  it('leaves the queue at once when the caller aborts, without leaking the slot', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock, providerConcurrency: { scripted: 1 } });
    const held = heldStep();
    const model = new ScriptedModel([held.step, textResponse('next')]);
    const first = gates.call(model, request());
    const controller = new AbortController();
    const waiting = gates.call(model, request(controller.signal));
    controller.abort(new FanoutError('ABORTED', 'stopped'));
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    held.answer();
    await first;
    await expect(gates.call(model, request())).resolves.toMatchObject({ stopReason: 'end_turn' });
    expect(gates.gateOf(model).inFlight).toBe(0);
  });
});

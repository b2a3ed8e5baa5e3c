import { describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import type { Model, ModelRequest, ModelResponse, RateLimitInfo } from '../contracts/model.js';
import { ScriptedModel, textResponse, type ScriptedStep } from '../models/scripted-model.js';
import { ManualClock, settle } from './manual-clock.js';
import type { GateCallHooks, GateWindowChange } from './endpoint-gate.js';
import { ModelGates } from './model-gate.js';
import { WaitBudget } from './retry-policy.js';

function request(signal = new AbortController().signal): ModelRequest {
  return { system: 's', messages: [], tools: [], maxTokens: 10, signal };
}

function rateLimited(retryAfterMs?: number, status = 429): FanoutError {
  const options = retryAfterMs === undefined ? {} : { retryAfterMs };
  return new FanoutError('MODEL_ERROR', 'rate limited', { retryable: true, status, ...options });
}

/** Tracks whether a promise settled yet, without awaiting it. */
function track<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  return { settled: () => done, promise };
}

interface HeldCall {
  answer(rateLimit?: RateLimitInfo, tokens?: number): void;
  fail(error: FanoutError): void;
}

/** A model whose every call waits until the test answers or fails it, in any order. */
class HeldModel implements Model {
  readonly spec = 'held';
  readonly calls: HeldCall[] = [];
  #answered = 0;

  constructor(readonly provider = 'held') {}

  /** Calls started and not answered yet. */
  get pending(): number {
    return this.calls.length - this.#answered;
  }

  generate(): Promise<ModelResponse> {
    return new Promise<ModelResponse>((resolve, reject) => {
      this.calls.push({
        answer: (rateLimit, tokens = 15) => {
          this.#answered++;
          const response = textResponse('ok', { inputTokens: tokens - 5, outputTokens: 5 });
          resolve(rateLimit === undefined ? response : { ...response, rateLimit });
        },
        fail: (error) => {
          this.#answered++;
          reject(error);
        },
      });
    });
  }

  /** Answers the oldest `count` unanswered calls. */
  answerOldest(count: number, rateLimit?: RateLimitInfo): void {
    const open = this.calls.slice(this.calls.length - this.pending, this.calls.length - this.pending + count);
    for (const call of open) call.answer(rateLimit);
  }

  /** Fails the oldest `count` unanswered calls. */
  failOldest(count: number, error: FanoutError): void {
    const open = this.calls.slice(this.calls.length - this.pending, this.calls.length - this.pending + count);
    for (const call of open) call.fail(error);
  }
}

/** Rate-limit headers that leave plenty: the endpoint is limited, not near its limit. */
const PLENTY: RateLimitInfo = { requests: { limit: 100_000, remaining: 99_000, resetAt: 0 } };

function startMany(gates: ModelGates, model: Model, count: number, hooks: GateCallHooks = {}): Array<Promise<ModelResponse>> {
  return Array.from({ length: count }, () => gates.call(model, request(), hooks));
}

describe('ModelGates: the adaptive window', () => {
  it('starts open, and stays open while the answers carry no rate-limit headers', async () => {
    const gates = new ModelGates({ clock: new ManualClock() });
    const model = new HeldModel();
    const calls = startMany(gates, model, 100);
    await settle();
    expect(model.pending).toBe(100);
    model.answerOldest(100);
    await Promise.all(calls);
    expect(gates.gateOf(model).window).toBe(Number.POSITIVE_INFINITY);
  });

  it('closes around the calls in flight at the first answer with rate-limit headers, then grows by one per success while full', async () => {
    const gates = new ModelGates({ clock: new ManualClock() });
    const model = new HeldModel();
    const changes: GateWindowChange[] = [];
    const calls = startMany(gates, model, 40, { onWindow: (change) => changes.push(change) });
    await settle();
    model.answerOldest(1, PLENTY);
    await settle();
    expect(changes).toEqual([{ provider: 'held', window: 40, change: 'shrank', reason: 'the endpoint states its rate limits' }]);
    const more = startMany(gates, model, 10);
    await settle();
    expect(model.pending).toBe(40);
    // Each success frees its slot and adds one: 4 answers, 8 queued calls start.
    model.answerOldest(4, PLENTY);
    await settle();
    expect(gates.gateOf(model).window).toBe(44);
    expect(model.pending).toBe(44);
    while (model.pending > 0) {
      model.answerOldest(model.pending, PLENTY);
      await settle();
    }
    await Promise.all([...calls, ...more]);
  });

  it('halves the window once per round trip on 429s, pauses for retry-after, then resumes through the smaller window', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock, maxRetries: 0 });
    const model = new HeldModel();
    const changes: GateWindowChange[] = [];
    const limited: string[] = [];
    const hooks: GateCallHooks = { onWindow: (change) => changes.push(change), onRateLimited: ({ detail }) => limited.push(detail) };
    const calls = startMany(gates, model, 80, hooks);
    await settle();
    expect(model.pending).toBe(80);
    // A burst of 429s of calls started together is one congestion event: one halving.
    model.failOldest(40, rateLimited(1000));
    await settle();
    expect(changes).toEqual([{ provider: 'held', window: 40, change: 'shrank', reason: 'HTTP 429' }]);
    expect(limited[0]).toBe('HTTP 429 from held: waiting 1 s, window 40');
    expect(gates.gateOf(model).pausedUntil).toBe(clock.monotonic() + 1000);
    const later = startMany(gates, model, 40, hooks);
    await settle();
    expect(model.pending).toBe(40);

    await clock.advance(999);
    model.answerOldest(40);
    await settle();
    expect(model.pending).toBe(0);
    await clock.advance(1);
    // 80 calls wait (40 refused, 40 new); the halved window lets 40 go, not all 80.
    expect(model.pending).toBe(40);
    model.failOldest(40, rateLimited(1000));
    await settle();
    expect(changes.at(-1)).toMatchObject({ window: 20, change: 'shrank' });
    await clock.advance(1000);
    expect(model.pending).toBe(20);
    while (model.pending > 0) {
      model.answerOldest(model.pending);
      await settle();
    }
    // 80 refusals and not one retry spent (maxRetries 0): a rate limit is a wait, not a failure.
    await expect(Promise.all([...calls, ...later])).resolves.toHaveLength(120);
  });

  it('caps a retry-after at maxRetryAfterMs and says what the server asked', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock, maxRetryAfterMs: 300_000 });
    const model = new ScriptedModel([{ error: rateLimited(3_600_000) }, textResponse('ok')]);
    const details: string[] = [];
    const call = track(gates.call(model, request(), { onRateLimited: ({ detail }) => details.push(detail) }));
    await settle();
    expect(details).toEqual([
      'HTTP 429 from scripted: the server asked to wait 1 h, more than the 5 min cap (maxRetryAfterMs): waiting 5 min, window 1',
    ]);
    await clock.advance(299_999);
    expect(call.settled()).toBe(false);
    await clock.advance(1);
    await expect(call.promise).resolves.toMatchObject({ stopReason: 'end_turn' });
  });

  it('treats 529 (overloaded) as a rate limit: without a retry-after, the call alone backs off', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock, maxRetries: 0, baseDelayMs: 1000, random: () => 0 });
    const model = new ScriptedModel([{ error: rateLimited(undefined, 529) }, { error: rateLimited(undefined, 529) }, textResponse('ok')]);
    const waits: number[] = [];
    const call = gates.call(model, request(), { onRateLimited: ({ waitMs }) => waits.push(waitMs) });
    await settle();
    // Without a retry-after the endpoint is not paused: only this call backs off.
    expect(gates.gateOf(model).pausedUntil).toBe(0);
    await clock.advance(500);
    await clock.advance(1000);
    await expect(call).resolves.toMatchObject({ stopReason: 'end_turn' });
    expect(waits).toEqual([500, 1000]);
  });
});

describe('ModelGates: the wait budget', () => {
  it('ends a call whose waits use up the task budget, saying what it waited for', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock, providers: { held: { maxConcurrent: 1 } } });
    const model = new HeldModel();
    const budget = new WaitBudget(60_000);
    const first = gates.call(model, request());
    const second = track(gates.call(model, request(), { waitBudget: budget }));
    await clock.advance(59_999);
    expect(second.settled()).toBe(false);
    await clock.advance(1);
    await expect(second.promise).rejects.toMatchObject({
      code: 'LIMIT_REACHED',
      message:
        "waited 1 min for held's rate limits (this call 1 min), the whole wait budget of 1 min (rateLimitWaitMs); " +
        'still waiting for: provider cap (held, maxConcurrent 1)',
    });
    // The budget spans the task's calls: the next one fails at once.
    await expect(gates.call(model, request(), { waitBudget: budget })).rejects.toMatchObject({ code: 'LIMIT_REACHED' });
    model.answerOldest(1);
    await first;
    expect(gates.gateOf(model).inFlight).toBe(0);
  });

  it('ends each queued call when its own budget runs out, on one timer for all of them', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock, providers: { held: { maxConcurrent: 1 } } });
    const model = new HeldModel();
    const first = gates.call(model, request());
    const late = track(gates.call(model, request(), { waitBudget: new WaitBudget(60_000) }));
    const soon = track(gates.call(model, request(), { waitBudget: new WaitBudget(30_000) }));
    const others = Array.from({ length: 10 }, () => track(gates.call(model, request(), { waitBudget: new WaitBudget(90_000) })));
    await settle();
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(30_000);
    await expect(soon.promise).rejects.toMatchObject({ code: 'LIMIT_REACHED' });
    expect(late.settled()).toBe(false);
    await clock.advance(30_000);
    await expect(late.promise).rejects.toMatchObject({ code: 'LIMIT_REACHED' });
    expect(others.some((call) => call.settled())).toBe(false);
    await clock.advance(30_000);
    for (const call of others) await expect(call.promise).rejects.toMatchObject({ code: 'LIMIT_REACHED' });
    expect(clock.pendingTimers).toBe(0);
    model.answerOldest(1);
    await first;
  });

  it('ends a call at once when the server asks for a wait longer than the budget left', async () => {
    const gates = new ModelGates({ clock: new ManualClock(), rateLimitWaitMs: 10_000 });
    const model = new ScriptedModel([{ error: rateLimited(20_000) }]);
    await expect(gates.call(model, request(), { waitBudget: gates.waitBudget() })).rejects.toMatchObject({
      code: 'LIMIT_REACHED',
      message: "scripted asked to wait 20 s (HTTP 429), more than the 10 s left of the task's rate-limit wait budget of 10 s (rateLimitWaitMs)",
    });
  });
});

describe('ModelGates: a jump of the wall clock', () => {
  it('neither ends a rate-limit pause early nor stretches it: the pause is monotonic time', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock, maxRetries: 0 });
    const model = new HeldModel();
    const first = gates.call(model, request());
    await settle();
    model.failOldest(1, rateLimited(1000));
    await settle();
    // The machine slept for an hour: the wall clock moved, the monotonic one did not.
    clock.jumpWall(3_600_000);
    const second = gates.call(model, request());
    await settle();
    expect(model.calls.length).toBe(1);
    await clock.advance(999);
    expect(model.calls.length).toBe(1);
    // NTP steps the clock two hours back: the pause still ends 1 s after the 429.
    clock.jumpWall(-7_200_000);
    await clock.advance(1);
    // The 429 shrank the window to one call: the two go one after the other.
    expect(model.calls.length).toBe(2);
    model.answerOldest(1);
    await settle();
    expect(model.calls.length).toBe(3);
    model.answerOldest(1);
    await Promise.all([first, second]);
  });

  it('spends wait budgets by monotonic time: a jump neither ends a queued call nor stretches its wait', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock, providers: { held: { maxConcurrent: 1 } } });
    const model = new HeldModel();
    const first = gates.call(model, request());
    const soon = track(gates.call(model, request(), { waitBudget: new WaitBudget(30_000) }));
    const late = track(gates.call(model, request(), { waitBudget: new WaitBudget(60_000) }));
    await settle();
    clock.jumpWall(3_600_000);
    await clock.advance(30_000);
    await expect(soon.promise).rejects.toMatchObject({ code: 'LIMIT_REACHED', message: expect.stringMatching(/^waited 30 s for held's rate limits/) });
    expect(late.settled()).toBe(false);
    clock.jumpWall(-7_200_000);
    await clock.advance(29_999);
    expect(late.settled()).toBe(false);
    await clock.advance(1);
    await expect(late.promise).rejects.toMatchObject({ code: 'LIMIT_REACHED', message: expect.stringMatching(/^waited 1 min for held's rate limits/) });
    model.answerOldest(1);
    await first;
  });
});

describe('ModelGates: stated and static limits', () => {
  it('paces calls by the requests the answers say are left, refilling at the stated limit', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock });
    const model = new HeldModel();
    const calls = startMany(gates, model, 3);
    await settle();
    // 60 per minute: one per second; none left now, so the next call waits a second.
    model.answerOldest(1, { requests: { limit: 60, remaining: 0, resetAt: clock.now() + 1000 } });
    await settle();
    expect(model.pending).toBe(2);
    model.answerOldest(2);
    const waits: string[] = [];
    const next = startMany(gates, model, 2, { onWait: (_reason, detail) => waits.push(detail) });
    await settle();
    expect(model.pending).toBe(0);
    expect(waits).toEqual(['held, no requests left', 'held, no requests left']);
    await clock.advance(1000);
    expect(model.pending).toBe(1);
    await clock.advance(1000);
    expect(model.pending).toBe(2);
    model.answerOldest(2);
    await Promise.all([...calls, ...next]);
  });

  it('never starts more than rpm calls in any 60 seconds', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock, providers: { held: { rpm: 3 } } });
    const model = new HeldModel();
    const calls = startMany(gates, model, 7);
    // Calls started by 0 s, 20 s, ... 120 s: three per minute, though each answers at once.
    const started: number[] = [];
    for (let step = 0; step <= 6; step++) {
      await settle();
      started.push(model.calls.length);
      model.answerOldest(model.pending);
      await clock.advance(20_000);
    }
    expect(started).toEqual([3, 3, 3, 6, 6, 6, 7]);
    await Promise.all(calls);
  });

  it('keeps tokens of the last minute, and calls in flight at the average per call, under tpm', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock, providers: { held: { tpm: 100 } } });
    const model = new HeldModel();
    const first = gates.call(model, request());
    await settle();
    model.calls[0]?.answer(undefined, 40);
    await first;
    // 40 used; each call counts 40 until it answers: one more fits (80), a second would not (120).
    const calls = startMany(gates, model, 2);
    await settle();
    expect(model.pending).toBe(1);
    model.calls[1]?.answer(undefined, 40);
    await settle();
    expect(model.pending).toBe(0);
    await clock.advance(60_000);
    expect(model.pending).toBe(1);
    model.answerOldest(1);
    await Promise.all(calls);
  });

  it('keeps the tighter of two caps of a provider and refuses a cap below 1', () => {
    const gates = new ModelGates({ clock: new ManualClock(), providers: { held: { maxConcurrent: 4, rpm: 50 } } });
    gates.limit('held', { maxConcurrent: 8, rpm: 20 }, 'plan providers');
    expect(gates.gateOf(new HeldModel()).limits).toEqual({ maxConcurrent: 4, rpm: 20 });
    expect(() => gates.limit('held', { tpm: 0 }, 'plan providers')).toThrowError(
      expect.objectContaining({ code: 'OPTION_INVALID', message: 'plan providers.held.tpm must be a number >= 1, got 0' }),
    );
  });

  it('gives each endpoint its own window: the same provider with two keys is two gates', () => {
    const gates = new ModelGates({ clock: new ManualClock() });
    const one = { spec: 'a', provider: 'anthropic', endpoint: 'anthropic https://x key:1', generate: async () => textResponse('') };
    const two = { ...one, endpoint: 'anthropic https://x key:2' };
    expect(gates.gateOf(one)).not.toBe(gates.gateOf(two));
    expect(gates.gateOf(one)).toBe(gates.gateOf({ ...one, spec: 'b' }));
  });
});

describe('ModelGates: errors and aborts', () => {
  it('caps calls in flight at maxConcurrent and hands slots over in order', async () => {
    const gates = new ModelGates({ clock: new ManualClock(), providers: { held: { maxConcurrent: 2 } } });
    const model = new HeldModel();
    const waits: Array<[string, string]> = [];
    const calls = startMany(gates, model, 3, { onWait: (reason, detail) => waits.push([reason, detail]) });
    await settle();
    expect(model.pending).toBe(2);
    expect(waits).toEqual([['provider-cap', 'held, maxConcurrent 2']]);
    model.answerOldest(1);
    await settle();
    expect(model.pending).toBe(2);
    model.answerOldest(2);
    await expect(Promise.all(calls)).resolves.toHaveLength(3);
    expect(gates.gateOf(model).inFlight).toBe(0);
  });

  it('backs off exponentially with jitter on other retryable errors, then gives up', async () => {
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

  it('leaves the queue at once when the caller aborts, without leaking the slot or a timer', async () => {
    const clock = new ManualClock();
    const gates = new ModelGates({ clock, providers: { held: { maxConcurrent: 1 } } });
    const model = new HeldModel();
    const first = gates.call(model, request());
    const controller = new AbortController();
    const waiting = gates.call(model, request(controller.signal));
    await settle();
    controller.abort(new FanoutError('ABORTED', 'stopped'));
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    expect(clock.pendingTimers).toBe(0);
    model.answerOldest(1);
    await first;
    const next = gates.call(model, request());
    await settle();
    model.answerOldest(1);
    await expect(next).resolves.toMatchObject({ stopReason: 'end_turn' });
    expect(gates.gateOf(model).inFlight).toBe(0);
  });
});

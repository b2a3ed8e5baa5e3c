import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import type { Message, Model, ModelDelta, ModelRequest, ToolSpec, ToolUseBlock } from '../contracts/model.js';
import type { SimOptions } from '../contracts/sim-options.js';
import { encodeSimDirective, startSimServer } from './sim/index.js';

/** A provider under test, and how to release what it holds. */
export interface ConformanceSubject {
  model: Model;
  close?(): void | Promise<void>;
}

/** Builds the provider under test, pointed at a simulated server's base URL. */
export type ConformanceSetup = (simUrl: string) => ConformanceSubject | Promise<ConformanceSubject>;

const TOOLS: ToolSpec[] = [
  {
    name: 'read_file',
    description: 'Read a file of the workspace.',
    inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
  {
    name: 'grep',
    description: 'Search the workspace.',
    inputSchema: { type: 'object', properties: { pattern: { type: 'string' } }, required: ['pattern'] },
  },
];

/**
 * The behaviour every chat-model provider must show, run against a real
 * simulated server on 127.0.0.1: text and tool-call answers, streaming,
 * tool-result round trips, usage, error classification and abort. Each test
 * uses its own prompt, because the simulated server keys injected faults by
 * conversation. What the server should answer goes in a `<fanout-sim>`
 * directive at the end of the system prompt, where any client may put it:
 * the provider under test sends the prompt as it is.
 */
export function describeProviderConformance(name: string, setup: ConformanceSetup): void {
  describe(`${name} (provider conformance)`, () => {
    let server: Awaited<ReturnType<typeof startSimServer>>;
    let subject: ConformanceSubject;
    let model: Model;

    beforeAll(async () => {
      server = await startSimServer();
      subject = await setup(server.url);
      model = subject.model;
    });

    afterAll(async () => {
      await subject?.close?.();
      await server?.close();
    });

    const ask = (prompt: string, sim: SimOptions, extra: Partial<ModelRequest> = {}) =>
      model.generate({
        system: `You are a conformance test.\n\n${encodeSimDirective(sim)}`,
        messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }],
        tools: TOOLS,
        maxTokens: 1024,
        signal: new AbortController().signal,
        ...extra,
      });

    const failure = async (promise: Promise<unknown>): Promise<FanoutError> => {
      const error = await promise.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(FanoutError);
      return error as FanoutError;
    };

    it('answers with text', async () => {
      const response = await ask('Say the answer.', { output: 'The answer is 42.' });
      expect(response.content).toEqual([{ type: 'text', text: 'The answer is 42.' }]);
      expect(response.stopReason).toBe('end_turn');
    });

    it('reports usage', async () => {
      const response = await ask('Count tokens.', { output: 'Counted.', outputTokens: 7 });
      expect(response.usage.inputTokens).toBeGreaterThan(0);
      expect(response.usage.outputTokens).toBe(7);
    });

    it('streams text deltas that add up to the final text', async () => {
      const output = 'Streaming works when every fragment arrives in order. '.repeat(8).trim();
      const deltas: ModelDelta[] = [];
      const response = await ask('Stream it.', { output }, { onDelta: (delta) => deltas.push(delta) });
      const texts = deltas.flatMap((delta) => (delta.type === 'text-delta' ? [delta.text] : []));
      expect(texts.length).toBeGreaterThan(1);
      expect(texts.join('')).toBe(output);
      expect(response.content).toEqual([{ type: 'text', text: output }]);
      expect(response.usage.outputTokens).toBeGreaterThan(0);
    });

    it('returns a tool call with its parsed input', async () => {
      const input = { path: 'src/a.ts', range: [1, 20], options: { follow: true } };
      const response = await ask('Read a file.', { script: [{ tools: [{ name: 'read_file', input }] }] });
      expect(response.stopReason).toBe('tool_use');
      const calls = toolCalls(response.content);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({ name: 'read_file', input });
      expect(calls[0]?.id).toMatch(/\S/);
    });

    it('returns several tool calls of one turn in order, with distinct ids', async () => {
      const script = [
        {
          text: 'Looking around.',
          tools: [
            { name: 'read_file', input: { path: 'a.ts' } },
            { name: 'grep', input: { pattern: 'TODO' } },
            { name: 'read_file', input: { path: 'b.ts' } },
          ],
        },
      ];
      const response = await ask('Look around.', { script });
      const calls = toolCalls(response.content);
      expect(calls.map((call) => [call.name, call.input])).toEqual(script[0]!.tools.map((tool) => [tool.name, tool.input]));
      expect(new Set(calls.map((call) => call.id)).size).toBe(3);
      expect(response.content[0]).toEqual({ type: 'text', text: 'Looking around.' });
    });

    it('streams tool calls: names as deltas, inputs parsed in the final answer', async () => {
      const tools = [
        { name: 'grep', input: { pattern: 'export function', flags: ['-n'] } },
        { name: 'read_file', input: { path: 'docs/a b.md' } },
      ];
      const deltas: ModelDelta[] = [];
      const response = await ask('Stream tools.', { script: [{ tools }] }, { onDelta: (delta) => deltas.push(delta) });
      expect(deltas.filter((delta) => delta.type === 'tool-call')).toEqual(
        tools.map((tool) => ({ type: 'tool-call', name: tool.name })),
      );
      expect(toolCalls(response.content).map((call) => call.input)).toEqual(tools.map((tool) => tool.input));
      expect(response.stopReason).toBe('tool_use');
    });

    it('answers after a tool_result round trip', async () => {
      const sim: SimOptions = { script: [{ tools: [{ name: 'read_file', input: { path: 'a.ts' } }] }], output: 'a.ts is fine.' };
      const first: Message = { role: 'user', content: [{ type: 'text', text: 'Check a.ts.' }] };
      const turn1 = await ask('Check a.ts.', sim);
      const [call] = toolCalls(turn1.content);
      expect(call).toBeDefined();
      const messages: Message[] = [
        first,
        { role: 'assistant', content: turn1.content },
        { role: 'user', content: [{ type: 'tool_result', toolUseId: call!.id, content: 'export {}', isError: false }] },
      ];
      const turn2 = await ask('Check a.ts.', sim, { messages });
      expect(turn2.content).toEqual([{ type: 'text', text: 'a.ts is fine.' }]);
      expect(turn2.stopReason).toBe('end_turn');
    });

    // The default answer names the role from the system prompt and one bullet per tool call whose result came back
    // under its id, so it shows that the server read every turn, call and result as the provider sent them.
    it('sends a multi-turn tool conversation the server reads back in full', async () => {
      const sim: SimOptions = {
        script: [
          { text: 'Reading both.', tools: [{ name: 'read_file', input: { path: 'a.ts' } }, { name: 'read_file', input: { path: 'b.ts' } }] },
          { tools: [{ name: 'grep', input: { pattern: 'TODO' } }] },
        ],
      };
      const messages: Message[] = [{ role: 'user', content: [{ type: 'text', text: 'Survey the code.' }] }];
      let calls: ToolUseBlock[] = [];
      for (let turn = 1; turn <= 2; turn++) {
        const response = await ask('Survey the code.', sim, { messages: [...messages] });
        calls = toolCalls(response.content);
        expect(calls).toHaveLength(turn === 1 ? 2 : 1);
        messages.push(
          { role: 'assistant', content: response.content },
          { role: 'user', content: calls.map((call) => ({ type: 'tool_result', toolUseId: call.id, content: 'ok', isError: false })) },
        );
      }
      const final = await ask('Survey the code.', sim, { messages });
      expect(final.content).toEqual([
        { type: 'text', text: '(simulated) conformance test finished: Survey the code.\n\n- Read 2 files\n- Searched for "TODO"' },
      ]);
    });

    it('classifies a 429 with retry-after as retryable with the advised wait', async () => {
      const error = await failure(ask('Rate limit me.', { fail: { status: 429, times: 1, retryAfterMs: 1500 } }));
      expect(error.code).toBe('MODEL_ERROR');
      expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 1500 });
      expect(error.message).toContain('429');
      expect(error.message).not.toContain('\n');
    });

    it('classifies a 429 on a streamed call the same way', async () => {
      const error = await failure(
        ask('Rate limit my stream.', { fail: { status: 429, times: 1, retryAfterMs: 800 } }, { onDelta: () => {} }),
      );
      expect(error).toMatchObject({ code: 'MODEL_ERROR', status: 429, retryable: true, retryAfterMs: 800 });
    });

    it('classifies a 400 as not retryable', async () => {
      const error = await failure(ask('Reject me.', { fail: { status: 400, times: 1 } }));
      expect(error).toMatchObject({ code: 'MODEL_ERROR', status: 400, retryable: false });
    });

    it('classifies a 529 (overloaded) and a 500 as retryable', async () => {
      const overloaded = await failure(ask('Overload me.', { fail: { status: 529, times: 1 } }));
      expect(overloaded).toMatchObject({ code: 'MODEL_ERROR', status: 529, retryable: true });
      const internal = await failure(ask('Break me.', { fail: { status: 500, times: 1 } }));
      expect(internal).toMatchObject({ code: 'MODEL_ERROR', status: 500, retryable: true });
    });

    it('succeeds once the injected faults are used up', async () => {
      const sim: SimOptions = { fail: { status: 503, times: 1 }, output: 'Recovered.' };
      await failure(ask('Recover.', sim));
      const response = await ask('Recover.', sim);
      expect(response.content).toEqual([{ type: 'text', text: 'Recovered.' }]);
    });

    // The test timeout is what makes "quickly" fail: the server would answer after a minute.
    it('stops a call in flight when the signal fires', { timeout: 5_000 }, async () => {
      const controller = new AbortController();
      const pending = ask('Take your time.', { latencyMs: 60_000 }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      const error = await failure(pending);
      expect(error.code).toBe('ABORTED');
    });

    it('stops a streamed call in flight when the signal fires, whatever its reason', { timeout: 5_000 }, async () => {
      const controller = new AbortController();
      const pending = ask('Take your time streaming.', { latencyMs: 60_000 }, {
        signal: controller.signal,
        onDelta: () => {},
      });
      setTimeout(() => controller.abort(new FanoutError('LIMIT_REACHED', 'task time limit reached')), 20);
      expect((await failure(pending)).code).toBe('ABORTED');
    });

    it('does not call the model when the signal has already fired', async () => {
      const before = server.stats.requests;
      const controller = new AbortController();
      controller.abort();
      const error = await failure(ask('Never sent.', {}, { signal: controller.signal }));
      expect(error.code).toBe('ABORTED');
      expect(server.stats.requests).toBe(before);
    });
  });
}

function toolCalls(content: ReadonlyArray<{ type: string }>): ToolUseBlock[] {
  return content.filter((block): block is ToolUseBlock => block.type === 'tool_use');
}

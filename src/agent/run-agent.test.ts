import { getEventListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../contracts/clock.js';
import { FanoutError } from '../contracts/errors.js';
import type { ModelResponse, ProviderOptions, ToolResultBlock } from '../contracts/model.js';
import { ScriptedModel, textResponse, toolResponse, type ScriptedStep } from '../models/scripted-model.js';
import { runAgent, type AgentOptions } from './run-agent.js';
import { useTempDirs } from './test-support/temp-workspace.js';

const makeDir = useTempDirs();

const scoreSchema = { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] };

/**
 * A clock whose monotonic reading only moves when a model call "takes" 250 ms, and whose wall clock stands
 * still (durations are monotonic); no sleep (a tool call's time limit) ever ends.
 */
function steppingClock(): Clock & { advance(ms: number): void } {
  let monotonic = 1_000;
  return { now: () => 1_700_000_000_000, monotonic: () => monotonic, sleep: () => new Promise<void>(() => undefined), advance: (ms) => (monotonic += ms) };
}

async function setup(steps: ScriptedStep[], overrides: Partial<AgentOptions> & { cwd?: string } = {}) {
  const model = new ScriptedModel(steps);
  const cwd = overrides.cwd ?? (await makeDir({ 'notes.txt': 'hello notes' }));
  const clock = steppingClock();
  const modelCalls: unknown[] = [];
  const toolCalls: unknown[] = [];
  const options: AgentOptions = {
    system: 'You are a tester.',
    prompt: 'Do the task.',
    call: async (request) => {
      clock.advance(250);
      return model.generate(request);
    },
    cwd,
    writes: ['out/**'],
    maxTurns: 5,
    signal: new AbortController().signal,
    onModelCall: (info) => modelCalls.push(info),
    onToolCall: (info) => toolCalls.push(info),
    clock,
    ...overrides,
  };
  return { model, cwd, options, modelCalls, toolCalls };
}

function toolResults(response: { content: unknown[] } | undefined): ToolResultBlock[] {
  return (response?.content ?? []) as ToolResultBlock[];
}

describe('runAgent', () => {
  it('returns the final text and sends system, prompt, tools, maxTokens, signal and provider options', async () => {
    const providerOptions: ProviderOptions = { sim: { latencyMs: 5, output: 'x' } };
    const signal = new AbortController().signal;
    const final: ModelResponse = {
      content: [
        { type: 'text', text: 'Hello, ' },
        { type: 'text', text: 'world.' },
      ],
      stopReason: 'end_turn',
      usage: { inputTokens: 7, outputTokens: 3 },
    };
    const { model, options } = await setup([final], { providerOptions, signal, maxTokensPerCall: 1234 });
    const result = await runAgent(options);
    expect(result).toEqual({ status: 'succeeded', text: 'Hello, world.', turns: 1, usage: { inputTokens: 7, outputTokens: 3 } });
    const [request] = model.requests;
    expect(request?.system).toBe('You are a tester.');
    expect(request?.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Do the task.' }] }]);
    expect(request?.tools.map((tool) => tool.name)).toEqual(['read_file', 'write_file', 'edit_file', 'list_files', 'grep']);
    expect(request?.maxTokens).toBe(1234);
    expect(request?.signal).toBe(signal);
    expect(request?.providerOptions).toBe(providerOptions);
  });

  it('takes an answer stopped at max_tokens as cut short: limit when a token cap left the room, failed at the per-call maximum', async () => {
    const cut: ModelResponse = { content: [{ type: 'text', text: 'The first half of' }], stopReason: 'max_tokens', usage: { inputTokens: 40, outputTokens: 60 } };
    const capped = await setup([cut], { maxTokensPerCall: 1000, tokenRoom: () => 60, checkLimit: () => 'maxTokens 100 reached (100 tokens used)' });
    expect(await runAgent(capped.options)).toMatchObject({
      status: 'limit',
      text: 'The first half of',
      error: 'maxTokens 100 reached (100 tokens used): the answer was cut short at 60 output tokens (max_tokens)',
    });

    const perCall = await setup([cut], { maxTokensPerCall: 60 });
    expect(await runAgent(perCall.options)).toMatchObject({
      status: 'failed',
      error: 'the answer was cut short at 60 output tokens (max_tokens), the most one model call may write',
    });
  });

  it('executes tool calls, feeds the results back, and sums usage over turns', async () => {
    const { model, cwd, options, modelCalls, toolCalls } = await setup([
      toolResponse([
        { name: 'read_file', input: { path: 'notes.txt' }, id: 'read' },
        { name: 'write_file', input: { path: 'out/result.md', content: 'done' }, id: 'write' },
        { name: 'write_file', input: { path: 'notes.txt', content: 'changed' }, id: 'denied' },
      ]),
      toolResponse([{ name: 'list_files', input: { path: 'out' } }], { inputTokens: 20, outputTokens: 2 }),
      textResponse('All done.', { inputTokens: 30, outputTokens: 4 }),
    ]);
    const result = await runAgent(options);

    expect(result).toEqual({ status: 'succeeded', text: 'All done.', turns: 3, usage: { inputTokens: 60, outputTokens: 11 } });
    expect(model.remaining).toBe(0);
    expect(await readFile(path.join(cwd, 'out/result.md'), 'utf8')).toBe('done');
    expect(await readFile(path.join(cwd, 'notes.txt'), 'utf8')).toBe('hello notes');

    const second = model.requests[1]?.messages ?? [];
    expect(second.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(toolResults(second[2])).toEqual([
      { type: 'tool_result', toolUseId: 'read', content: 'hello notes', isError: false },
      { type: 'tool_result', toolUseId: 'write', content: 'Wrote 4 bytes to out/result.md', isError: false },
      {
        type: 'tool_result',
        toolUseId: 'denied',
        content: 'write to "notes.txt" refused: outside this task\'s write scope (allowed: out/**)',
        isError: true,
      },
    ]);
    expect(toolResults(model.requests[2]?.messages[4])[0]?.content).toBe('out/result.md');

    expect(modelCalls).toEqual([
      { turn: 1, inputTokens: 10, outputTokens: 5, durationMs: 250 },
      { turn: 2, inputTokens: 20, outputTokens: 2, durationMs: 250 },
      { turn: 3, inputTokens: 30, outputTokens: 4, durationMs: 250 },
    ]);
    expect(toolCalls).toHaveLength(4);
    expect(toolCalls).toContainEqual({ tool: 'write_file', ok: true, detail: 'out/result.md' });
    expect(toolCalls).toContainEqual(expect.objectContaining({ tool: 'write_file', ok: false }));
  });

  it('refuses writes into its protected directories even with a write scope of everything', async () => {
    const cwd = await makeDir({ '.fanout/runs.db': 'db' });
    const { model, options } = await setup(
      [
        toolResponse([{ name: 'write_file', input: { path: '.fanout/runs.db', content: 'x' }, id: 'store' }]),
        textResponse('Tried.'),
      ],
      { cwd, writes: ['**'], protectedPaths: [path.join(cwd, '.fanout')] },
    );
    await runAgent(options);
    expect(toolResults(model.requests[1]?.messages[2])).toEqual([
      {
        type: 'tool_result',
        toolUseId: 'store',
        content: 'write to ".fanout/runs.db" refused: .fanout is a protected directory, never writable by subagents',
        isError: true,
      },
    ]);
    expect(await readFile(path.join(cwd, '.fanout/runs.db'), 'utf8')).toBe('db');
  });

  it('stops with status limit when maxTurns is reached with tool calls pending, without running them', async () => {
    const { model, cwd, options } = await setup(
      [
        toolResponse([{ name: 'list_files', input: {} }]),
        {
          content: [
            { type: 'text', text: 'Writing now.' },
            { type: 'tool_use', id: 't', name: 'write_file', input: { path: 'out/late.txt', content: 'x' } },
          ],
          stopReason: 'tool_use',
          usage: { inputTokens: 1, outputTokens: 1 },
        },
      ],
      { maxTurns: 2 },
    );
    const result = await runAgent(options);
    expect(result).toEqual({
      status: 'limit',
      text: 'Writing now.',
      turns: 2,
      usage: { inputTokens: 11, outputTokens: 6 },
      error: 'maxTurns 2 reached (2 model calls) before a final answer',
    });
    expect(model.requests).toHaveLength(2);
    await expect(readFile(path.join(cwd, 'out/late.txt'))).rejects.toThrow();
  });

  it('rejects at once with the signal reason when aborted during a model call', async () => {
    const controller = new AbortController();
    const timeout = new FanoutError('LIMIT_REACHED', 'task timed out after 50 ms');
    // The call ignores its signal and never settles: the loop must not wait for it.
    const hangingCall = (): Promise<ModelResponse> => {
      queueMicrotask(() => controller.abort(timeout));
      return new Promise<ModelResponse>(() => {});
    };
    const { options } = await setup([hangingCall], { signal: controller.signal });
    await expect(runAgent(options)).rejects.toBe(timeout);
  });

  it('keeps one abort listener on the signal while it runs, whatever the number of turns, and none after', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const { options } = await setup(
      [toolResponse([{ name: 'list_files', input: {} }]), toolResponse([{ name: 'list_files', input: {} }]), textResponse('done')],
      { signal: controller.signal, onModelCall: () => seen.push(getEventListeners(controller.signal, 'abort').length) },
    );
    await expect(runAgent(options)).resolves.toMatchObject({ status: 'succeeded', turns: 3 });
    expect(seen).toEqual([1, 1, 1]);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with ABORTED when aborted between turns, without another model call', async () => {
    const controller = new AbortController();
    const { model, options } = await setup([toolResponse([{ name: 'list_files', input: {} }]), textResponse('never')], {
      signal: controller.signal,
      onToolCall: () => controller.abort(),
    });
    const error = await runAgent(options).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(FanoutError);
    expect((error as FanoutError).code).toBe('ABORTED');
    expect(model.requests).toHaveLength(1);
  });

  it('does not call the model when the signal has already fired', async () => {
    const controller = new AbortController();
    controller.abort();
    const { model, options } = await setup([textResponse('never')], { signal: controller.signal });
    await expect(runAgent(options)).rejects.toMatchObject({ code: 'ABORTED' });
    expect(model.requests).toHaveLength(0);
  });

  it('propagates model errors', async () => {
    const failure = new FanoutError('MODEL_ERROR', 'HTTP 500 from the model', { status: 500 });
    const { options } = await setup([{ error: failure }]);
    await expect(runAgent(options)).rejects.toBe(failure);
  });

  it('succeeds with empty text when the model says nothing and no schema is set', async () => {
    const { options } = await setup([{ content: [], stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 0 } }]);
    expect(await runAgent(options)).toMatchObject({ status: 'succeeded', text: '', turns: 1 });
  });

  it('rejects a maxTurns below 1', async () => {
    const { options } = await setup([], { maxTurns: 0 });
    await expect(runAgent(options)).rejects.toMatchObject({ code: 'OPTION_INVALID' });
  });
});

describe('runAgent with caller limits', () => {
  it('offers only the allowed tools and refuses calls to the others', async () => {
    const { model, cwd, options, toolCalls } = await setup(
      [toolResponse([{ name: 'write_file', input: { path: 'out/x.md', content: 'x' } }]), textResponse('done')],
      { tools: ['read_file', 'grep'] },
    );
    expect(await runAgent(options)).toMatchObject({ status: 'succeeded', turns: 2 });
    expect(model.requests[0]?.tools.map((tool) => tool.name)).toEqual(['read_file', 'grep']);
    expect(toolResults(model.requests[1]?.messages[2])[0]).toMatchObject({
      isError: true,
      content: 'unknown tool "write_file"; available tools: read_file, grep',
    });
    expect(toolCalls).toEqual([expect.objectContaining({ tool: 'write_file', ok: false })]);
    await expect(readFile(path.join(cwd, 'out/x.md'))).rejects.toThrow();
  });

  it('offers no tools for an empty list, and rejects an unknown tool name', async () => {
    const { model, options } = await setup([textResponse('done')], { tools: [] });
    await runAgent(options);
    expect(model.requests[0]?.tools).toEqual([]);
    const bad = await setup([], { tools: ['Bash'] });
    await expect(runAgent(bad.options)).rejects.toMatchObject({
      code: 'OPTION_INVALID',
      message: 'unknown tool "Bash" (expected read_file, write_file, edit_file, list_files, grep)',
    });
  });

  it('asks for fewer output tokens when the token room is below maxTokensPerCall', async () => {
    let room = 5000;
    const { model, options } = await setup(
      [toolResponse([{ name: 'list_files', input: {} }]), textResponse('done')],
      { tokenRoom: () => room, onModelCall: () => (room = 300) },
    );
    await runAgent(options);
    expect(model.requests.map((request) => request.maxTokens)).toEqual([4096, 300]);
  });

  it('stops with status limit and the reason of checkLimit before running pending tool calls', async () => {
    const { model, cwd, options } = await setup(
      [toolResponse([{ name: 'write_file', input: { path: 'out/x.md', content: 'x' } }]), textResponse('never')],
      { checkLimit: () => 'maxTokens 10 reached (15 tokens used)' },
    );
    expect(await runAgent(options)).toMatchObject({ status: 'limit', turns: 1, error: 'maxTokens 10 reached (15 tokens used)' });
    expect(model.requests).toHaveLength(1);
    await expect(readFile(path.join(cwd, 'out/x.md'))).rejects.toThrow();
  });

  it('keeps a final answer even when checkLimit has a reason: the answer is already paid for', async () => {
    const { options } = await setup([textResponse('final')], { checkLimit: () => 'budgetUsd $0.01 reached ($0.02 spent)' });
    expect(await runAgent(options)).toMatchObject({ status: 'succeeded', text: 'final' });
  });

  it('does not repair an invalid JSON answer once checkLimit has a reason', async () => {
    const { model, options } = await setup([textResponse('{}'), textResponse('{"score": 1}')], {
      outputSchema: scoreSchema,
      checkLimit: () => 'maxTokens 10 reached (15 tokens used)',
    });
    const result = await runAgent(options);
    expect(result.status).toBe('limit');
    expect(result.error).toBe(
      "maxTokens 10 reached (15 tokens used) before the output could be repaired: (root) must have required property 'score'",
    );
    expect(model.requests).toHaveLength(1);
  });

  it('runs no tool call when the signal fires in onModelCall', async () => {
    const controller = new AbortController();
    const { cwd, options } = await setup([toolResponse([{ name: 'write_file', input: { path: 'out/x.md', content: 'x' } }])], {
      signal: controller.signal,
      onModelCall: () => controller.abort(new FanoutError('LIMIT_REACHED', 'run maxTurns 1 reached (1 model calls)')),
    });
    await expect(runAgent(options)).rejects.toMatchObject({ code: 'LIMIT_REACHED' });
    await expect(readFile(path.join(cwd, 'out/x.md'))).rejects.toThrow();
  });
});

describe('runAgent with an output schema', () => {
  it('returns the parsed JSON when the answer validates', async () => {
    const { options } = await setup([textResponse('Result:\n```json\n{"score": 4}\n```')], { outputSchema: scoreSchema });
    expect(await runAgent(options)).toMatchObject({ status: 'succeeded', json: { score: 4 }, turns: 1 });
  });

  it('asks once for a repair, stating the validation errors, and accepts the corrected JSON', async () => {
    const { model, options } = await setup([textResponse('{"score": "high"}'), textResponse('{"score": 9}')], {
      outputSchema: scoreSchema,
    });
    const result = await runAgent(options);
    expect(result).toMatchObject({ status: 'succeeded', text: '{"score": 9}', json: { score: 9 }, turns: 2 });
    const repair = model.requests[1]?.messages.at(-1);
    expect(repair?.role).toBe('user');
    expect(repair?.content[0]).toMatchObject({ type: 'text', text: expect.stringContaining('/score must be number') });
  });

  it('fails with the validation errors when the repair is invalid too', async () => {
    const { model, options } = await setup([textResponse('no json here'), textResponse('{"other": 1}')], {
      outputSchema: scoreSchema,
    });
    const result = await runAgent(options);
    expect(result).toMatchObject({ status: 'failed', turns: 2, text: '{"other": 1}' });
    expect(result.json).toBeUndefined();
    expect(result.error).toBe(
      "output does not match its JSON Schema after one repair attempt: (root) must have required property 'score'",
    );
    expect(model.remaining).toBe(0);
  });

  it('fails without a repair when no turn is left', async () => {
    const { model, options } = await setup([textResponse('{}')], { outputSchema: scoreSchema, maxTurns: 1 });
    const result = await runAgent(options);
    expect(result.status).toBe('failed');
    expect(result.error).toContain('leaves no turn to repair');
    expect(model.requests).toHaveLength(1);
  });

  it('keeps roles alternating when repairing an empty answer', async () => {
    const { model, options } = await setup(
      [{ content: [], stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 0 } }, textResponse('{"score": 1}')],
      { outputSchema: scoreSchema },
    );
    expect(await runAgent(options)).toMatchObject({ status: 'succeeded', json: { score: 1 } });
    const messages = model.requests[1]?.messages ?? [];
    expect(messages.map((message) => message.role)).toEqual(['user']);
    expect(messages[0]?.content).toHaveLength(2);
    expect(messages[0]?.content[1]).toMatchObject({ text: expect.stringContaining('the answer is empty') });
  });
});

import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import type { ModelDelta } from '../../contracts/model.js';
import { collectChatStream } from './openai-stream.js';

type Delta = ChatCompletionChunk.Choice.Delta;

/** Chunks as a compatible server sends them: `delta` and `finish_reason` per chunk, optional usage. */
function chunk(delta: Delta | Record<string, unknown>, finishReason: string | null = null): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [{ index: 0, delta: delta as Delta, finish_reason: finishReason as ChatCompletionChunk.Choice['finish_reason'] }],
  };
}

function usageChunk(prompt: number, completion: number): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

async function collect(chunks: ChatCompletionChunk[]) {
  const deltas: ModelDelta[] = [];
  async function* stream(): AsyncGenerator<ChatCompletionChunk> {
    yield* chunks;
  }
  const response = await collectChatStream(stream(), (delta) => deltas.push(delta));
  return { response, deltas };
}

describe('collectChatStream', () => {
  it('adds up text deltas, reports them as they come, and takes usage from the usage chunk', async () => {
    const { response, deltas } = await collect([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hello, ' }),
      chunk({ content: 'world.' }),
      chunk({}, 'stop'),
      usageChunk(10, 3),
    ]);
    expect(deltas).toEqual([
      { type: 'text-delta', text: 'Hello, ' },
      { type: 'text-delta', text: 'world.' },
    ]);
    expect(response).toEqual({ content: [{ type: 'text', text: 'Hello, world.' }], stopReason: 'end_turn', usage: { inputTokens: 10, outputTokens: 3 } });
  });

  it('assembles tool calls from fragments keyed by index, announcing each name once', async () => {
    const { response, deltas } = await collect([
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'grep', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'read_file', arguments: '{"pa' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"pattern":' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: 'th":"a.ts"}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(deltas).toEqual([
      { type: 'tool-call', name: 'grep' },
      { type: 'tool-call', name: 'read_file' },
    ]);
    expect(response?.content).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'grep', input: { pattern: 'x' } },
      { type: 'tool_use', id: 'call_b', name: 'read_file', input: { path: 'a.ts' } },
    ]);
    expect(response?.stopReason).toBe('tool_use');
  });

  it('takes whole calls in one chunk, calls without an index, and a new id at a used index as new calls', async () => {
    const { response } = await collect([
      chunk({ content: 'Two reads.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', function: { name: 'read_file', arguments: '{"path":"a.ts"}' } }] }),
      // Some servers number every call 0.
      chunk({ tool_calls: [{ index: 0, id: 'call_2', function: { name: 'read_file', arguments: '{"path":"b.ts"}' } }] }),
      chunk({ tool_calls: [{ id: 'call_3', function: { name: 'grep', arguments: '{"pattern"' } }] }),
      chunk({ tool_calls: [{ function: { arguments: ':"y"}' } }] }),
      // finish_reason "stop" with tool calls, as some local servers send it.
      chunk({}, 'stop'),
    ]);
    expect(response?.content).toEqual([
      { type: 'text', text: 'Two reads.' },
      { type: 'tool_use', id: 'call_1', name: 'read_file', input: { path: 'a.ts' } },
      { type: 'tool_use', id: 'call_2', name: 'read_file', input: { path: 'b.ts' } },
      { type: 'tool_use', id: 'call_3', name: 'grep', input: { pattern: 'y' } },
    ]);
    expect(response?.stopReason).toBe('tool_use');
    expect(response?.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  });

  it('marks a call cut off at the token limit and keeps usage sent on the last choice chunk', async () => {
    const last = { ...chunk({}, 'length'), usage: { prompt_tokens: 4, completion_tokens: 9, total_tokens: 13 } };
    const { response } = await collect([
      chunk({ tool_calls: [{ index: 0, function: { name: 'write_file', arguments: '{"path":"a.ts","content":"lo' } }] }),
      last,
    ]);
    expect(response?.stopReason).toBe('max_tokens');
    expect(response?.usage).toEqual({ inputTokens: 4, outputTokens: 9 });
    expect(response?.content[0]).toMatchObject({ type: 'tool_use', id: 'call_0', name: 'write_file', input: {} });
    expect(response?.content[0]).toHaveProperty('inputError', expect.stringContaining('not valid JSON'));
  });

  it('returns a streamed refusal as text with stop reason refusal', async () => {
    const { response } = await collect([chunk({ refusal: 'I cannot ' }), chunk({ refusal: 'do that.' }), chunk({}, 'stop')]);
    expect(response).toMatchObject({ content: [{ type: 'text', text: 'I cannot do that.' }], stopReason: 'refusal' });
  });

  it('is undefined when the stream ends before a finish_reason', async () => {
    const { response, deltas } = await collect([chunk({ content: 'Half an ans' })]);
    expect(response).toBeUndefined();
    expect(deltas).toHaveLength(1);
  });
});

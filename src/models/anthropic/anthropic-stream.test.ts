import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { describe, expect, it } from 'vitest';
import type { ModelDelta } from '../../contracts/model.js';
import { collectMessageStream } from './anthropic-stream.js';

const usage = { input_tokens: 10, output_tokens: 1, cache_creation_input_tokens: 2, cache_read_input_tokens: 3 };

/** The events of a message as the API streams them, `message_start` first; `stop` adds `message_stop`. */
function events(blocks: RawMessageStreamEvent[], stop = true): RawMessageStreamEvent[] {
  const start = {
    type: 'message_start',
    message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, stop_sequence: null, usage },
  } as unknown as RawMessageStreamEvent;
  return [start, ...blocks, ...(stop ? [{ type: 'message_stop' } as RawMessageStreamEvent] : [])];
}

const textBlock = (index: number, ...pieces: string[]): RawMessageStreamEvent[] => [
  { type: 'content_block_start', index, content_block: { type: 'text', text: '', citations: null } },
  ...pieces.map((text): RawMessageStreamEvent => ({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } })),
  { type: 'content_block_stop', index },
] as RawMessageStreamEvent[];

const toolBlock = (index: number, id: string, name: string, ...json: string[]): RawMessageStreamEvent[] => [
  { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name, input: {} } },
  ...json.map((partial_json): RawMessageStreamEvent => ({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } })),
  { type: 'content_block_stop', index },
] as RawMessageStreamEvent[];

const messageDelta = (stopReason: string, outputTokens: number): RawMessageStreamEvent =>
  ({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } }) as unknown as RawMessageStreamEvent;

async function collect(stream: RawMessageStreamEvent[]) {
  const deltas: ModelDelta[] = [];
  async function* iterate(): AsyncGenerator<RawMessageStreamEvent> {
    yield* stream;
  }
  const response = await collectMessageStream(iterate(), (delta) => deltas.push(delta));
  return { response, deltas };
}

describe('collectMessageStream', () => {
  it('adds up text deltas, reports them as they come, and counts cached input as input', async () => {
    const { response, deltas } = await collect(events([...textBlock(0, 'Hello, ', 'world.'), messageDelta('end_turn', 4)]));
    expect(deltas).toEqual([
      { type: 'text-delta', text: 'Hello, ' },
      { type: 'text-delta', text: 'world.' },
    ]);
    expect(response).toEqual({ content: [{ type: 'text', text: 'Hello, world.' }], stopReason: 'end_turn', usage: { inputTokens: 15, outputTokens: 4 } });
  });

  it('assembles each tool call from its JSON fragments, announcing its name when it starts', async () => {
    const { response, deltas } = await collect(
      events([
        ...textBlock(0, 'Reading.'),
        ...toolBlock(1, 'toolu_a', 'read_file', '{"pa', 'th":"a.ts"}'),
        ...toolBlock(2, 'toolu_b', 'list_files'),
        messageDelta('tool_use', 9),
      ]),
    );
    expect(deltas).toEqual([
      { type: 'text-delta', text: 'Reading.' },
      { type: 'tool-call', name: 'read_file' },
      { type: 'tool-call', name: 'list_files' },
    ]);
    expect(response).toMatchObject({
      content: [
        { type: 'text', text: 'Reading.' },
        { type: 'tool_use', id: 'toolu_a', name: 'read_file', input: { path: 'a.ts' } },
        { type: 'tool_use', id: 'toolu_b', name: 'list_files', input: {} },
      ],
      stopReason: 'tool_use',
    });
  });

  it('reports a stop reason it does not know as other', async () => {
    const { response } = await collect(events([...textBlock(0, 'Paused.'), messageDelta('pause_turn', 1)]));
    expect(response?.stopReason).toBe('other');
  });

  it('is undefined when the stream ends before message_stop', async () => {
    const { response, deltas } = await collect(events(textBlock(0, 'Half an ans'), false));
    expect(response).toBeUndefined();
    expect(deltas).toHaveLength(1);
  });
});

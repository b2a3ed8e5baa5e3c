import type { ChatCompletion } from 'openai/resources/chat/completions';
import { describe, expect, it } from 'vitest';
import {
  fromChatCompletion,
  parseToolArguments,
  toChatMessages,
  toChatTools,
  toStopReason,
} from './openai-messages.js';

describe('toChatMessages', () => {
  it('puts the system prompt first, and skips an empty system prompt', () => {
    const messages = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Hi' }] }];
    expect(toChatMessages({ system: 'Be brief.', messages })).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
    expect(toChatMessages({ system: '', messages })).toEqual([{ role: 'user', content: 'Hi' }]);
  });

  it('sends tool results as tool messages before the text of the same turn', () => {
    const chat = toChatMessages({
      system: '',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Also, fix the test.' },
            { type: 'tool_result', toolUseId: 'call_a', content: 'file a', isError: false },
            { type: 'tool_result', toolUseId: 'call_b', content: 'no such file', isError: true },
          ],
        },
      ],
    });
    expect(chat).toEqual([
      { role: 'tool', tool_call_id: 'call_a', content: 'file a' },
      { role: 'tool', tool_call_id: 'call_b', content: 'Error: no such file' },
      { role: 'user', content: 'Also, fix the test.' },
    ]);
  });

  it('joins several text blocks into one string and keeps an empty user turn', () => {
    const chat = toChatMessages({
      system: '',
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'One.' }, { type: 'text', text: '' }, { type: 'text', text: 'Two.' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Ok.' }] },
        { role: 'user', content: [] },
      ],
    });
    expect(chat).toEqual([
      { role: 'user', content: 'One.\n\nTwo.' },
      { role: 'assistant', content: 'Ok.' },
      { role: 'user', content: '' },
    ]);
  });

  it('sends an assistant turn with tool calls, its text as content (null when none)', () => {
    const [withText, withoutText] = toChatMessages({
      system: '',
      messages: [
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Looking.' },
            { type: 'tool_use', id: 'call_1', name: 'grep', input: { pattern: 'x' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_2', name: 'list_files', input: {} }] },
      ],
    });
    expect(withText).toEqual({
      role: 'assistant',
      content: 'Looking.',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'grep', arguments: '{"pattern":"x"}' } }],
    });
    expect(withoutText).toMatchObject({ content: null, tool_calls: [{ id: 'call_2', function: { arguments: '{}' } }] });
  });
});

describe('toChatTools', () => {
  it('wraps each spec as a function tool with its schema as parameters', () => {
    const schema = { type: 'object', properties: { path: { type: 'string' } } };
    expect(toChatTools([{ name: 'read_file', description: 'Read.', inputSchema: schema }])).toEqual([
      { type: 'function', function: { name: 'read_file', description: 'Read.', parameters: schema } },
    ]);
  });
});

describe('parseToolArguments', () => {
  it('parses a JSON object and treats empty arguments as no input', () => {
    expect(parseToolArguments('{"path":"a.ts","n":[1]}')).toEqual({ input: { path: 'a.ts', n: [1] } });
    expect(parseToolArguments('')).toEqual({ input: {} });
    expect(parseToolArguments('  ')).toEqual({ input: {} });
  });

  it('gives an empty input and an error naming the arguments when they are not a JSON object', () => {
    const cut = parseToolArguments('{"path":"a.t');
    expect(cut.input).toEqual({});
    expect(cut.error).toMatch(/^the arguments are not valid JSON \(.+\): \{"path":"a\.t$/);
    expect(parseToolArguments('[1,2]')).toEqual({ input: {}, error: 'the arguments must be a JSON object, got [1,2]' });
    expect(parseToolArguments('null').error).toBe('the arguments must be a JSON object, got null');
    expect(parseToolArguments(`"${'x'.repeat(500)}`).error!.length).toBeLessThan(300);
  });
});

describe('toStopReason', () => {
  it.each([
    ['stop', false, 'end_turn'],
    ['stop', true, 'tool_use'],
    ['tool_calls', true, 'tool_use'],
    ['function_call', true, 'tool_use'],
    ['length', true, 'max_tokens'],
    ['content_filter', false, 'refusal'],
    [null, false, 'other'],
    ['eos', true, 'tool_use'],
  ] as const)('%s with tool calls %s is %s', (reason, hasCalls, expected) => {
    expect(toStopReason(reason, hasCalls)).toBe(expected);
  });
});

describe('fromChatCompletion', () => {
  const completion = (message: Record<string, unknown>, finish_reason: string, usage?: Record<string, number>): ChatCompletion =>
    ({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 0,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: null, refusal: null, ...message }, logprobs: null, finish_reason }],
      ...(usage === undefined ? {} : { usage }),
    }) as unknown as ChatCompletion;

  it('returns text, then tool calls with parsed input, and usage', () => {
    const response = fromChatCompletion(
      completion(
        {
          content: 'Reading.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.ts"}' } },
            { id: 'call_2', type: 'custom', custom: { name: 'free', input: 'x' } },
          ],
        },
        'tool_calls',
        { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
      ),
    );
    expect(response).toEqual({
      content: [
        { type: 'text', text: 'Reading.' },
        { type: 'tool_use', id: 'call_1', name: 'read_file', input: { path: 'a.ts' } },
      ],
      stopReason: 'tool_use',
      usage: { inputTokens: 12, outputTokens: 5 },
    });
  });

  it('marks a call whose arguments are not JSON, gives calls without an id one, and counts missing usage as zero', () => {
    const response = fromChatCompletion(
      completion(
        {
          tool_calls: [
            { id: '', type: 'function', function: { name: 'write_file', arguments: '{"path":"a.ts","content":"ab' } },
            { type: 'function', function: { name: 'list_files', arguments: '' } },
          ],
        },
        'length',
      ),
    )!;
    expect(response.stopReason).toBe('max_tokens');
    expect(response.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
    const [cut, noArgs] = response.content;
    expect(cut).toMatchObject({ type: 'tool_use', id: 'call_0', name: 'write_file', input: {} });
    expect(cut).toHaveProperty('inputError', expect.stringContaining('not valid JSON'));
    expect(noArgs).toEqual({ type: 'tool_use', id: 'call_1', name: 'list_files', input: {} });
  });

  it('returns a refusal as the text, with stop reason refusal', () => {
    const response = fromChatCompletion(completion({ refusal: 'I cannot help with that.' }, 'stop'));
    expect(response).toMatchObject({ content: [{ type: 'text', text: 'I cannot help with that.' }], stopReason: 'refusal' });
  });

  it('is undefined when the completion has no choice', () => {
    expect(fromChatCompletion({ ...completion({}, 'stop'), choices: [] })).toBeUndefined();
  });
});

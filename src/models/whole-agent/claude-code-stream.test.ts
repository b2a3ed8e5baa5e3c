import { describe, expect, it } from 'vitest';
import type { WholeAgentEvent } from '../../contracts/whole-agent.js';
import { claudeCodeAllowedTools } from './claude-code-agent.js';
import { ClaudeCodeStream } from './claude-code-stream.js';

// Lines as Claude Code 2.1.328 writes them with `-p --output-format stream-json --verbose`
// (shortened to the fields read): an assistant message comes as one line per content block,
// each with the message's id and usage.
const usage = { input_tokens: 2135, output_tokens: 12, cache_creation_input_tokens: 100, cache_read_input_tokens: 900 };
const LINES = [
  { type: 'system', subtype: 'init', cwd: '/w', tools: ['Read', 'Write'] },
  { type: 'assistant', message: { id: 'msg_1', content: [{ type: 'text', text: 'Writing.' }], usage } },
  { type: 'assistant', message: { id: 'msg_1', content: [{ type: 'tool_use', id: 'tu_1', name: 'Write', input: {} }], usage } },
  { type: 'assistant', message: { id: 'msg_1', content: [{ type: 'tool_use', id: 'tu_2', name: 'Write', input: {} }], usage } },
  {
    type: 'user',
    message: {
      content: [{ type: 'tool_result', tool_use_id: 'tu_1', is_error: true, content: "Claude requested permissions to write to /w/x.txt, but you haven't granted it yet." }],
    },
  },
  { type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 'tu_2', content: 'File created successfully at: /w/a.txt' }] } },
  { type: 'assistant', message: { id: 'msg_2', content: [{ type: 'text', text: 'Done.' }], usage: { input_tokens: 2200, output_tokens: 3 } } },
].map((line) => JSON.stringify(line));

function read(lines: readonly string[]): { stream: ClaudeCodeStream; events: WholeAgentEvent[] } {
  const events: WholeAgentEvent[] = [];
  const stream = new ClaudeCodeStream((event) => events.push(event));
  for (const line of lines) stream.read(line);
  return { stream, events };
}

describe('ClaudeCodeStream', () => {
  it('makes one turn per assistant message, with its tokens (cache reads and writes are input), and names each tool result by its call', () => {
    const { events } = read(LINES);
    expect(events.map((event) => (event.type === 'turn' ? [event.type, event.turn, event.inputTokens, event.outputTokens] : event))).toEqual([
      ['turn', 1, 3135, 12],
      { type: 'tool-call', tool: 'Write', ok: false, detail: "Claude requested permissions to write to /w/x.txt, but you haven't granted it yet." },
      { type: 'tool-call', tool: 'Write', ok: true },
      ['turn', 2, 2200, 3],
    ]);
  });

  it('takes the answer and the totals from the result line', () => {
    const result = { type: 'result', subtype: 'success', is_error: false, result: 'Created a.txt', num_turns: 2, total_cost_usd: 0.0177, usage: { input_tokens: 4318, output_tokens: 23 } };
    const { stream } = read([...LINES, JSON.stringify(result)]);
    expect(stream.result).toEqual({ isError: false, subtype: 'success', text: 'Created a.txt', turns: 2, usage: { inputTokens: 4318, outputTokens: 23 }, costUsd: 0.0177 });
  });

  it('keeps the reason of an error result, from its errors list first', () => {
    const maxTurns = { type: 'result', subtype: 'error_max_turns', is_error: true, num_turns: 2, errors: ['Reached maximum number of turns (1)'] };
    expect(read([JSON.stringify(maxTurns)]).stream.result).toMatchObject({ isError: true, subtype: 'error_max_turns', error: 'Reached maximum number of turns (1)' });
    const apiError = { type: 'result', subtype: 'success', is_error: true, result: 'API Error: 500 overloaded\nmore', num_turns: 1 };
    expect(read([JSON.stringify(apiError)]).stream.result).toMatchObject({ isError: true, error: 'API Error: 500 overloaded' });
  });

  it('skips lines that are not JSON objects or of a type it does not know', () => {
    const { stream, events } = read(['', 'warning: something', '{not json', JSON.stringify({ type: 'rate_limit_event', info: {} })]);
    expect(events).toEqual([]);
    expect(stream.result).toBeUndefined();
  });
});

describe('claudeCodeAllowedTools', () => {
  it('maps the read tools and turns each write glob into an anchored Edit rule', () => {
    expect(claudeCodeAllowedTools(undefined, ['src/**', 'README.md'])).toEqual(['Read', 'Glob', 'Grep', 'Edit(./src/**)', 'Edit(./README.md)']);
    expect(claudeCodeAllowedTools(['read_file', 'bash'], ['src/**'])).toEqual(['Read', 'Bash']);
    expect(claudeCodeAllowedTools(undefined, [])).toEqual(['Read', 'Glob', 'Grep']);
  });
});

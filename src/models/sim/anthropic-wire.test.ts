import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSimDirective } from './sim-directives.js';
import { startSimServer } from './sim-server.js';
import type { SimServer } from './sim-server.js';
import { parseSse, postJson } from './test-support/sim-test-helpers.js';

let server: SimServer;
let messagesUrl: string;
beforeAll(async () => {
  server = await startSimServer();
  messagesUrl = `${server.url}/v1/messages?beta=true`;
});
afterAll(() => server.close());

const INPUT = { path: 'src/a.ts', content: 'export const answer = 42;\n'.repeat(3) };
const SCRIPTED = {
  model: 'claude-sonnet-4-5',
  max_tokens: 1000,
  system: [
    { type: 'text', text: 'You are a backend specialist.', cache_control: { type: 'ephemeral' } },
    { type: 'text', text: encodeSimDirective({ script: [{ text: 'Let me write it.', tools: [{ name: 'write_file', input: INPUT }] }], output: 'Finished.' }) },
  ],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Write src/a.ts' }] }],
};

describe('POST /v1/messages, JSON', () => {
  it('answers a scripted tool turn in the Messages API shape', async () => {
    const response = await postJson(messagesUrl, SCRIPTED);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      stop_reason: 'tool_use',
      stop_sequence: null,
      content: [
        { type: 'text', text: 'Let me write it.' },
        { type: 'tool_use', name: 'write_file', input: INPUT },
      ],
    });
    expect(body.id).toMatch(/^msg_[0-9a-f]+$/);
    expect((body.content as Array<{ id?: string }>)[1]!.id).toMatch(/^toolu_[0-9a-f]+$/);
    const usage = body.usage as { input_tokens: number; output_tokens: number };
    expect(usage.input_tokens).toBeGreaterThan(10);
    expect(usage.output_tokens).toBe(Math.ceil(('Let me write it.'.length + 'write_file'.length + JSON.stringify(INPUT).length) / 4));
  });

  it('gives the same answer, ids included, to the same request', async () => {
    const first = await (await postJson(messagesUrl, SCRIPTED)).text();
    const second = await (await postJson(messagesUrl, SCRIPTED)).text();
    expect(second).toBe(first);
  });

  it('plays the final output once the script is used up, counting split assistant messages as one turn', async () => {
    const response = await postJson(messagesUrl, {
      ...SCRIPTED,
      messages: [
        ...SCRIPTED.messages,
        { role: 'assistant', content: [{ type: 'text', text: 'Let me write it.' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'write_file', input: INPUT }] },
        { role: 'system', content: 'a mid-conversation system message, as Claude Code sends' },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'ok' }] }] },
      ],
    });
    const body = (await response.json()) as { content: unknown; stop_reason: string };
    expect(body.stop_reason).toBe('end_turn');
    expect(body.content).toEqual([{ type: 'text', text: 'Finished.' }]);
  });

  it('accepts Authorization: Bearer instead of x-api-key, and answers 401 without either', async () => {
    const bearer = await postJson(messagesUrl, SCRIPTED, { authorization: 'Bearer anything' });
    expect(bearer.status).toBe(200);
    const missing = await postJson(messagesUrl, SCRIPTED, {});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it.each([
    ['invalid JSON', '{"messages": [', 'not valid JSON'],
    ['no messages', { model: 'sim', max_tokens: 5 }, 'messages: expected an array'],
    ['an empty messages array', { messages: [] }, 'at least one message'],
    ['a bad role', { messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
    ['a malformed directive', { messages: [{ role: 'user', content: '<fanout-sim>{"latency": 5}</fanout-sim>' }] }, 'unknown key "latency"'],
  ])('answers 400 invalid_request_error for %s', async (_name, body, message) => {
    const response = await postJson(messagesUrl, body);
    expect(response.status).toBe(400);
    const error = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(error.type).toBe('error');
    expect(error.error.type).toBe('invalid_request_error');
    expect(error.error.message).toContain(message);
  });
});

describe('POST /v1/messages, streaming', () => {
  it('sends the full event sequence, each event with an event: and a data: line', async () => {
    const response = await postJson(messagesUrl, { ...SCRIPTED, stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const raw = await response.text();
    const events = parseSse(raw);
    for (const { event, data } of events) expect((data as { type: string }).type).toBe(event);

    const names = events.map((e) => e.event);
    const toolDeltas = names.filter((name, i) => name === 'content_block_delta' && (events[i]!.data as { index: number }).index === 1);
    expect(toolDeltas.length).toBeGreaterThanOrEqual(2);
    expect(names).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      ...toolDeltas,
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const data = events.map((e) => e.data as Record<string, any>);
    expect(data[0]!.message).toMatchObject({ role: 'assistant', content: [], stop_reason: null });
    expect(data[1]!.content_block).toEqual({ type: 'text', text: '' });
    expect(data[2]!.delta).toEqual({ type: 'text_delta', text: 'Let me write it.' });
    expect(data[4]!.content_block).toMatchObject({ type: 'tool_use', name: 'write_file', input: {} });
    const json = data.filter((d) => d.delta?.type === 'input_json_delta').map((d) => d.delta.partial_json as string);
    expect(JSON.parse(json.join(''))).toEqual(INPUT);
    expect(data.at(-2)).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: expect.any(Number) } });
  });

  it('streams long text in several text deltas that join to the whole answer', async () => {
    const output = 'word '.repeat(60).trim();
    const response = await postJson(messagesUrl, {
      stream: true,
      messages: [{ role: 'user', content: `long ${encodeSimDirective({ output })}` }],
    });
    const deltas = parseSse(await response.text())
      .map((e) => e.data as { delta?: { text?: string } })
      .filter((d) => d.delta?.text !== undefined);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.map((d) => d.delta!.text).join('')).toBe(output);
  });
});

describe('other Anthropic endpoints', () => {
  it('estimates input tokens at /v1/messages/count_tokens', async () => {
    const response = await postJson(`${server.url}/v1/messages/count_tokens`, { messages: [{ role: 'user', content: 'x'.repeat(40) }] });
    expect(await response.json()).toEqual({ input_tokens: 10 });
  });

  it('lists the sim model at GET /v1/models and describes any model id', async () => {
    const headers = { 'x-api-key': 'test' };
    const list = (await (await fetch(`${server.url}/v1/models`, { headers })).json()) as { data: Array<{ id: string }> };
    expect(list.data.map((model) => model.id)).toEqual(['sim']);
    const one = await (await fetch(`${server.url}/v1/models/claude-opus-4`, { headers })).json();
    expect(one).toMatchObject({ id: 'claude-opus-4', type: 'model' });
  });

  it('answers 404 not_found_error for unknown routes', async () => {
    const response = await postJson(`${server.url}/v2/nothing`, {});
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { type: 'not_found_error' } });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSimDirective } from './sim-directives.js';
import { startSimServer } from './sim-server.js';
import type { SimServer } from './sim-server.js';
import { parseSse, postJson } from './test-support/sim-test-helpers.js';

let server: SimServer;
let completionsUrl: string;
beforeAll(async () => {
  server = await startSimServer();
  completionsUrl = `${server.url}/v1/chat/completions`;
});
afterAll(() => server.close());

const AUTH = { authorization: 'Bearer test' };
const INPUTS = [
  { path: 'src/a.ts', content: 'a'.repeat(50) },
  { path: 'src/b.ts', content: 'b'.repeat(50) },
];
const SCRIPTED = {
  model: 'gpt-sim',
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'Role: reviewer' }] },
    {
      role: 'system',
      content: encodeSimDirective({ script: [{ tools: INPUTS.map((input) => ({ name: 'write_file', input })) }], output: 'Reviewed.' }),
    },
    { role: 'user', content: 'Review the code' },
  ],
};

type Chunk = { object: string; choices: Array<{ delta: Record<string, any>; finish_reason: string | null }>; usage?: unknown };

describe('POST /v1/chat/completions, JSON', () => {
  it('answers tool calls in the chat.completion shape', async () => {
    const response = await postJson(completionsUrl, SCRIPTED, AUTH);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, any>;
    expect(body).toMatchObject({ object: 'chat.completion', model: 'gpt-sim' });
    expect(body.id).toMatch(/^chatcmpl-/);
    const choice = body.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.role).toBe('assistant');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls.map((call: any) => [call.type, call.function.name, JSON.parse(call.function.arguments)])).toEqual(
      INPUTS.map((input) => ['function', 'write_file', input]),
    );
    expect(choice.message.tool_calls[0].id).toMatch(/^call_/);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
  });

  it('treats tool messages as the answer to the previous turn and plays the final output', async () => {
    const first = (await (await postJson(completionsUrl, SCRIPTED, AUTH)).json()) as Record<string, any>;
    const message = first.choices[0].message;
    const response = await postJson(
      completionsUrl,
      {
        ...SCRIPTED,
        messages: [
          ...SCRIPTED.messages,
          message,
          ...message.tool_calls.map((call: { id: string }) => ({ role: 'tool', tool_call_id: call.id, content: 'written' })),
        ],
      },
      AUTH,
    );
    const body = (await response.json()) as Record<string, any>;
    expect(body.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'Reviewed.' } });
  });

  it('answers OpenAI error objects: 401 without a key, 400 for a bad body', async () => {
    const missing = await postJson(completionsUrl, SCRIPTED, {});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key' } });

    const bad = await postJson(completionsUrl, { messages: [{ role: 'user', content: 42 }] }, AUTH);
    expect(bad.status).toBe(400);
    const error = (await bad.json()) as { error: { message: string; type: string } };
    expect(error.error.type).toBe('invalid_request_error');
    expect(error.error.message).toContain('messages[0].content');
  });
});

describe('POST /v1/chat/completions, streaming', () => {
  it('sends chunks with tool call fragments, a finish chunk, a usage chunk and [DONE]', async () => {
    const response = await postJson(completionsUrl, { ...SCRIPTED, stream: true, stream_options: { include_usage: true } }, AUTH);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const raw = await response.text();
    expect(raw).not.toContain('event:');
    const events = parseSse(raw);
    expect(events.at(-1)!.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => e.data as Chunk);
    for (const chunk of chunks) expect(chunk.object).toBe('chat.completion.chunk');

    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect(chunks.at(-2)!.choices[0]).toMatchObject({ delta: {}, finish_reason: 'tool_calls' });

    const fragments = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
    for (const index of [0, 1]) {
      const own = fragments.filter((fragment) => fragment.index === index);
      expect(own[0]).toMatchObject({ id: expect.stringMatching(/^call_/), type: 'function', function: { name: 'write_file', arguments: '' } });
      expect(own.length).toBeGreaterThanOrEqual(3);
      for (const later of own.slice(1)) expect(later).toEqual({ index, function: { arguments: expect.any(String) } });
      expect(JSON.parse(own.map((fragment) => fragment.function.arguments).join(''))).toEqual(INPUTS[index]);
    }
  });

  it('sends no usage chunk unless stream_options.include_usage is set', async () => {
    const response = await postJson(
      completionsUrl,
      { stream: true, messages: [{ role: 'user', content: `hi ${encodeSimDirective({ output: 'Hello there.' })}` }] },
      AUTH,
    );
    const chunks = parseSse(await response.text())
      .slice(0, -1)
      .map((e) => e.data as Chunk);
    expect(chunks.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1)).toBe(true);
    expect(chunks.map((chunk) => chunk.choices[0]!.delta.content ?? '').join('')).toBe('Hello there.');
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
  });

  it('fails with a 429 carrying retry-after headers when a fail directive says so', async () => {
    const body = { messages: [{ role: 'user', content: `x ${encodeSimDirective({ fail: { status: 429, times: 2, retryAfterMs: 40 } })}` }] };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await postJson(completionsUrl, body, AUTH);
      statuses.push(response.status);
      if (response.status === 429) {
        expect(response.headers.get('retry-after')).toBe('1');
        expect(response.headers.get('retry-after-ms')).toBe('40');
        expect(await response.json()).toMatchObject({ error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' } });
      }
    }
    expect(statuses).toEqual([429, 429, 200]);
  });
});

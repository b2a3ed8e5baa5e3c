import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSimDirective } from './sim-directives.js';
import { startSimServer } from './sim-server.js';
import type { SimServer } from './sim-server.js';
import { parseSse, postJson } from './test-support/sim-test-helpers.js';

let server: SimServer;
beforeAll(async () => {
  server = await startSimServer();
});
afterAll(() => server.close());

const AUTH = { authorization: 'Bearer test' };
const LONG = 'The simulated model answers with this sentence, which is long enough to be cut. '.repeat(4);
const directive = (options: object): string => encodeSimDirective({ output: LONG, ...options });

function anthropic(body: object): Promise<Response> {
  return postJson(`${server.url}/v1/messages`, { model: 'sim', ...body });
}

function openai(body: object): Promise<Response> {
  return postJson(`${server.url}/v1/chat/completions`, { model: 'sim', ...body }, AUTH);
}

function anthropicStreamText(events: ReturnType<typeof parseSse>): string {
  return events
    .map((event) => (event.data as { delta?: { type?: string; text?: string } }).delta)
    .filter((delta) => delta?.type === 'text_delta')
    .map((delta) => delta?.text)
    .join('');
}

describe('max_tokens', () => {
  it('cuts an Anthropic answer at max_tokens with stop_reason "max_tokens", JSON and streamed', async () => {
    const body = { max_tokens: 5, system: directive({}), messages: [{ role: 'user', content: 'Talk.' }] };
    const json = (await (await anthropic(body)).json()) as Record<string, any>;
    expect(json.stop_reason).toBe('max_tokens');
    expect(json.usage.output_tokens).toBe(5);
    expect(json.content).toEqual([{ type: 'text', text: LONG.slice(0, 20) }]);

    const events = parseSse(await (await anthropic({ ...body, stream: true })).text());
    const delta = events.find((event) => event.event === 'message_delta')?.data as Record<string, any>;
    expect(delta.delta.stop_reason).toBe('max_tokens');
    expect(delta.usage.output_tokens).toBe(5);
    expect(anthropicStreamText(events)).toBe(LONG.slice(0, 20));
  });

  it('drops the tool calls that do not fit whole, and leaves an answer within the limit alone', async () => {
    const script = [{ text: 'Writing.', tools: [{ name: 'write_file', input: { path: 'a.ts', content: 'x'.repeat(200) } }] }];
    const cut = (await (await anthropic({ max_tokens: 10, system: directive({ script }), messages: [{ role: 'user', content: 'Go' }] })).json()) as Record<
      string,
      any
    >;
    expect(cut).toMatchObject({ stop_reason: 'max_tokens', content: [{ type: 'text', text: 'Writing.' }] });

    const whole = (await (await anthropic({ max_tokens: 200, system: directive({ script }), messages: [{ role: 'user', content: 'Go' }] })).json()) as Record<
      string,
      any
    >;
    expect(whole.stop_reason).toBe('tool_use');
    expect(whole.content).toHaveLength(2);
  });

  it('scales a scripted outputTokens count: the cut keeps the share of the answer the limit allows', async () => {
    const json = (await (
      await anthropic({ max_tokens: 10, system: directive({ output: 'abcdefghij'.repeat(10), outputTokens: 100 }), messages: [{ role: 'user', content: 'Go' }] })
    ).json()) as Record<string, any>;
    expect(json.content[0].text).toBe('abcdefghij');
    expect(json.usage.output_tokens).toBe(10);
  });

  it('cuts an OpenAI answer at max_completion_tokens or max_tokens with finish_reason "length", JSON and streamed', async () => {
    const messages = [
      { role: 'system', content: directive({}) },
      { role: 'user', content: 'Talk.' },
    ];
    for (const limit of [{ max_completion_tokens: 3 }, { max_tokens: 3 }]) {
      const json = (await (await openai({ ...limit, messages })).json()) as Record<string, any>;
      expect(json.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: LONG.slice(0, 12) } });
      expect(json.usage.completion_tokens).toBe(3);
    }

    const events = parseSse(await (await openai({ max_tokens: 3, messages, stream: true, stream_options: { include_usage: true } })).text());
    const chunks = events.filter((event) => event.data !== '[DONE]').map((event) => event.data as Record<string, any>);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe(LONG.slice(0, 12));
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter(Boolean)).toEqual(['length']);
    expect(chunks.at(-1)?.usage).toMatchObject({ completion_tokens: 3 });
  });

  it('refuses a max_tokens below 1 with a 400 naming the field', async () => {
    const response = await anthropic({ max_tokens: 0, messages: [{ role: 'user', content: 'Hi' }] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.message).toBe('max_tokens: expected an integer >= 1');
  });
});

describe('structured output', () => {
  const schema = {
    type: 'object',
    properties: { verdict: { enum: ['pass', 'fail'] }, score: { type: 'integer', minimum: 1, maximum: 5 } },
    required: ['verdict', 'score'],
    additionalProperties: false,
  };

  it('answers with JSON built from a JSON Schema stated in the system prompt', async () => {
    const system = `You are a reviewer.\nOutput format:\nReply with only a JSON value that validates against this JSON Schema:\n${JSON.stringify(schema, null, 2)}`;
    const json = (await (await anthropic({ max_tokens: 1000, system, messages: [{ role: 'user', content: 'Review it.' }] })).json()) as Record<string, any>;
    expect(JSON.parse(json.content[0].text)).toEqual({ verdict: 'pass', score: 1 });
    expect(json.stop_reason).toBe('end_turn');
  });

  it('answers with JSON for the request fields: Anthropic output_format, OpenAI response_format', async () => {
    const messages = [{ role: 'user', content: 'Review it.' }];
    const viaAnthropic = (await (
      await anthropic({ max_tokens: 1000, output_format: { type: 'json_schema', schema }, messages })
    ).json()) as Record<string, any>;
    expect(JSON.parse(viaAnthropic.content[0].text)).toEqual({ verdict: 'pass', score: 1 });

    const viaOpenAI = (await (
      await openai({ response_format: { type: 'json_schema', json_schema: { name: 'review', schema } }, messages })
    ).json()) as Record<string, any>;
    expect(JSON.parse(viaOpenAI.choices[0].message.content)).toEqual({ verdict: 'pass', score: 1 });
  });

  it('keeps a scripted output over the schema, and the task summary without one', async () => {
    const system = `Output format:\nReply with only a JSON value that validates against this JSON Schema:\n${JSON.stringify(schema)}`;
    const scripted = (await (
      await anthropic({ max_tokens: 1000, system: `${system}\n${encodeSimDirective({ output: 'not JSON' })}`, messages: [{ role: 'user', content: 'Go' }] })
    ).json()) as Record<string, any>;
    expect(scripted.content[0].text).toBe('not JSON');

    const plain = (await (await anthropic({ max_tokens: 1000, system: 'You are a writer.', messages: [{ role: 'user', content: 'Go' }] })).json()) as Record<
      string,
      any
    >;
    expect(plain.content[0].text).toMatch(/^\(simulated\) writer finished: Go/);
  });
});

import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSimDirective } from './sim-directives.js';
import { startSimServer } from './sim-server.js';
import type { SimServer } from './sim-server.js';

let server: SimServer;
beforeAll(async () => {
  server = await startSimServer();
});
afterAll(() => server.close());

const anthropic = (url = server.url): Anthropic => new Anthropic({ baseURL: url, apiKey: 'test', maxRetries: 0 });
const openai = (url = server.url): OpenAI => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'test', maxRetries: 0 });

const FILE_A = { path: 'src/auth/login.ts', content: 'export function login() {\n  return "ok";\n}\n' };
const FILE_B = { path: 'docs/ünïcode.md', content: 'emoji 🎉 and quotes " \\ '.repeat(8) };
const TWO_WRITES = encodeSimDirective({
  script: [{ text: 'Writing two files.', tools: [{ name: 'write_file', input: FILE_A }, { name: 'write_file', input: FILE_B }] }],
});
const SYSTEM = 'You are a backend specialist.';
const TOOLS = [
  { name: 'write_file', description: 'Write a file', input_schema: { type: 'object' as const, properties: { path: { type: 'string' } } } },
];

describe('the Anthropic SDK against the simulated server', () => {
  it('reconstructs several streamed tool calls of one turn with finalMessage()', async () => {
    const message = await anthropic()
      .messages.stream({
        model: 'sim',
        max_tokens: 1000,
        system: [{ type: 'text', text: SYSTEM }, { type: 'text', text: TWO_WRITES }],
        messages: [{ role: 'user', content: 'Implement the login endpoint' }],
        tools: TOOLS,
      })
      .finalMessage();

    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[0]).toEqual({ type: 'text', text: 'Writing two files.' });
    const calls = message.content.filter((block) => block.type === 'tool_use');
    expect(calls.map((call) => [call.name, call.input])).toEqual([
      ['write_file', FILE_A],
      ['write_file', FILE_B],
    ]);
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
    expect(message.usage.output_tokens).toBeGreaterThan(10);
  });

  it('answers the next turn with a summary of the tool results, streamed or not', async () => {
    const client = anthropic();
    const first = await client.messages.create({
      model: 'sim',
      max_tokens: 1000,
      system: `${SYSTEM}\n${TWO_WRITES}`,
      messages: [{ role: 'user', content: 'Implement the login endpoint' }],
    });
    const results = first.content
      .filter((block) => block.type === 'tool_use')
      .map((block) => ({ type: 'tool_result' as const, tool_use_id: block.id, content: 'ok' }));
    const next = {
      model: 'sim',
      max_tokens: 1000,
      system: `${SYSTEM}\n${TWO_WRITES}`,
      messages: [
        { role: 'user' as const, content: 'Implement the login endpoint' },
        { role: 'assistant' as const, content: first.content },
        { role: 'user' as const, content: results },
      ],
    };
    const final = await client.messages.create(next);
    const streamed = await client.messages.stream(next).finalMessage();

    expect(final.stop_reason).toBe('end_turn');
    const text = final.content[0]?.type === 'text' ? final.content[0].text : '';
    expect(text).toContain('(simulated) backend finished: Implement the login endpoint');
    expect(text).toContain('- Wrote src/auth/login.ts');
    expect(text).toContain('- Wrote docs/ünïcode.md');
    expect(streamed.content).toEqual(final.content);
  });

  it('gets a 429 with retry-after from a fail directive, then succeeds', async () => {
    const client = anthropic();
    const request = {
      model: 'sim',
      max_tokens: 100,
      system: encodeSimDirective({ fail: { status: 429, times: 1, retryAfterMs: 1500 }, output: 'recovered' }),
      messages: [{ role: 'user' as const, content: 'anthropic fault test' }],
    };
    const error = await client.messages.create(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimited = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rateLimited.headers?.get('retry-after')).toBe('2');
    expect(rateLimited.headers?.get('retry-after-ms')).toBe('1500');
    expect(rateLimited.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });

    const ok = await client.messages.create(request);
    expect(ok.content).toEqual([{ type: 'text', text: 'recovered' }]);
  });

  it('gets an overloaded_error (529) inside the stream call', async () => {
    const stream = anthropic().messages.stream({
      model: 'sim',
      max_tokens: 100,
      messages: [{ role: 'user', content: `overload ${encodeSimDirective({ fail: { status: 529, times: 1 } })}` }],
    });
    const error = await stream.finalMessage().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
  });
});

describe('the OpenAI SDK against the simulated server', () => {
  const openaiTools = [{ type: 'function' as const, function: { name: 'write_file', parameters: { type: 'object' } } }];

  it('reconstructs several streamed tool calls with finalChatCompletion()', async () => {
    const completion = await openai()
      .chat.completions.stream({
        model: 'sim',
        messages: [
          { role: 'system', content: `${SYSTEM}\n\n${TWO_WRITES}` },
          { role: 'user', content: 'Implement the login endpoint' },
        ],
        tools: openaiTools,
        stream_options: { include_usage: true },
      })
      .finalChatCompletion();

    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe('Writing two files.');
    const calls = (choice.message.tool_calls ?? []).map((call) => (call.type === 'function' ? call.function : undefined));
    expect(calls.map((fn) => [fn?.name, JSON.parse(fn?.arguments ?? 'null')])).toEqual([
      ['write_file', FILE_A],
      ['write_file', FILE_B],
    ]);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(10);
  });

  it('counts tool messages as a finished turn and answers with the final output', async () => {
    const client = openai();
    const directive = encodeSimDirective({ script: [{ tools: [{ name: 'write_file', input: FILE_A }] }], output: 'All done.' });
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'developer', content: directive },
      { role: 'user', content: 'Implement it' },
    ];
    const first = await client.chat.completions.create({ model: 'sim', messages });
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(first.choices[0]!.message.content).toBeNull();

    messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'wrote 40 bytes' });
    const second = await client.chat.completions.create({ model: 'sim', messages });
    expect(second.choices[0]).toMatchObject({ finish_reason: 'stop', message: { content: 'All done.' } });
    expect(second.usage!.total_tokens).toBe(second.usage!.prompt_tokens + second.usage!.completion_tokens);
  });

  it('gets a 500 from a fail directive once, then succeeds', async () => {
    const client = openai();
    const request = {
      model: 'sim',
      messages: [{ role: 'user' as const, content: `openai fault ${encodeSimDirective({ fail: { status: 500, times: 1 }, output: 'fine' })}` }],
    };
    const error = await client.chat.completions.create(request).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.APIError>).type).toBe('server_error');
    const ok = await client.chat.completions.create(request);
    expect(ok.choices[0]!.message.content).toBe('fine');
  });
});

describe('server-level rate limits through the SDKs', () => {
  it('answers 429 with retry-after over requestsPerSecond', async () => {
    // one token, refilled only after 100 s: the second call is over the limit whatever the machine's speed
    const limited = await startSimServer({ rateLimit: { requestsPerSecond: 0.01 } });
    try {
      const client = openai(limited.url);
      const request = { model: 'sim', messages: [{ role: 'user' as const, content: 'hi' }] };
      await client.chat.completions.create(request);
      const error = await client.chat.completions.create(request).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(Number((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after-ms'))).toBeGreaterThan(90_000);
      expect(limited.stats).toEqual({ requests: 2, rateLimited: 1, faults: 0 });
    } finally {
      await limited.close();
    }
  });

  it('answers 429 over maxConcurrent while a slow call is in flight, and admits again once it ends', async () => {
    const limited = await startSimServer({ rateLimit: { maxConcurrent: 1, retryAfterMs: 250 } });
    try {
      const client = anthropic(limited.url);
      const slow = client.messages.create({
        model: 'sim',
        max_tokens: 100,
        // Long enough that the second call lands while it is in flight, even on a loaded machine (300 ms did not).
        messages: [{ role: 'user', content: `slow ${encodeSimDirective({ latencyMs: 2000 })}` }],
      });
      await waitFor(() => limited.stats.requests === 1);
      const error = await client.messages
        .create({ model: 'sim', max_tokens: 100, messages: [{ role: 'user', content: 'fast' }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.RateLimitError);
      expect((error as InstanceType<typeof Anthropic.APIError>).headers?.get('retry-after-ms')).toBe('250');
      await slow;
      const after = await client.messages.create({ model: 'sim', max_tokens: 100, messages: [{ role: 'user', content: 'fast' }] });
      expect(after.stop_reason).toBe('end_turn');
    } finally {
      await limited.close();
    }
  });
});

describe('limit headers and faults at a rate', () => {
  it('states requests and tokens per minute on every answer, in each API\'s headers, 429s included', async () => {
    const limited = await startSimServer({ rateLimit: { requestsPerMinute: 120, tokensPerMinute: 1_200 } });
    try {
      const message = await anthropic(limited.url)
        .messages.create({ model: 'sim', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
        .withResponse();
      const a = message.response.headers;
      expect(a.get('anthropic-ratelimit-requests-limit')).toBe('120');
      expect(a.get('anthropic-ratelimit-requests-remaining')).toBe('1');
      expect(Date.parse(a.get('anthropic-ratelimit-requests-reset')!)).toBeGreaterThan(Date.now() - 1000);
      expect(a.get('anthropic-ratelimit-tokens-limit')).toBe('1200');
      // A bucket of one second's worth (20 tokens) refills slowly enough that the answer's 17 tokens still show.
      expect(Number(a.get('anthropic-ratelimit-tokens-remaining'))).toBeLessThan(20);

      const client = openai(limited.url);
      const request = { model: 'sim', messages: [{ role: 'user' as const, content: 'hi' }] };
      const completion = await client.chat.completions.create(request).withResponse();
      const o = completion.response.headers;
      expect(o.get('x-ratelimit-limit-requests')).toBe('120');
      expect(o.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(o.get('x-ratelimit-reset-requests')).toMatch(/^\d+(ms|(\.\d)?s)$/);
      expect(o.get('x-ratelimit-limit-tokens')).toBe('1200');
      const error = (await client.chat.completions.create(request).catch((caught: unknown) => caught)) as InstanceType<typeof OpenAI.APIError>;
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(error.message).toContain('requests per minute exceeded');
      expect(error.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
      expect(Number(error.headers?.get('retry-after-ms'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it('sends no limit headers without request or token limits', async () => {
    const open = await startSimServer();
    try {
      const { response } = await anthropic(open.url)
        .messages.create({ model: 'sim', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
        .withResponse();
      expect([...response.headers.keys()].filter((name) => name.includes('ratelimit'))).toEqual([]);
    } finally {
      await open.close();
    }
  });

  it('fails calls at the faults rate with the kinds asked for: 529, reset, cut', async () => {
    for (const [kind, expected] of [
      [529, Anthropic.InternalServerError],
      ['reset', Anthropic.APIConnectionError],
      // The body ends early: the SDK's fetch fails reading it (undici's 'terminated'), past the SDK's own retries.
      ['cut', TypeError],
    ] as const) {
      const faulty = await startSimServer({ faults: { rate: 1, kinds: [kind] } });
      try {
        const error = await anthropic(faulty.url)
          .messages.create({ model: 'sim', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(expected);
        expect(faulty.stats).toMatchObject({ requests: 1, faults: 1 });
      } finally {
        await faulty.close();
      }
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFanoutError } from '../../contracts/errors.js';
import { encodeSimDirective } from './sim-directives.js';
import { startSimServer } from './sim-server.js';
import type { SimServer, SimServerOptions } from './sim-server.js';
import { postJson } from './test-support/sim-test-helpers.js';

let server: SimServer;
beforeAll(async () => {
  server = await startSimServer();
});
afterAll(() => server.close());

async function answerText(url: string, body: Record<string, unknown>): Promise<string> {
  const message = (await (await postJson(`${url}/v1/messages`, { max_tokens: 1000, ...body })).json()) as {
    content: Array<{ text: string }>;
  };
  return message.content[0]!.text;
}

describe('startSimServer', () => {
  it('listens on a free loopback port and reports its url without a trailing slash', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it.each<[SimServerOptions, string]>([
    [{ port: -1 }, 'port must be an integer'],
    [{ host: '0.0.0.0' as '127.0.0.1' }, 'host must be 127.0.0.1'],
    [{ defaultLatencyMs: -5 }, 'defaultLatencyMs must be'],
    [{ rateLimit: { maxConcurrent: 0 } }, 'rateLimit.maxConcurrent must be a positive number'],
  ])('rejects %j with OPTION_INVALID', async (options, message) => {
    const error = await startSimServer(options).catch((caught: unknown) => caught);
    expect(isFanoutError(error, 'OPTION_INVALID')).toBe(true);
    expect((error as Error).message).toContain(message);
  });

  it('says which port is in use', async () => {
    const error = await startSimServer({ port: server.port }).catch((caught: unknown) => caught);
    expect(isFanoutError(error, 'OPTION_INVALID')).toBe(true);
    expect((error as Error).message).toContain(`port ${server.port} on 127.0.0.1 is already in use`);
  });

  it('counts model calls and injected faults', async () => {
    const own = await startSimServer();
    try {
      const fail = encodeSimDirective({ fail: { status: 503, times: 1 } });
      const statuses = [];
      for (let i = 0; i < 2; i++) statuses.push((await postJson(`${own.url}/v1/messages`, { messages: [{ role: 'user', content: fail }] })).status);
      await fetch(`${own.url}/v1/models`, { headers: { 'x-api-key': 'k' } });
      expect(statuses).toEqual([503, 200]);
      expect(own.stats).toEqual({ requests: 2, rateLimited: 0, faults: 1 });
    } finally {
      await own.close();
    }
  });

  it('waits at least the directive latency, or the server default, before answering', async () => {
    const slow = await startSimServer({ defaultLatencyMs: 60 });
    try {
      for (const [url, directive] of [
        [server.url, encodeSimDirective({ latencyMs: 60 })],
        [slow.url, ''],
      ] as const) {
        const started = performance.now();
        const response = await postJson(`${url}/v1/messages`, { stream: true, messages: [{ role: 'user', content: `wait ${directive}` }] });
        expect(performance.now() - started).toBeGreaterThanOrEqual(55);
        expect(response.status).toBe(200);
      }
    } finally {
      await slow.close();
    }
  });

  it('closes with calls still waiting on latency and refuses new connections afterwards', async () => {
    const own = await startSimServer({ defaultLatencyMs: 60_000 });
    const pending = postJson(`${own.url}/v1/messages`, { messages: [{ role: 'user', content: 'hang' }] }).catch((error: unknown) => error);
    while (own.stats.requests === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await own.close();
    await own.close();
    expect(await pending).toBeInstanceOf(Error);
    expect(await postJson(`${own.url}/v1/messages`, {}).catch((error: unknown) => error)).toBeInstanceOf(Error);
  });
});

describe('kinds of calls', () => {
  it('answers a synthesis call in the Result / Disagreements format', async () => {
    const text = await answerText(server.url, {
      system: encodeSimDirective({ kind: 'synthesis' }),
      messages: [{ role: 'user', content: 'Merge.\n\n### a — First\nAll good.\nDECISION: REST\n\n### b — Second\nFine too.\nDECISION: GraphQL' }],
    });
    expect(text).toBe(
      [
        '## Result',
        '- **a**: All good.',
        '- **b**: Fine too.',
        '',
        'Combined 2 task outputs into one result (simulated).',
        '',
        '## Disagreements',
        '- **a** vs **b**: DECISION "REST" vs "GraphQL"',
      ].join('\n'),
    );
  });

  it('answers a planner call with a json plan', async () => {
    const text = await answerText(server.url, {
      system: `You turn requests into plans.${encodeSimDirective({ kind: 'planner' })}`,
      messages: [{ role: 'user', content: 'Request: Implement user authentication with login, registration, and password reset' }],
    });
    const plan = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(text)![1]!) as { tasks: unknown[] };
    expect(plan.tasks).toHaveLength(5);
  });

  it('answers a task without directive in one call with a labelled summary', async () => {
    const text = await answerText(server.url, { system: 'You are a docs specialist.', messages: [{ role: 'user', content: 'Write the README' }] });
    expect(text).toBe('(simulated) docs finished: Write the README\n\n- No tool calls were made.');
  });

  it('prefers the directive in the system prompt over one in the first user message', async () => {
    const text = await answerText(server.url, {
      system: encodeSimDirective({ output: 'from system' }),
      messages: [{ role: 'user', content: `hello ${encodeSimDirective({ output: 'from user' })}` }],
    });
    expect(text).toBe('from system');
  });
});

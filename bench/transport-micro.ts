/**
 * Micro-benchmark of the transport under the SDK: the main-thread CPU per
 * call of sending what the Anthropic SDK sends (its 13 headers, the bench's
 * 4 KB first-call body) to the simulated server, in its own process, and
 * reading the JSON answer, with `inFlight` calls at once, in interleaved
 * rounds of three ways:
 * - `fetch`: fanout's fetch (`createNodeFetch`), as the SDK calls it;
 * - `http`: a bare `node:http` request on a keep-alive agent;
 * - `socket`: a sketch of HTTP/1.1 on one `net.Socket` per call in flight,
 *   the answer cut by its content-length (no chunked bodies, no errors):
 *   what Node's HTTP client itself costs. Not a client to ship.
 *
 *   node --import tsx bench/transport-micro.ts [calls=3000] [inFlight=300] [latencyMs=500] [rounds=5]
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { BENCH_MAX_TOKENS, BENCH_TOOLS, benchPrompt, benchSim, benchSystem } from './bench-kit.js';
import { startBenchServer } from './bench-server.js';
import { median } from './bench-stats.js';
import { AnthropicModel, createNodeFetch, SimModel } from './fanout-lib.js';

const WAYS = ['fetch', 'http', 'socket'] as const;
type Way = (typeof WAYS)[number];

/** What the Anthropic SDK 1.13 sends with every call (recorded from its `fetch` option). */
const SDK_HEADERS: Array<[string, string]> = [
  ['accept', 'application/json'],
  ['anthropic-version', '2026-10-21'],
  ['authorization', 'Bearer bench'],
  ['content-type', 'application/json'],
  ['user-agent', 'Anthropic/JS 1.13.0'],
  ['x-stainless-arch', 'x64'],
  ['x-stainless-lang', 'js'],
  ['x-stainless-os', 'Linux'],
  ['x-stainless-package-version', '1.13.0'],
  ['x-stainless-retry-count', '0'],
  ['x-stainless-runtime', 'node'],
  ['x-stainless-runtime-version', process.version],
  ['x-stainless-timeout', '600'],
];

/** The body the SDK sends for the bench's first call, taken from its `fetch` option. */
async function sdkBody(url: string, latencyMs: number): Promise<string> {
  const transport = createNodeFetch();
  let body = '';
  const model = new SimModel(
    'sim',
    new AnthropicModel({
      spec: 'sim',
      modelId: 'sim',
      apiKey: 'bench',
      provider: 'sim',
      baseURL: url,
      fetch: (input, init) => {
        body = init?.body as string;
        return transport.fetch(input, init);
      },
    }),
  );
  const args = { url, tasks: 1, callsPerTask: 1, latencyMs, concurrency: 1 };
  await model.generate({
    system: benchSystem(args, 0),
    messages: [{ role: 'user', content: [{ type: 'text', text: benchPrompt(0) }] }],
    tools: [...BENCH_TOOLS],
    maxTokens: BENCH_MAX_TOKENS,
    signal: new AbortController().signal,
    providerOptions: { sim: benchSim(args, 0) },
  });
  transport.close();
  return body;
}

/** One call of each way: resolves with the parsed answer. Every way builds the SDK's `Headers` and an AbortController, as the SDK does. */
function caller(way: Way, url: string, body: string): { call: () => Promise<unknown>; close: () => void } {
  const target = new URL('/v1/messages', url);
  if (way === 'fetch') {
    const transport = createNodeFetch();
    return {
      call: async () => {
        const response = await transport.fetch(target.href, { method: 'POST', headers: new Headers(SDK_HEADERS), body, signal: new AbortController().signal });
        return response.json();
      },
      close: () => transport.close(),
    };
  }
  if (way === 'http') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
    return {
      call: () =>
        new Promise((resolve, reject) => {
          const headers: Record<string, string> = { 'content-length': String(Buffer.byteLength(body)) };
          new Headers(SDK_HEADERS).forEach((value, name) => (headers[name] = value));
          new AbortController();
          const req = http.request(target, { method: 'POST', agent, headers }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
          });
          req.on('error', reject);
          req.end(body);
        }),
      close: () => agent.destroy(),
    };
  }
  const idle: SocketCall[] = [];
  const all: SocketCall[] = [];
  return {
    call: async () => {
      let socket = idle.pop();
      if (socket === undefined) all.push((socket = new SocketCall(target)));
      const answer = await socket.send(body);
      idle.push(socket);
      return answer;
    },
    close: () => all.forEach((socket) => socket.destroy()),
  };
}

/** The `socket` way's connection: one request at a time, its answer cut by content-length. */
class SocketCall {
  readonly #socket: net.Socket;
  readonly #host: string;
  #pending: ((answer: unknown) => void) | undefined;
  #buffered: Buffer | undefined;

  constructor(target: URL) {
    this.#host = target.host;
    this.#socket = net.connect(Number(target.port), target.hostname).setNoDelay(true);
    this.#socket.on('data', (chunk: Buffer) => this.#read(chunk));
  }

  send(body: string): Promise<unknown> {
    return new Promise((resolve) => {
      this.#pending = resolve;
      new AbortController();
      let head = `POST /v1/messages HTTP/1.1\r\nhost: ${this.#host}\r\n`;
      new Headers(SDK_HEADERS).forEach((value, name) => (head += `${name}: ${value}\r\n`));
      this.#socket.write(`${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #read(chunk: Buffer): void {
    const bytes = this.#buffered === undefined ? chunk : Buffer.concat([this.#buffered, chunk]);
    this.#buffered = bytes;
    const headEnd = bytes.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const length = Number(/content-length: *(\d+)/i.exec(bytes.toString('latin1', 0, headEnd))?.[1] ?? 0);
    if (bytes.length < headEnd + 4 + length) return;
    this.#buffered = undefined;
    const resolve = this.#pending;
    this.#pending = undefined;
    resolve?.(JSON.parse(bytes.toString('utf8', headEnd + 4, headEnd + 4 + length)));
  }
}

/** One round of one way, in this process: CPU µs per call. */
async function round(way: Way, url: string, calls: number, inFlight: number, latencyMs: number): Promise<number> {
  const body = await sdkBody(url, latencyMs);
  const { call, close } = caller(way, url, body);
  await Promise.all(Array.from({ length: inFlight }, call));
  const start = process.cpuUsage();
  let next = inFlight;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < calls) await call();
    }),
  );
  const used = process.cpuUsage(start);
  close();
  return Math.round((used.user + used.system) / (calls - inFlight));
}

const SELF = fileURLToPath(import.meta.url);
const [first, ...rest] = process.argv.slice(2);
if (first === '--round') {
  const [way, url, calls, inFlight, latencyMs] = rest;
  process.stdout.write(`${await round(way as Way, url as string, Number(calls), Number(inFlight), Number(latencyMs))}\n`);
} else {
  const [calls = 3000, inFlight = 300, latencyMs = 500, rounds = 5] = process.argv.slice(2).map(Number);
  const server = await startBenchServer();
  const spent = new Map<Way, number[]>(WAYS.map((way) => [way, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (const way of WAYS) {
        // Each round in a fresh process: no way inherits another's heap.
        const child = spawnSync(process.execPath, ['--import', 'tsx', SELF, '--round', way, server.url, String(calls), String(inFlight), String(latencyMs)], { encoding: 'utf8' });
        if (child.status !== 0) throw new Error(`transport-micro ${way}: ${child.stderr}`);
        spent.get(way)?.push(Number(child.stdout.trim()));
      }
    }
  } finally {
    await server.stop();
  }
  for (const [way, values] of spent) console.log(`${way}: CPU µs per call ${values.join(', ')}; median ${median(values)}`);
}

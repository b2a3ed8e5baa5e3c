import http from 'node:http';
import https from 'node:https';
import { systemClock, type Clock } from '../../contracts/clock.js';
import { LateAnswerError } from './late-answer.js';
import { toResponse, type NodeResponse } from './node-response.js';

/** The `fetch` signature the official model SDKs accept through their `fetch` option. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link createNodeFetch}. */
export interface NodeFetchOptions {
  /**
   * Sockets per origin; above it requests queue inside the agent. Unbounded
   * by default: the plan's concurrency and the endpoint's adaptive window
   * already bound the calls in flight, and a cap here would be a second,
   * hidden limit (1,000 calls at once would queue behind 256 sockets).
   * Idle sockets kept for reuse stay at most 256.
   * @default Infinity
   */
  maxSockets?: number;
  /** Time limits of every request, unless {@link NodeFetch.withTimeouts} overrides them. */
  timeouts?: Partial<CallTimeouts>;
  /** The clock the time limits run on (a test's manual clock). @default the system clock */
  clock?: Clock;
}

/**
 * Time limits of one model call on the wire, both retryable when they fire
 * (a later attempt usually gets a live connection).
 */
export interface CallTimeouts {
  /**
   * Longest silence once the answer has started (its head arrived): between
   * the head and the first bytes of the body, and between any two chunks.
   * A streamed answer gets pings and deltas every few seconds, and a
   * non-streamed one is sent whole once ready, so a silence this long means
   * the connection is stuck. @default 60000
   */
  streamIdleTimeoutMs: number;
  /** Longest time from sending the request to the end of the answer. @default 600000 */
  callTimeoutMs: number;
}

/** The time limits of a call unless configured otherwise. */
export const DEFAULT_CALL_TIMEOUTS: Readonly<CallTimeouts> = { streamIdleTimeoutMs: 60_000, callTimeoutMs: 600_000 };

/** A fetch over `node:http` keep-alive agents, and the way to release its sockets. */
export interface NodeFetch {
  fetch: FetchFunction;
  /** The same fetch (same sockets) with other time limits, e.g. one model's own. */
  withTimeouts(timeouts: Partial<CallTimeouts>): FetchFunction;
  /** Destroys the agents' sockets so the process can exit. */
  close(): void;
}

/**
 * A minimal `fetch` over `node:http`/`node:https` with keep-alive agents,
 * given to the SDKs through their documented `fetch` option.
 *
 * Why not the global fetch (undici): at hundreds of concurrent calls its
 * per-request work (request objects, header validation, its connection
 * pool) made the model path measurably slower than a bare keep-alive loop.
 * Here the request goes out through `node:http`, its body in the same write
 * as its head; the answer is a real `Response` whose body is read from the
 * socket (see {@link toResponse}). It supports what the model SDKs send:
 * string or byte bodies, `Headers` or plain header objects, and an
 * AbortSignal.
 */
export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? Number.POSITIVE_INFINITY, maxFreeSockets: 256 };
  const clock = options.clock ?? systemClock;
  const defaults: CallTimeouts = { ...DEFAULT_CALL_TIMEOUTS, ...options.timeouts };
  const agents: http.Agent[] = [];
  // Parsing each absolute URL costs more than the rest of the request setup; the origins are few.
  const origins = new Map<string, Origin>();

  const originOf = (origin: string): Origin => {
    let found = origins.get(origin);
    if (found === undefined) {
      const url = new URL(origin);
      const secure = url.protocol === 'https:';
      const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
      agents.push(agent);
      found = {
        transport: secure ? https : http,
        agent,
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port,
      };
      origins.set(origin, found);
    }
    return found;
  };

  const fetchWith =
    (timeouts: CallTimeouts): FetchFunction =>
    (input, init = {}) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const slash = url.indexOf('/', url.indexOf('//') + 2);
      const origin = originOf(slash < 0 ? url : url.slice(0, slash));
      return send(origin, slash < 0 ? '/' : url.slice(slash), init, startWatchdog(clock, timeouts));
    };

  return {
    fetch: fetchWith(defaults),
    withTimeouts: (timeouts) => fetchWith({ ...defaults, ...timeouts }),
    close() {
      for (const agent of agents) agent.destroy();
      agents.length = 0;
      origins.clear();
    },
  };
}

interface Origin {
  transport: typeof http | typeof https;
  agent: http.Agent;
  hostname: string;
  port: string;
}

function send(origin: Origin, path: string, init: RequestInit, watchdog: Watchdog): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) {
      watchdog.stop();
      reject(abortError(signal));
      return;
    }
    const body = requestBody(init.body);
    const headers = plainHeaders(init.headers);
    if (body !== undefined) {
      headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    }

    let answer: NodeResponse | undefined;
    let settled = false;
    const failWith = (error: Error): void => {
      req.destroy(error);
      if (answer !== undefined) answer.fail(error);
      else settle(() => reject(error));
    };
    const onAbort = (): void => failWith(abortError(signal));
    const release = (): void => {
      watchdog.stop();
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    watchdog.onExpiry(failWith);
    const settle = (then: () => void): void => {
      if (settled) return;
      settled = true;
      then();
    };
    const fail = (error: Error): void => {
      release();
      settle(() => reject(isAbortError(error) ? error : new TypeError('fetch failed', { cause: error })));
    };

    const { transport, agent, hostname, port } = origin;
    const request = { method: init.method ?? 'GET', hostname, port, path, headers, agent };
    const req = transport.request(request, (res) => {
      watchdog.activity();
      res.on('data', watchdog.activity);
      answer = toResponse(res, release);
      answer.response.then((response) => settle(() => resolve(response)), fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** Watches one request's time limits; {@link Watchdog.stop} once the answer ended, failed or was aborted. */
interface Watchdog {
  /** Called with the error to fail the request with when a limit passes. */
  onExpiry(fail: (error: Error) => void): void;
  /** Bytes of the answer arrived (its head or a body chunk). */
  activity: () => void;
  stop(): void;
}

/**
 * One sleep at a time on `clock`, until the nearer of the call's deadline
 * and the idle deadline (counted from the last activity; none before the
 * answer's head). Activity only moves a timestamp: a chunk costs no timer.
 */
function startWatchdog(clock: Clock, timeouts: CallTimeouts): Watchdog {
  const { streamIdleTimeoutMs, callTimeoutMs } = timeouts;
  const callEnd = clock.now() + callTimeoutMs;
  let lastActivity: number | undefined;
  let stopped = false;
  let nap = new AbortController();
  let fail: (error: Error) => void = () => {};
  const watch = async (): Promise<void> => {
    for (;;) {
      const now = clock.now();
      const idleEnd = lastActivity === undefined ? Number.POSITIVE_INFINITY : lastActivity + streamIdleTimeoutMs;
      if (now >= callEnd) return fail(new LateAnswerError('call', callTimeoutMs));
      if (now >= idleEnd) return fail(new LateAnswerError('idle', streamIdleTimeoutMs));
      try {
        await clock.sleep(Math.min(callEnd, idleEnd) - now, nap.signal);
      } catch {
        if (stopped) return;
        nap = new AbortController();
      }
    }
  };
  void watch();
  return {
    onExpiry: (failWith) => (fail = failWith),
    activity: () => {
      const first = lastActivity === undefined;
      lastActivity = clock.now();
      // The sleep in progress runs to the call's deadline: the first activity brings the idle deadline in.
      if (first) nap.abort();
    },
    stop: () => {
      stopped = true;
      nap.abort();
    },
  };
}

/** A string stays a string: Node then sends it in the same write as the request head. */
function requestBody(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('node fetch: only string and byte request bodies are supported');
}

function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined || headers === null) return out;
  if (headers instanceof Headers) {
    headers.forEach((value, name) => (out[name] = value));
  } else if (Array.isArray(headers)) {
    for (const [name, value] of headers) if (name !== undefined && value !== undefined) out[name.toLowerCase()] = value;
  } else {
    for (const [name, value] of Object.entries(headers)) {
      out[name.toLowerCase()] = typeof value === 'string' ? value : value.join(', ');
    }
  }
  return out;
}

/** Pairs, not a Headers object: Response copies its init headers, so building one first would do it twice. */
function headerPairs(raw: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

/**
 * The answer to a non-streamed request, read whole: what the SDKs use of a
 * `Response` (status, ok, headers, text(), json(), arrayBuffer(); `body` is
 * null) without constructing one. undici's Response, its Headers and a web
 * stream per answer validate and copy every header and chunk again: about a
 * tenth of the CPU of the model path at hundreds of concurrent calls.
 */
class BufferedResponse {
  readonly ok: boolean;
  readonly headers: NodeResponseHeaders;
  readonly body = null;
  readonly url = '';
  readonly redirected = false;
  readonly type = 'basic';
  readonly #bytes: Buffer | null;
  #used = false;

  constructor(
    bytes: Buffer | null,
    readonly status: number,
    readonly statusText: string,
    headers: http.IncomingHttpHeaders,
  ) {
    this.#bytes = bytes;
    this.ok = status >= 200 && status < 300;
    this.headers = new NodeResponseHeaders(headers);
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  async text(): Promise<string> {
    return this.#take()?.toString('utf8') ?? '';
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.#take() ?? Buffer.alloc(0);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  /** The bytes, once: like fetch, a body is read at most once. */
  #take(): Buffer | null {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#bytes;
  }
}

/**
 * The read side of `Headers` over the header object Node parsed (names lower
 * case, repeated headers joined with ", "), iterated in name order as
 * `Headers` is.
 */
class NodeResponseHeaders {
  readonly #headers: http.IncomingHttpHeaders;

  constructor(headers: http.IncomingHttpHeaders) {
    this.#headers = headers;
  }

  get(name: string): string | null {
    const value = this.#headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.#headers[name.toLowerCase()] !== undefined;
  }

  getSetCookie(): string[] {
    return this.#headers['set-cookie'] ?? [];
  }

  forEach(callback: (value: string, name: string, headers: NodeResponseHeaders) => void): void {
    for (const [name, value] of this.entries()) callback(value, name, this);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.#headers).sort()) yield [name, this.get(name) as string];
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

function isAbortError(error: Error): boolean {
  return error.name === 'AbortError';
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('This operation was aborted', 'AbortError');
}

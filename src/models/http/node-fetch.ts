import http from 'node:http';
import https from 'node:https';
import { systemClock, type Clock } from '../../contracts/clock.js';
import { CallWatch, type CallTimeouts, type Watchdog } from './call-watch.js';
import { toResponse } from './node-response.js';

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

export type { CallTimeouts } from './call-watch.js';

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
  const watch = new CallWatch(options.clock ?? systemClock);
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
        // What Node would send: the port only when it is not the scheme's default, IPv6 in brackets.
        host: url.host,
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
      return send(origin, slash < 0 ? '/' : url.slice(slash), init, watch.start(timeouts));
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
  /** The Host header's value. */
  host: string;
}

function send(origin: Origin, path: string, init: RequestInit, watchdog: Watchdog): Promise<Response> {
  const signal = init.signal ?? undefined;
  if (signal?.aborted) {
    watchdog.stop();
    return Promise.reject(abortError(signal));
  }
  const body = requestBody(init.body);
  const method = init.method ?? 'GET';
  const headers = headerLines(init.headers, origin.host, method, body);
  const { transport, agent, hostname, port } = origin;
  return new Promise<Response>((resolve, reject) => {
    let failAnswer: ((error: Error) => void) | undefined;
    let settled = false;
    const failWith = (error: Error): void => {
      req.destroy(error);
      if (failAnswer !== undefined) failAnswer(error);
      else fail(error);
    };
    const onAbort = (): void => failWith(abortError(signal));
    const release = (): void => {
      watchdog.stop();
      signal?.removeEventListener('abort', onAbort);
    };
    const answered = (response: Response): void => {
      settled = true;
      resolve(response);
    };
    const fail = (error: Error): void => {
      release();
      if (settled) return;
      settled = true;
      reject(isAbortError(error) ? error : new TypeError('fetch failed', { cause: error }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    watchdog.onExpiry(failWith);

    const req = transport.request({ method, hostname, port, path, headers, agent }, (res) => {
      failAnswer = toResponse(res, { activity: watchdog.activity, done: release, answered, failed: fail });
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** A string stays a string: Node then sends it in the same write as the request head. */
function requestBody(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('node fetch: only string and byte request bodies are supported');
}

/**
 * The request's header lines as Node's flat `[name, value, ...]` list, with
 * Host and Content-Length: Node then writes the head from the list at once
 * instead of storing each header in its header map first.
 */
function headerLines(headers: RequestInit['headers'], host: string, method: string, body: string | Uint8Array | undefined): string[] {
  const lines: string[] = [];
  let hasHost = false;
  const add = (name: string, value: string): void => {
    const lower = name.toLowerCase();
    // Node computes neither from the list: the body decides its length, and the origin its host unless the caller set one.
    if (lower === 'content-length') return;
    if (lower === 'host') hasHost = true;
    lines.push(lower, value);
  };
  if (headers instanceof Headers) headers.forEach((value, name) => add(name, value));
  else if (Array.isArray(headers)) {
    for (const [name, value] of headers) if (name !== undefined && value !== undefined) add(name, value);
  } else if (headers !== undefined && headers !== null) {
    for (const [name, value] of Object.entries(headers)) add(name, typeof value === 'string' ? value : value.join(', '));
  }
  if (!hasHost) lines.push('host', host);
  if (body !== undefined) lines.push('content-length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength));
  // Node writes the head from a list before the body is known: a bodiless POST would otherwise go out chunked.
  else if (method !== 'GET' && method !== 'HEAD') lines.push('content-length', '0');
  return lines;
}

function isAbortError(error: Error): boolean {
  return error.name === 'AbortError';
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('This operation was aborted', 'AbortError');
}

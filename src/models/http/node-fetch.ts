import { systemClock, type Clock } from '../../contracts/clock.js';
import { CallWatch, type CallTimeouts, type Watchdog } from './call-watch.js';
import { Http1Pool, type Exchange } from './http1-pool.js';
import { AnswerReader, type AnswerHandlers } from './node-response.js';

/** The `fetch` signature the official model SDKs accept through their `fetch` option. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link createNodeFetch}. */
export interface NodeFetchOptions {
  /** Time limits of every request, unless {@link NodeFetch.withTimeouts} overrides them. */
  timeouts?: Partial<CallTimeouts>;
  /** The clock the time limits run on (a test's manual clock). @default the system clock */
  clock?: Clock;
}

export type { CallTimeouts } from './call-watch.js';

/** The time limits of a call unless configured otherwise. */
export const DEFAULT_CALL_TIMEOUTS: Readonly<CallTimeouts> = { streamIdleTimeoutMs: 60_000, callTimeoutMs: 600_000 };

/** A fetch over keep-alive connections, and the way to release them. */
export interface NodeFetch {
  fetch: FetchFunction;
  /** The same fetch (same sockets) with other time limits, e.g. one model's own. */
  withTimeouts(timeouts: Partial<CallTimeouts>): FetchFunction;
  /** Closes every connection, idle or busy, so the process can exit. */
  close(): void;
}

/**
 * A minimal `fetch` over keep-alive HTTP/1.1 connections ({@link Http1Pool}:
 * `net`/`tls` sockets, no cap on connections per origin: the plan's
 * concurrency and the endpoint's adaptive window bound the calls in flight;
 * idle ones kept at most 256), given to the SDKs through their documented
 * `fetch` option.
 *
 * Why not the global fetch (undici): at hundreds of concurrent calls its
 * per-request work (request objects, header validation, its connection
 * pool) made the model path measurably slower than a bare keep-alive loop;
 * and why not `node:http`: see {@link Http1Pool}. The request goes out in
 * one write, head and body; the answer is a real `Response` whose body is
 * read from the socket (see {@link AnswerReader}). It supports what the
 * model SDKs send: string or byte bodies, `Headers` or plain header
 * objects, and an AbortSignal; a `Request` as input gives its method,
 * headers, body and signal where `init` does not.
 */
export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const clock = options.clock ?? systemClock;
  const watch = new CallWatch(clock);
  const defaults: CallTimeouts = { ...DEFAULT_CALL_TIMEOUTS, ...options.timeouts };
  // Parsing each absolute URL costs more than the rest of the request setup; the origins are few.
  const origins = new Map<string, Origin>();

  const originOf = (origin: string): Origin => {
    let found = origins.get(origin);
    if (found === undefined) {
      const url = new URL(origin);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`fetch: ${url.protocol} URLs are not supported`);
      const secure = url.protocol === 'https:';
      const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      found = {
        pool: new Http1Pool({ secure, hostname, port: url.port === '' ? (secure ? 443 : 80) : Number(url.port) }, { maxIdle: 256, clock }),
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
      try {
        if (typeof input !== 'string' && !(input instanceof URL)) return fromRequest(input, init).then((fromInput) => fetchWith(timeouts)(input.url, fromInput));
        const url = typeof input === 'string' ? input : input.href;
        const { origin, target } = splitUrl(url);
        return send(originOf(origin), target, init, watch.start(timeouts));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    };

  return {
    fetch: fetchWith(defaults),
    withTimeouts: (timeouts) => fetchWith({ ...defaults, ...timeouts }),
    close() {
      for (const { pool } of origins.values()) pool.close();
      origins.clear();
    },
  };
}

/**
 * An absolute URL's origin and request target: the target is its path and
 * query (`/` when it has no path) without the fragment, which is never sent.
 * Cut by hand rather than parsed: `new URL` per call costs more than the
 * rest of the request's setup, and the origins are few (parsed once each).
 */
function splitUrl(url: string): { origin: string; target: string } {
  const start = url.indexOf('//') + 2;
  let end = start;
  while (end < url.length && url[end] !== '/' && url[end] !== '?' && url[end] !== '#') end++;
  const hash = url.indexOf('#', end);
  const target = hash < 0 ? url.slice(end) : url.slice(end, hash);
  return { origin: url.slice(0, end), target: target === '' ? '/' : target.startsWith('?') ? `/${target}` : target };
}

/** A `Request` given as input: its method, headers, body and signal, where `init` does not set them. */
async function fromRequest(request: Request, init: RequestInit): Promise<RequestInit> {
  const body = init.body !== undefined || request.body === null ? init.body : new Uint8Array(await request.arrayBuffer());
  return { ...init, method: init.method ?? request.method, headers: init.headers ?? request.headers, signal: init.signal ?? request.signal, body };
}

interface Origin {
  pool: Http1Pool;
  /** The Host header's value. */
  host: string;
}

function send(origin: Origin, path: string, init: RequestInit, watchdog: Watchdog): Promise<Response> {
  const signal = init.signal ?? undefined;
  if (signal?.aborted) {
    watchdog.stop();
    return Promise.reject(abortError(signal));
  }
  let head: string;
  let body: string | Uint8Array | undefined;
  // Upper case as node:http made it: a lower-case `head` would otherwise be read as having a body.
  const method = init.method === undefined ? 'GET' : init.method.toUpperCase();
  try {
    body = requestBody(init.body);
    head = requestHead(method, path, init.headers, origin.host, body);
  } catch (error) {
    watchdog.stop();
    return Promise.reject(error as Error);
  }
  return new Promise<Response>((resolve, reject) => {
    const call = new FetchCall(resolve, reject, signal, watchdog);
    call.attach(origin.pool.send(head, body, method === 'HEAD', call.reader));
  });
}

const ONCE = { once: true };

/**
 * One fetch in flight: its promise, its signal and time limits. One object
 * with methods rather than a closure for each role: it is made per call.
 */
class FetchCall implements AnswerHandlers {
  readonly reader: AnswerReader = new AnswerReader(this);
  #exchange: Exchange | undefined;
  #settled = false;

  constructor(
    private readonly resolve: (response: Response) => void,
    private readonly reject: (error: Error) => void,
    private readonly signal: AbortSignal | undefined,
    private readonly watchdog: Watchdog,
  ) {
    signal?.addEventListener('abort', this, ONCE);
    watchdog.onExpiry((error) => this.#failWith(error));
  }

  attach(exchange: Exchange): void {
    this.#exchange = exchange;
    this.reader.attach(exchange);
  }

  /** The signal fired. */
  handleEvent(): void {
    this.#failWith(abortError(this.signal));
  }

  activity(): void {
    this.watchdog.activity();
  }

  answered(response: Response): void {
    this.#settled = true;
    this.resolve(response);
  }

  failed(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    this.reject(isAbortError(error) ? error : new TypeError('fetch failed', { cause: error }));
  }

  done(): void {
    this.watchdog.stop();
    this.signal?.removeEventListener('abort', this);
  }

  /** Ends the call with `error` wherever it is: waiting for the answer, or in a body being streamed. */
  #failWith(error: Error): void {
    this.#exchange?.cancel();
    this.reader.fail(error);
  }
}

/** A string stays a string: Node then sends it in the same write as the request head. */
function requestBody(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError('node fetch: only string and byte request bodies are supported');
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const INVALID_PATH = /[^\u0021-\u00ff]/;

/**
 * The request line and headers, ending with the blank line, with Host and
 * Content-Length: the body decides its length, and the origin the host
 * unless the caller set one. Names and values are checked as Node checks
 * them: nothing a caller passes can end a line early.
 */
function requestHead(method: string, path: string, headers: RequestInit['headers'], host: string, body: string | Uint8Array | undefined): string {
  if (!TOKEN.test(method)) throw new TypeError(`fetch: invalid method "${method}"`);
  if (INVALID_PATH.test(path)) throw new TypeError('fetch: the request path contains unescaped characters');
  let head = `${method} ${path} HTTP/1.1\r\n`;
  let hasHost = false;
  const add = (name: string, value: string): void => {
    if (!TOKEN.test(name)) throw new TypeError(`fetch: invalid header name "${name}"`);
    if (INVALID_VALUE.test(value)) throw new TypeError(`fetch: invalid value of header ${name}`);
    const lower = name.toLowerCase();
    // The body is framed here, by its length: a caller's framing header would contradict it.
    if (lower === 'content-length' || lower === 'transfer-encoding') return;
    if (lower === 'host') hasHost = true;
    head += `${lower}: ${value}\r\n`;
  };
  if (headers instanceof Headers) headers.forEach((value, name) => add(name, value));
  else if (Array.isArray(headers)) {
    for (const [name, value] of headers) if (name !== undefined && value !== undefined) add(name, value);
  } else if (headers !== undefined && headers !== null) {
    for (const [name, value] of Object.entries(headers)) add(name, typeof value === 'string' ? value : value.join(', '));
  }
  if (!hasHost) head += `host: ${host}\r\n`;
  if (body !== undefined) head += `content-length: ${typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength}\r\n`;
  // A bodiless POST announces its empty body: without a length the server could not tell where it ends.
  else if (method !== 'GET' && method !== 'HEAD') head += 'content-length: 0\r\n';
  return `${head}\r\n`;
}

function isAbortError(error: Error): boolean {
  return error.name === 'AbortError';
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('This operation was aborted', 'AbortError');
}

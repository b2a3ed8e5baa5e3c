import http from 'node:http';
import https from 'node:https';

/** The `fetch` signature the official model SDKs accept through their `fetch` option. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options of {@link createNodeFetch}. */
export interface NodeFetchOptions {
  /**
   * Sockets per origin. Sized for hundreds of concurrent model calls; above it
   * requests queue inside the agent instead of failing.
   * @default 256
   */
  maxSockets?: number;
}

/** A fetch over `node:http` keep-alive agents, and the way to release its sockets. */
export interface NodeFetch {
  fetch: FetchFunction;
  /** Destroys the agents' sockets so the process can exit. */
  close(): void;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * A minimal `fetch` over `node:http`/`node:https` with keep-alive agents.
 *
 * Why not the global fetch (undici): at hundreds of concurrent calls its
 * per-request work (request/response objects, body streams, header
 * validation) made the model path measurably slower than a bare keep-alive
 * loop. Here a non-streamed body is buffered and handed over whole; only
 * server-sent events get a ReadableStream, fed straight from the socket.
 * It supports what the model SDKs send: string or byte bodies, `Headers` or
 * plain header objects, and an AbortSignal.
 */
export function createNodeFetch(options: NodeFetchOptions = {}): NodeFetch {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, maxFreeSockets: 256 };
  let httpAgent: http.Agent | undefined;
  let httpsAgent: https.Agent | undefined;

  const fetch: FetchFunction = (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const secure = url.startsWith('https:');
    const agent = secure
      ? (httpsAgent ??= new https.Agent(agentOptions))
      : (httpAgent ??= new http.Agent(agentOptions));
    return send(secure ? https : http, agent, url, init);
  };

  return {
    fetch,
    close() {
      httpAgent?.destroy();
      httpsAgent?.destroy();
      httpAgent = undefined;
      httpsAgent = undefined;
    },
  };
}

function send(
  transport: typeof http | typeof https,
  agent: http.Agent,
  url: string,
  init: RequestInit,
): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const body = requestBody(init.body);
    const headers = plainHeaders(init.headers);
    if (body !== undefined) headers['content-length'] = String(body.byteLength);

    let settled = false;
    let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
    const onAbort = (): void => {
      const error = abortError(signal);
      req.destroy(error);
      stream?.error(error);
      if (!settled) {
        settled = true;
        reject(error);
      }
    };
    const release = (): void => signal?.removeEventListener('abort', onAbort);
    signal?.addEventListener('abort', onAbort, { once: true });

    const req = transport.request(url, { method: init.method ?? 'GET', headers, agent }, (res) => {
      const status = res.statusCode ?? 0;
      const responseHeaders = toHeaders(res.rawHeaders);
      const isEventStream = (res.headers['content-type'] ?? '').startsWith('text/event-stream');
      if (isEventStream && !NULL_BODY_STATUSES.has(status)) {
        settled = true;
        resolve(new Response(socketStream(res, release, (controller) => (stream = controller)), {
          status,
          statusText: res.statusMessage ?? '',
          headers: responseHeaders,
        }));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', (error) => fail(error));
      res.on('end', () => {
        release();
        if (settled) return;
        settled = true;
        const bytes = NULL_BODY_STATUSES.has(status) ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        resolve(new Response(bytes, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
      });
    });
    const fail = (error: Error): void => {
      release();
      if (settled) return;
      settled = true;
      reject(new TypeError('fetch failed', { cause: error }));
    };
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * Streams a response body to the reader, pausing the socket while the reader
 * is behind so a slow consumer does not buffer the whole answer.
 */
function socketStream(
  res: http.IncomingMessage,
  release: () => void,
  expose: (controller: ReadableStreamDefaultController<Uint8Array>) => void,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      expose(controller);
      res.on('data', (chunk: Buffer) => {
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 1) <= 0) res.pause();
      });
      res.on('end', () => {
        release();
        try {
          controller.close();
        } catch {
          // already errored by an abort
        }
      });
      res.on('error', (error) => {
        release();
        try {
          controller.error(error);
        } catch {
          // already errored by an abort
        }
      });
    },
    pull() {
      res.resume();
    },
    cancel() {
      release();
      res.destroy();
    },
  });
}

function requestBody(body: RequestInit['body']): Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
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
    for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  }
  return out;
}

function toHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('This operation was aborted', 'AbortError');
}

import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FanoutError, isFanoutError } from '../../contracts/errors.js';
import { anthropicWire } from './anthropic-wire.js';
import { FaultInjector, RandomFaults } from './fault-injector.js';
import type { RandomFaultKind, RandomFaultOptions } from './fault-injector.js';
import { openaiWire } from './openai-wire.js';
import { RateLimiter } from './rate-limiter.js';
import type { RateLimitOptions } from './rate-limiter.js';
import { respond } from './sim-responder.js';
import { hasApiKey, parseJson, readBody, retryHeaders, send, sendJson } from './sim-http.js';
import type { SimRequest, SimWire } from './sim-wire.js';

/** Options of {@link startSimServer}. */
export interface SimServerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Only the loopback address: the simulated model is never reachable from outside. */
  host?: '127.0.0.1';
  /** Delay before each answer when the directive sets no `latencyMs`. Default 0. */
  defaultLatencyMs?: number;
  /**
   * Server-wide limits, enforced as a real API does: over a limit the server
   * answers 429 with retry-after, and every model answer carries the limit
   * headers of its wire format.
   */
  rateLimit?: RateLimitOptions;
  /** Server-wide faults at a rate, whatever the directives say (the benchmark's mixed failures). */
  faults?: RandomFaultOptions;
  /**
   * True: neither the listening socket nor its connections keep the process
   * alive — for a server whose only clients are in this process (their own
   * sockets keep it alive while a call is under way). Default false.
   */
  unref?: boolean;
}

/** Counters of a running simulated server. */
export interface SimServerStats {
  /** Model calls received (`/v1/messages` and `/v1/chat/completions`), rejected ones included. */
  requests: number;
  /** Calls answered 429 by the server-level rate limit. */
  rateLimited: number;
  /** Calls failed by a `fail` directive or by the `faults` rate. */
  faults: number;
}

/** A running simulated model server. */
export interface SimServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** A snapshot of the counters, taken on each read. */
  readonly stats: SimServerStats;
  /** Stops listening and drops open connections (pending answers included). Safe to call twice. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
/** Longer than clients' idle keep-alive so the server is not the side that closes a socket about to be reused. */
const KEEP_ALIVE_TIMEOUT_MS = 60_000;
/** The benchmark opens about a thousand connections at once; the default backlog (511) would drop some SYNs. */
const LISTEN_BACKLOG = 4096;
const MODEL_ID = 'sim';

/**
 * Starts the simulated model: a local HTTP server speaking the Anthropic
 * Messages API and the OpenAI Chat Completions API, deterministic, scripted
 * through `<fanout-sim>` directives in the prompt. See docs/simulated-model.md.
 * Throws FanoutError `OPTION_INVALID` for bad options or a port in use.
 */
export async function startSimServer(options: SimServerOptions = {}): Promise<SimServer> {
  checkOptions(options);
  const defaultLatencyMs = options.defaultLatencyMs ?? 0;
  const limiter = options.rateLimit === undefined ? undefined : new RateLimiter(options.rateLimit);
  const faults = new FaultInjector();
  const randomFaults = options.faults === undefined || options.faults.rate === 0 ? undefined : new RandomFaults(options.faults);
  const stats: SimServerStats = { requests: 0, rateLimited: 0, faults: 0 };
  let requestCount = 0;

  const answer = (wire: SimWire, request: SimRequest, res: ServerResponse): void => {
    try {
      const reply = respond(request.conversation);
      limiter?.spend(reply.outputTokens);
      const headers = { 'request-id': `req_sim_${++requestCount}`, ...limitHeaders(wire) };
      if (request.stream) {
        send(res, 200, 'text/event-stream; charset=utf-8', wire.sse(reply, request), { 'cache-control': 'no-cache', ...headers });
      } else {
        sendJson(res, 200, wire.json(reply, request), headers);
      }
    } catch (error) {
      sendFailure(wire, res, error);
    }
  };

  const limitHeaders = (wire: SimWire): Record<string, string> =>
    limiter === undefined ? {} : wire.limitHeaders(limiter.state(), Date.now());

  /** Answers with a fault the `faults` rate picked. */
  const randomFault = (kind: RandomFaultKind, wire: SimWire, req: IncomingMessage, res: ServerResponse): void => {
    stats.faults++;
    if (kind === 'reset') {
      req.socket.destroy();
    } else if (kind === 'cut') {
      // A connection lost mid-answer: the body announces more than it delivers.
      const start = '{"id":"sim_cut","type":"message","content":[{"type":"text","text":"';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(start.length * 4), ...limitHeaders(wire) });
      res.write(start, () => req.socket.destroy());
    } else if (kind === 'stall') {
      // The head goes out, the body never does: the client sees a stalled answer until it gives up.
      res.writeHead(200, { 'content-type': 'application/json', ...limitHeaders(wire) });
      res.flushHeaders();
    } else {
      sendError(wire, res, kind, `simulated fault (faults rate ${options.faults?.rate}), status ${kind}`, undefined, limitHeaders(wire));
    }
  };

  const modelCall = (wire: SimWire, req: IncomingMessage, res: ServerResponse): void => {
    stats.requests++;
    if (!hasApiKey(req)) return sendError(wire, res, 401, MISSING_KEY);
    readBody(req)
      .then((body) => {
        const request = wire.parse(parseJson(body));
        if (limiter !== undefined) {
          const admission = limiter.admit(request.conversation.inputTokens);
          if (!admission.admitted) {
            stats.rateLimited++;
            const message = `simulated rate limit: ${LIMIT_WORDS[admission.limit]}, retry later`;
            return sendError(wire, res, 429, message, admission.retryAfterMs, limitHeaders(wire));
          }
          res.once('close', () => limiter.release());
        }
        const random = randomFaults?.next();
        if (random !== undefined) return randomFault(random, wire, req, res);
        const { key, options: sim } = request.conversation;
        const fault = faults.check(key, sim.fail);
        if (fault !== undefined) {
          stats.faults++;
          const message = `simulated fault ${fault.call} of ${fault.times} (fanout-sim fail directive), status ${fault.status}`;
          return sendError(wire, res, fault.status, message, fault.retryAfterMs, limitHeaders(wire));
        }
        const latencyMs = sim.latencyMs ?? defaultLatencyMs;
        if (latencyMs === 0) return answer(wire, request, res);
        const timer = setTimeout(() => answer(wire, request, res), latencyMs);
        res.once('close', () => clearTimeout(timer));
      })
      .catch((error: unknown) => sendFailure(wire, res, error));
  };

  const server = http.createServer((req, res) => {
    const query = req.url?.indexOf('?') ?? -1;
    const path = query < 0 ? req.url ?? '/' : req.url!.slice(0, query);
    const route = `${req.method} ${path}`;
    if (route === 'POST /v1/messages') return modelCall(anthropicWire, req, res);
    if (route === 'POST /v1/chat/completions') return modelCall(openaiWire, req, res);
    if (!hasApiKey(req)) return sendError(anthropicWire, res, 401, MISSING_KEY);
    if (route === 'POST /v1/messages/count_tokens') return countTokens(req, res);
    if (req.method === 'GET' && path === '/v1/models') return sendJson(res, 200, modelList());
    if (req.method === 'GET' && path.startsWith('/v1/models/')) return sendJson(res, 200, modelInfo(path.slice('/v1/models/'.length)));
    sendError(anthropicWire, res, 404, `no route for ${route}; the simulated model serves POST /v1/messages and POST /v1/chat/completions`);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  server.maxHeadersCount = 200;

  if (options.unref) {
    server.on('connection', (socket) => socket.unref());
    server.unref();
  }
  const port = await listen(server, options.port ?? 0);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${HOST}:${port}`,
    port,
    get stats() {
      return { ...stats };
    },
    close() {
      closing ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

const MISSING_KEY = 'missing API key: send an x-api-key or "Authorization: Bearer" header (the simulated model accepts any value)';

const LIMIT_WORDS = {
  concurrency: 'too many concurrent requests',
  requests: 'requests per minute exceeded',
  tokens: 'tokens per minute exceeded',
} as const;

function sendError(
  wire: SimWire,
  res: ServerResponse,
  status: number,
  message: string,
  retryAfterMs?: number,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, wire.error(status, message), { ...headers, ...retryHeaders(status, retryAfterMs) });
}

/** FanoutErrors with a status are the client's mistakes (400, 413); anything else is a bug here. */
function sendFailure(wire: SimWire, res: ServerResponse, error: unknown): void {
  if (isFanoutError(error) && error.status !== undefined) return sendError(wire, res, error.status, error.message);
  sendError(wire, res, 500, `simulated model internal error: ${error instanceof Error ? error.message : String(error)}`);
}

function countTokens(req: IncomingMessage, res: ServerResponse): void {
  readBody(req)
    .then((body) => sendJson(res, 200, { input_tokens: anthropicWire.parse(parseJson(body)).conversation.inputTokens }))
    .catch((error: unknown) => sendFailure(anthropicWire, res, error));
}

/** One shape both SDKs read: Anthropic's fields (`type`, `display_name`, `created_at`) and OpenAI's (`object`, `created`, `owned_by`). */
function modelInfo(id: string): Record<string, unknown> {
  return {
    id,
    type: 'model',
    object: 'model',
    display_name: 'fanout simulated model',
    created_at: '2025-01-01T00:00:00Z',
    created: 1_735_689_600,
    owned_by: 'fanout',
  };
}

function modelList(): Record<string, unknown> {
  return { object: 'list', data: [modelInfo(MODEL_ID)], has_more: false, first_id: MODEL_ID, last_id: MODEL_ID };
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${error.message})`;
      reject(
        new FanoutError('OPTION_INVALID', `sim server: port ${port} on ${HOST} ${reason}; choose another port or 0 for a free one`, {
          cause: error,
        }),
      );
    });
    server.listen({ host: HOST, port, backlog: LISTEN_BACKLOG }, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function checkOptions(options: SimServerOptions): void {
  const { port, host, defaultLatencyMs, rateLimit, faults } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    throw optionError(`port must be an integer from 0 to 65535, got ${port}`);
  }
  if (host !== undefined && host !== HOST) throw optionError(`host must be ${HOST} (the simulated model listens on loopback only), got ${host}`);
  if (defaultLatencyMs !== undefined && !(Number.isFinite(defaultLatencyMs) && defaultLatencyMs >= 0)) {
    throw optionError(`defaultLatencyMs must be a non-negative number, got ${defaultLatencyMs}`);
  }
  if (faults !== undefined) {
    if (!(faults.rate >= 0 && faults.rate <= 1)) throw optionError(`faults.rate must be a number from 0 to 1, got ${faults.rate}`);
    for (const kind of faults.kinds ?? []) {
      if (!RANDOM_FAULT_KINDS.includes(kind)) throw optionError(`faults.kinds: expected 429, 500, 529, reset or stall, got ${String(kind)}`);
    }
  }
  for (const key of ['maxConcurrent', 'requestsPerSecond', 'requestsPerMinute', 'tokensPerMinute', 'retryAfterMs'] as const) {
    const value = rateLimit?.[key];
    const min = key === 'retryAfterMs' ? 0 : Number.MIN_VALUE;
    if (value !== undefined && !(Number.isFinite(value) && value >= min)) {
      throw optionError(`rateLimit.${key} must be a ${min === 0 ? 'non-negative' : 'positive'} number, got ${value}`);
    }
  }
}

const RANDOM_FAULT_KINDS: readonly RandomFaultKind[] = [429, 500, 529, 'reset', 'cut', 'stall'];

function optionError(message: string): FanoutError {
  return new FanoutError('OPTION_INVALID', `sim server: ${message}`);
}

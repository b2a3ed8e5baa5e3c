import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { FanoutError, isFanoutError } from '../contracts/errors.js';
import type { StoredEvent } from '../contracts/events.js';
import type { Fanout } from '../contracts/fanout.js';
import { loadRunSnapshot, OUTPUTS_OPEN_MAX } from '../report/run-snapshot.js';
import { RUN_VIEW_CSS } from '../report/styles.js';
import { DASHBOARD_CSS } from './dashboard-styles.js';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** The library object every request goes through. */
  fanout: Fanout;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** The token the URL carries; default 24 random bytes. */
  token?: string;
  /** How often a live stream reads new events from the store, ms. Default 50. */
  pollMs?: number;
  /** The built front end (`app.js`). Default: `web/app.js` beside this module (dist/ui/web, built by `npm run build`). */
  bundlePath?: string;
}

/** A running dashboard. */
export interface Dashboard {
  /** The URL to open, token included. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Runs listed by the dashboard. */
const RUN_LIST_LIMIT = 50;
/** How long a live stream waits without events before it reads the run's status (to notice a run whose process died), and how often it does, ms. */
const STATUS_CHECK_MS = 2000;
const TOKEN_COOKIE = 'fanout_token';

/**
 * Serves the dashboard on 127.0.0.1: the page, its bundle, a JSON API over
 * the library (runs, a run's snapshot, its events, a task's output, stop,
 * resume: in this process) and a server-sent-event stream of a run's stored events,
 * so it follows runs of any process. Every request needs the token (in the
 * URL, or the cookie the page sets); without it: 401. Throws FanoutError
 * `OPTION_INVALID` when the port is in use.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const bundlePath = options.bundlePath ?? fileURLToPath(new URL('./web/app.js', import.meta.url));
  const context: RouteContext = { fanout: options.fanout, token, bundlePath, pollMs: options.pollMs ?? 50, streams: new Set(), listRows: new Map(), lastSeqs: new Map() };
  const server = createServer((request, response) => {
    void handle(context, request, response).catch((error: unknown) => sendError(response, error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new FanoutError('OPTION_INVALID', `--port ${options.port ?? 0}: the port is in use on 127.0.0.1`)
          : error,
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const stop of context.streams) stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface RouteContext {
  fanout: Fanout;
  token: string;
  bundlePath: string;
  pollMs: number;
  /** Stops each open event stream (on close). */
  streams: Set<() => void>;
  /** Rows of the runs list, and when each was computed. */
  listRows: Map<string, CachedRow>;
  /** The last event seq seen per run. */
  lastSeqs: Map<string, number>;
}

async function handle(context: RouteContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (!authorized(context.token, request, url)) {
    return sendHtmlError(response, 401, 'this dashboard needs the token printed by <code>fanout ui</code> (open the URL with <code>?token=…</code>).');
  }
  const { fanout } = context;
  const path = url.pathname;
  if (request.method === 'GET' && path === '/') return sendPage(context, response);
  if (request.method === 'GET' && path === '/app.js') {
    const bundle = await readFile(context.bundlePath).catch(() => {
      throw new FanoutError('INTERNAL', `the dashboard bundle ${context.bundlePath} is missing: run npm run build`);
    });
    response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
    response.end(bundle);
    return;
  }
  if (request.method === 'GET' && path === '/api/runs') return sendJson(response, listRuns(fanout, context.listRows));
  if (request.method === 'GET' && path === '/api/capabilities') return sendJson(response, { resume: true });
  if (request.method === 'GET' && path === '/api/output') return sendJson(response, await fanout.output(url.searchParams.get('handle') ?? ''));
  const runRoute = /^\/api\/runs\/([^/]+)(\/events|\/stream)?$/.exec(path);
  if (request.method === 'GET' && runRoute !== null) {
    const runId = decodeURIComponent(runRoute[1] as string);
    const after = Number(url.searchParams.get('after') ?? 0) || 0;
    if (runRoute[2] === '/stream') return streamEvents(context, runId, after, request, response);
    if (runRoute[2] === '/events') return sendJson(response, fanout.events(url.searchParams.get('handle') ?? runId, { after }));
    const snapshot = await loadRunSnapshot(fanout, runId, { outputsUpTo: OUTPUTS_OPEN_MAX });
    return sendJson(response, { ...snapshot, lastSeq: lastSeqOf(context, snapshot.run.runId) });
  }
  if (request.method === 'POST' && (path === '/api/stop' || path === '/api/resume')) {
    // A form on another site cannot set this header: actions need the token twice.
    if (request.headers['x-fanout-token'] !== context.token) return sendJson(response, { error: 'missing x-fanout-token header' }, 403);
    const body = JSON.parse((await readBody(request)) || '{}') as { target?: unknown };
    if (typeof body.target !== 'string') throw new FanoutError('OPTION_INVALID', 'expected a JSON body {"target": "<run id or task handle>"}');
    if (path === '/api/stop') return sendJson(response, await fanout.stop(body.target));
    // Continued in this process: it runs as long as the dashboard does (closing it stops the run, which can be resumed again).
    const { runId } = fanout.status(body.target).run;
    const { handles } = fanout.resume(runId);
    return sendJson(response, { runId, handles });
  }
  if (path.startsWith('/api/')) return sendJson(response, { error: `no route ${request.method ?? ''} ${path}` }, 404);
  // A person typed or followed a wrong address: a page, not JSON (runs open at /#run=<id>).
  sendHtmlError(response, 404, 'nothing here: the dashboard is at <a href="/">/</a>, a run at <code>/#run=&lt;run id&gt;</code>.');
}

/** A one-line error page for the browser (the text is fixed HTML: nothing of the request is echoed). */
function sendHtmlError(response: ServerResponse, status: 401 | 404, html: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'" });
  response.end(`<!doctype html><html lang="en"><title>${status}</title><p>${status}: ${html}</p></html>`);
}

/**
 * The seq of the run's last stored event, read after the snapshot (an event
 * in between is shown at the next refresh, never applied twice). Only the
 * events after the last seq this server saw are read: a 1,000-task run has
 * thousands.
 */
function lastSeqOf(context: RouteContext, runId: string): number {
  const known = context.lastSeqs.get(runId) ?? 0;
  const seq = context.fanout.events(runId, { after: known }).at(-1)?.seq ?? known;
  context.lastSeqs.set(runId, seq);
  return seq;
}

function authorized(token: string, request: IncomingMessage, url: URL): boolean {
  const given = url.searchParams.get('token') ?? cookie(request, TOKEN_COOKIE);
  if (given === undefined || given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookie(request: IncomingMessage, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function sendPage(context: RouteContext, response: ServerResponse): void {
  response.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'set-cookie': `${TOKEN_COOKIE}=${context.token}; HttpOnly; SameSite=Strict; Path=/`,
    'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'",
    'cache-control': 'no-store',
  });
  response.end(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fanout dashboard</title>
<style>${RUN_VIEW_CSS}${DASHBOARD_CSS}</style>
</head>
<body>
<div id="app"><p>Loading…</p></div>
<script src="/app.js" data-token="${context.token}"></script>
</body>
</html>
`);
}

interface CachedRow {
  row: RunListItem;
  at: number;
}

/** One row of the runs list. */
export interface RunListItem {
  runId: string;
  name: string;
  status: string;
  createdAt: number;
  tasks: number;
  succeeded: number;
  wallMs: number;
  speedup: number;
  costUsd: number | null;
  simulated: boolean;
}

/**
 * The runs list (polled by the page every 2 s). A finished run's row is
 * computed once (its report no longer changes); a running run's at most
 * every 2 s plus 10 ms per task: its report reads every task, and holds the
 * server (and the run, when they share the process) while it does.
 */
function listRuns(fanout: Fanout, rows: Map<string, CachedRow>, now: number = Date.now()): RunListItem[] {
  return fanout.runs(RUN_LIST_LIMIT).map((run) => {
    const known = rows.get(run.runId);
    const live = run.status === 'running' || run.status === 'synthesizing';
    if (known !== undefined && known.row.status === run.status && (!live || now - known.at < Math.max(2000, known.row.tasks * 10))) return known.row;
    const report = fanout.report(run.runId);
    const row: RunListItem = {
      runId: run.runId,
      name: run.name,
      status: run.status,
      createdAt: run.createdAt,
      tasks: report.tasks.length,
      succeeded: report.tasks.filter((task) => task.status === 'succeeded').length,
      wallMs: report.wallMs,
      speedup: report.speedup,
      costUsd: report.costUsd ?? null,
      simulated: report.simulated,
    };
    rows.set(run.runId, { row, at: now });
    return row;
  });
}

/**
 * Server-sent events of a run: every `pollMs`, the events stored since the
 * last read, as one `events` message (a JSON array); an `end` message once
 * the run has ended. Reads the store, so runs of any process are followed.
 */
function streamEvents(context: RouteContext, runId: string, after: number, request: IncomingMessage, response: ServerResponse): void {
  const { fanout } = context;
  fanout.events(runId, { after: Number.MAX_SAFE_INTEGER }); // NOT_FOUND before the stream opens
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  response.write('retry: 1000\n\n');
  let last = after;
  // Intervals within this process: the monotonic clock, so a wall-clock step back cannot silence the status check.
  let lastStatusCheck = performance.now();
  let lastEventAt = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    clearTimeout(timer);
    context.streams.delete(stop);
    response.end();
  };
  context.streams.add(stop);
  request.on('close', stop);
  const tick = (): void => {
    const events: StoredEvent[] = fanout.events(runId, { after: last });
    if (events.length > 0) {
      last = events.at(-1)?.seq ?? last;
      response.write(`id: ${last}\nevent: events\ndata: ${JSON.stringify(events)}\n\n`);
    }
    if (events.length > 0) lastEventAt = performance.now();
    let ended = events.some(({ event }) => event.type === 'run-end');
    // Only a silent run can have lost its process: reading a 1,000-task run's status while its events flow would hold the stream.
    if (!ended && performance.now() - lastEventAt >= STATUS_CHECK_MS && performance.now() - lastStatusCheck >= STATUS_CHECK_MS) {
      lastStatusCheck = performance.now();
      const status = fanout.status(runId).run.status;
      ended = status !== 'running' && status !== 'synthesizing';
    }
    if (ended) {
      response.write('event: end\ndata: {}\n\n');
      stop();
      return;
    }
    timer = setTimeout(tick, context.pollMs);
  };
  tick();
}

function sendJson(response: ServerResponse, value: unknown, status = 200): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(value));
}

function sendError(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const status = isFanoutError(error, 'NOT_FOUND') ? 404 : isFanoutError(error, 'OPTION_INVALID') || error instanceof SyntaxError ? 400 : 500;
  sendJson(response, { error: error instanceof Error ? error.message : String(error) }, status);
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > 64 * 1024) throw new FanoutError('OPTION_INVALID', 'request body too large');
  }
  return body;
}

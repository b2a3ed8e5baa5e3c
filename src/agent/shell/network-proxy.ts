import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { FanoutError } from '../../contracts/errors.js';

/** Most time the proxy waits to resolve and connect to an allowed host, ms. */
export const PROXY_CONNECT_TIMEOUT_MS = 10_000;
/** Most time starting the proxy may take, ms (listening on a fresh unix socket is immediate). */
const PROXY_START_TIMEOUT_MS = 5_000;

/**
 * Whether `host` is one a task named in `shell.network`: the same name
 * (case and a trailing dot aside), or, for an entry `*.example.com`, a name
 * ending in `.example.com` at any depth (not `example.com` itself: name it
 * too). A plain entry never lets its subdomains through.
 */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((entry) => {
    const pattern = entry.toLowerCase().replace(/\.$/, '');
    return pattern.startsWith('*.') ? name.endsWith(pattern.slice(1)) : name === pattern;
  });
}

/** An allow-list proxy serving one sandboxed command. */
export interface NetworkProxy {
  /** The unix socket it listens on: bound into the sandbox, where socat bridges a TCP port to it. */
  readonly socketPath: string;
  /** `host:port` of each connection it refused, in order, each once. */
  readonly refused: readonly string[];
  /** Stops listening, cuts every open connection and tunnel, removes the socket. */
  close(): void;
}

/**
 * Starts an HTTP proxy on a fresh unix socket that lets through only the
 * hosts `allowed` names (see {@link hostAllowed}): plain requests with an
 * absolute `http://` URL are forwarded, `CONNECT host:port` (HTTPS and any
 * other TCP) is tunnelled; any other host gets `403 Forbidden` naming the
 * host and the list. The proxy resolves names itself, so the command needs
 * no DNS. Connecting to an allowed host is bounded by `connectTimeoutMs`;
 * open connections last until {@link NetworkProxy.close}, which the
 * command's runner calls when the command ends.
 */
export async function startNetworkProxy(
  allowed: readonly string[],
  options: { signal: AbortSignal; connectTimeoutMs?: number },
): Promise<NetworkProxy> {
  const connectTimeoutMs = options.connectTimeoutMs ?? PROXY_CONNECT_TIMEOUT_MS;
  const dir = mkdtempSync(path.join(tmpdir(), 'fanout-net-'));
  const socketPath = path.join(dir, 'proxy.sock');
  const refused: string[] = [];
  const open = new Set<Duplex>();
  const track = (socket: Duplex): void => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    // A peer that vanishes mid-transfer is normal here; the other side is cut with it.
    socket.on('error', () => socket.destroy());
  };
  const refuse = (host: string, port: number): string => {
    const target = `${host}:${port}`;
    if (!refused.includes(target)) refused.push(target);
    return `fanout: ${host} is not in this task's shell.network (${allowed.join(', ')}); connection refused\n`;
  };
  /** Connects to an allowed host, bounded: resolving and connecting together get `connectTimeoutMs`. */
  const dial = (host: string, port: number, onConnect: (upstream: Socket) => void, onFail: (why: string) => void): void => {
    const upstream = connect({ host, port });
    track(upstream);
    const timer = setTimeout(() => upstream.destroy(new Error(`no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
    upstream.once('connect', () => {
      clearTimeout(timer);
      onConnect(upstream);
    });
    upstream.once('error', (error) => {
      clearTimeout(timer);
      onFail(error.message);
    });
  };

  const server = createServer((req, res) => forward(req, res));
  server.on('connection', track);
  server.on('connect', (req: IncomingMessage, client: Duplex, head: Buffer) => {
    track(client);
    const target = parseTarget(`http://${req.url ?? ''}`);
    if (target === undefined || target.port === undefined) {
      client.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nfanout: CONNECT needs host:port\n');
      return;
    }
    const { host, port } = target;
    if (!hostAllowed(host, allowed)) {
      const body = refuse(host, port);
      client.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    dial(
      host,
      port,
      (upstream) => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      },
      (why) => client.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nfanout: cannot reach ${host}:${port}: ${why}\n`),
    );
  });

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const target = parseTarget(req.url ?? '');
    if (target === undefined || target.protocol !== 'http:') {
      res.writeHead(400, { 'content-type': 'text/plain', connection: 'close' }).end('fanout: the proxy takes absolute http:// URLs, and CONNECT for https\n');
      return;
    }
    const { host, port = 80, path: requestPath } = target;
    if (!hostAllowed(host, allowed)) {
      res.writeHead(403, { 'content-type': 'text/plain', connection: 'close' }).end(refuse(host, port));
      return;
    }
    const headers: OutgoingHttpHeaders = { ...req.headers };
    delete headers['proxy-connection'];
    delete headers['proxy-authorization'];
    dial(
      host,
      port,
      (upstream) => {
        // One connection per request, never pooled: the next request on the client's connection may name another host.
        const outgoing = request({ method: req.method, path: requestPath, headers, createConnection: () => upstream }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        outgoing.on('error', (error) => {
          if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`fanout: ${host}:${port} failed: ${error.message}\n`);
          else res.destroy();
        });
        req.pipe(outgoing);
      },
      (why) => res.writeHead(502, { 'content-type': 'text/plain', connection: 'close' }).end(`fanout: cannot reach ${host}:${port}: ${why}\n`),
    );
  }

  const close = (): void => {
    server.close();
    for (const socket of open) socket.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await listen(server, socketPath, options.signal);
  } catch (error) {
    close();
    throw error;
  }
  return { socketPath, refused, close };
}

/** Host (without IPv6 brackets), port when given, path and protocol of an absolute URL; undefined when it is not one. */
function parseTarget(url: string): { host: string; port: number | undefined; path: string; protocol: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.hostname === '') return undefined;
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? undefined : Number(parsed.port),
    path: `${parsed.pathname}${parsed.search}`,
    protocol: parsed.protocol,
  };
}

function listen(server: ReturnType<typeof createServer>, socketPath: string, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      reject(error);
    };
    const onAbort = (): void => fail(new FanoutError('ABORTED', 'shell command aborted'));
    const timer = setTimeout(() => fail(new FanoutError('INTERNAL', `the network proxy did not start within ${PROXY_START_TIMEOUT_MS} ms`)), PROXY_START_TIMEOUT_MS);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    server.once('error', fail);
    server.listen(socketPath, () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      server.off('error', fail);
      resolve();
    });
  });
}

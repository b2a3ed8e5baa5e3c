import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createMcpHandler, hostHeaderValidationResponse, localhostAllowedHostnames } from '@modelcontextprotocol/server';
import { FanoutError } from '../index.js';
import { createMcpServer } from './create-mcp-server.js';
import type { McpContext } from './mcp-context.js';

/** The path the Streamable HTTP endpoint is served at. */
export const MCP_HTTP_PATH = '/mcp';

/** A running HTTP MCP server. */
export interface McpHttpServer {
  /** `http://127.0.0.1:<port>/mcp`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A bearer token for the HTTP server: 32 random bytes, base64url. */
export function newMcpToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Serves MCP over Streamable HTTP at `http://127.0.0.1:<port>/mcp` (port 0:
 * any free one). Loopback only, with the SDK's Host check against DNS
 * rebinding, and every request must carry `Authorization: Bearer <token>`
 * (401 otherwise, before the MCP layer sees it). Each request is served by a
 * fresh server instance over the shared library: the state is in the store.
 */
export async function serveMcpHttp(context: McpContext, options: { port: number; token: string }): Promise<McpHttpServer> {
  const handler = createMcpHandler(() => createMcpServer(context));
  const expected = Buffer.from(`Bearer ${options.token}`);
  const authorized = (header: string | undefined) => {
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== MCP_HTTP_PATH) return sendJson(res, 404, { error: `not found: the MCP endpoint is ${MCP_HTTP_PATH}` });
    if (!authorized(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Bearer');
      return sendJson(res, 401, { error: 'unauthorized: send Authorization: Bearer <token> (FANOUT_MCP_TOKEN)' });
    }
    serveRequest(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
      else res.destroy();
    });
  });
  async function serveRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await toWebRequest(req, res);
    const response = hostHeaderValidationResponse(request, localhostAllowedHostnames()) ?? (await handler.fetch(request));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body === null) return void res.end();
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream).pipe(res);
  }
  await listen(server, options.port);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${MCP_HTTP_PATH}`,
    port,
    close: async () => {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new FanoutError('OPTION_INVALID', error.code === 'EADDRINUSE' ? `--http ${port}: port in use` : `--http ${port}: ${error.message}`, { cause: error })),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** The request as the SDK's web-standard handler takes it; aborted when the response closes. */
async function toWebRequest(req: IncomingMessage, res: ServerResponse): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const method = req.method ?? 'GET';
  const chunks: Buffer[] = [];
  if (method !== 'GET' && method !== 'HEAD') for await (const chunk of req) chunks.push(chunk as Buffer);
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  return new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, {
    method,
    headers,
    signal: abort.signal,
    ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
  });
}

function sendJson(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

import { createServer, type IncomingMessage, type Server } from 'node:http';

/** A parsed JSON request, as route handlers see it. */
export interface JsonRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: unknown;
}

/** What a route handler answers. */
export interface JsonResponse {
  status: number;
  body: unknown;
}

/** A route handler. */
export type Handler = (request: JsonRequest) => Promise<JsonResponse>;

const routes = new Map<string, Handler>();

/** Registers the handler of `METHOD /path`. */
export function route(method: string, path: string, handler: Handler): void {
  routes.set(`${method} ${path}`, handler);
}

/** Sends a request to its handler; 404 when no route matches. */
export async function dispatch(request: JsonRequest): Promise<JsonResponse> {
  const handler = routes.get(`${request.method} ${request.path}`);
  return handler ? handler(request) : { status: 404, body: { error: 'not found' } };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

/** Starts the HTTP server on `port`. */
export function listen(port: number): Server {
  return createServer(async (req, res) => {
    const response = await dispatch({
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://localhost').pathname,
      headers: req.headers as Record<string, string | undefined>,
      body: await readJson(req),
    });
    res.writeHead(response.status, { 'content-type': 'application/json' }).end(JSON.stringify(response.body));
  }).listen(port);
}

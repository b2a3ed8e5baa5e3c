import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFetch, type NodeFetch } from './node-fetch.js';

/** A small real server whose handler each test sets; it records what it received. */
let handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
let connections = 0;
let requests = 0;
const server = http.createServer((req, res) => {
  requests++;
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
});
server.on('connection', () => connections++);
let base: string;
let client: NodeFetch;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(() => client?.close());

describe('createNodeFetch', () => {
  it('sends method, path, query, headers and body, and returns status, headers and JSON', async () => {
    client = createNodeFetch();
    let seen: { method?: string; url?: string; key?: string; type?: string; body?: string } = {};
    handler = (req, body, res) => {
      seen = { method: req.method, url: req.url, key: req.headers['x-api-key'] as string, type: req.headers['content-type'], body };
      res.setHeader('Vary', ['accept', 'origin']);
      res.writeHead(201, { 'content-type': 'application/json', 'request-id': 'req_1' }).end('{"ok":true,"n":[1,2]}');
    };
    const response = await client.fetch(`${base}/v1/messages?beta=true`, {
      method: 'POST',
      headers: new Headers({ 'X-Api-Key': 'k1', 'Content-Type': 'application/json' }),
      body: '{"hello":"wörld"}',
    });
    expect(seen).toEqual({ method: 'POST', url: '/v1/messages?beta=true', key: 'k1', type: 'application/json', body: '{"hello":"wörld"}' });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    // What the SDKs read of the headers, as `Headers` gives it: any case, repeats joined, in name order.
    expect(response.headers.get('Request-Id')).toBe('req_1');
    expect(response.headers.get('vary')).toBe('accept, origin');
    expect(response.headers.has('x-missing')).toBe(false);
    expect(response.headers.get('x-missing')).toBeNull();
    const names = [...response.headers.entries()].map(([name]) => name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['content-type', 'request-id', 'vary']));
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual({ ok: true, n: [1, 2] });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
  });

  it('sends Host and a length for every POST: a bodiless one is not chunked, a caller\'s wrong length is replaced', async () => {
    client = createNodeFetch();
    const seen: Array<{ host?: string; length?: string; chunked?: string; body: string }> = [];
    handler = (req, body, res) => {
      seen.push({ host: req.headers.host, length: req.headers['content-length'], chunked: req.headers['transfer-encoding'], body });
      res.writeHead(200).end('ok');
    };
    await (await client.fetch(`${base}/empty`, { method: 'POST' })).text();
    await (await client.fetch(`${base}/sized`, { method: 'POST', headers: { 'Content-Length': '1' }, body: 'wörld' })).text();
    const host = new URL(base).host;
    expect(seen).toEqual([
      { host, length: '0', chunked: undefined, body: '' },
      { host, length: '6', chunked: undefined, body: 'wörld' },
    ]);
  });

  it('sends a query without a path as /?query, a slash inside the query as query, and never the fragment', async () => {
    client = createNodeFetch();
    const seen: string[] = [];
    handler = (req, _body, res) => {
      seen.push(req.url as string);
      res.writeHead(204).end();
    };
    await client.fetch(`${base}?next=/a/b#part`);
    await client.fetch(`${base}#only`);
    await client.fetch(new URL(`${base}/v1/x?y=1#z`));
    expect(seen).toEqual(['/?next=/a/b', '/', '/v1/x?y=1']);
  });

  it('takes a Request input\'s method, headers and body, unless init sets them', async () => {
    client = createNodeFetch();
    const seen: Array<{ method?: string; url?: string; key?: string; body: string }> = [];
    handler = (req, body, res) => {
      seen.push({ method: req.method, url: req.url, key: req.headers['x-key'] as string, body });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    };
    const request = (): Request => new Request(`${base}/r?x=1`, { method: 'PUT', headers: { 'x-key': 'from-request' }, body: 'wörld' });
    expect(await (await client.fetch(request())).text()).toBe('ok');
    await client.fetch(request(), { method: 'POST', headers: { 'x-key': 'from-init' }, body: 'init body' });
    expect(seen).toEqual([
      { method: 'PUT', url: '/r?x=1', key: 'from-request', body: 'wörld' },
      { method: 'POST', url: '/r?x=1', key: 'from-init', body: 'init body' },
    ]);
  });

  it('reuses one keep-alive connection for calls in sequence', async () => {
    client = createNodeFetch();
    handler = (_req, _body, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('pong');
    const before = connections;
    for (let i = 0; i < 5; i++) expect(await (await client.fetch(`${base}/ping`)).text()).toBe('pong');
    expect(connections - before).toBe(1);
  });

  it('returns an empty body for 204 and the error body for 4xx', async () => {
    client = createNodeFetch();
    handler = (req, _body, res) => {
      if (req.url === '/empty') res.writeHead(204).end();
      else res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' }).end('{"error":"slow"}');
    };
    const empty = await client.fetch(`${base}/empty`);
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
    const limited = await client.fetch(`${base}/limited`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(await limited.text()).toBe('{"error":"slow"}');
  });

  it('streams server-sent events as they arrive', async () => {
    client = createNodeFetch();
    let finish!: () => void;
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      finish = () => res.end('data: two\n\n');
    };
    const response = await client.fetch(`${base}/events`);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    // The server has not ended the response: the first event must be readable already.
    expect(decoder.decode((await reader.read()).value)).toBe('data: one\n\n');
    finish();
    expect(decoder.decode((await reader.read()).value)).toBe('data: two\n\n');
    expect((await reader.read()).done).toBe(true);
  });

  it('aborts a stream being read when the signal fires', async () => {
    client = createNodeFetch();
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
    };
    const controller = new AbortController();
    const response = await client.fetch(`${base}/events`, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('aborts a request waiting for its answer', async () => {
    client = createNodeFetch();
    handler = () => {};
    const controller = new AbortController();
    const pending = client.fetch(`${base}/never`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('sends nothing when the signal has already fired', async () => {
    client = createNodeFetch();
    const before = requests;
    const controller = new AbortController();
    controller.abort();
    await expect(client.fetch(`${base}/x`, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(requests).toBe(before);
  });

  it('fails like fetch, with the system error as cause, when nothing listens', async () => {
    client = createNodeFetch();
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await client.fetch(`http://127.0.0.1:${port}/`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('closes its idle sockets on close()', async () => {
    client = createNodeFetch();
    handler = (_req, _body, res) => res.writeHead(200).end('ok');
    let closed!: () => void;
    const socketClosed = new Promise<void>((resolve) => (closed = resolve));
    server.once('connection', (socket: net.Socket) => socket.once('close', () => closed()));
    await (await client.fetch(`${base}/once`)).text();
    client.close();
    await socketClosed;
  });
});

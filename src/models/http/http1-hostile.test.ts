import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { isRetryableConnectionCode, connectionErrorCode } from './http-errors.js';
import { createNodeFetch, type NodeFetch } from './node-fetch.js';
import { socketClosed } from '../test-support/socket-closed.js';

/**
 * A raw TCP server: `answer` gets each request's head (and the socket) as
 * soon as its blank line arrives, whatever follows; `raw` is every byte
 * received on every connection, in order.
 */
async function rawServer(answer: (socket: net.Socket, head: string) => void): Promise<{
  url: string;
  connections: () => number;
  raw: () => string;
  close: () => Promise<void>;
}> {
  let connections = 0;
  let raw = '';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      raw += chunk.toString('latin1');
      pending += chunk.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const head = pending.slice(0, end);
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        pending = pending.slice(end + 4 + length);
        answer(socket, head);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connections: () => connections,
    raw: () => raw,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(answer: (socket: net.Socket, head: string) => void): Promise<{ server: Awaited<ReturnType<typeof rawServer>>; client: NodeFetch }> {
  const server = await rawServer(answer);
  closers.push(server.close);
  const client = createNodeFetch();
  closers.push(() => client.close());
  return { server, client };
}

/** A whole event stream of two events, chunked, and the text it carries. */
const EVENT_STREAM_ANSWER =
  'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\nb\r\ndata: one\n\n\r\nb\r\ndata: two\n\n\r\n0\r\n\r\n';
const EVENT_STREAM_TEXT = 'data: one\n\ndata: two\n\n';

/** Lets the event loop run its I/O (what the server in this process sent reaches the client). */
function ioTurns(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

describe('fanout fetch against a hostile or sloppy server', () => {
  it('refuses a method, path or header that could end a line early, before connecting', async () => {
    const { server, client } = await setup((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    const attempts: Array<[string, RequestInit]> = [
      ['/a b', {}],
      ['/a\r\nx-injected: 1', {}],
      ['/\u0100', {}],
      ['/', { method: 'GET /x HTTP/1.1\r\nx:' }],
      ['/', { headers: { 'x-a': 'v\r\nx-injected: 1' } }],
      ['/', { headers: { 'x-a': 'v\nx-injected: 1' } }],
      ['/', { headers: { 'x-a': 'v\u0000' } }],
      ['/', { headers: { 'x a': 'v' } }],
      ['/', { headers: [['x-a\r\nx-injected', 'v']] }],
    ];
    for (const [path, init] of attempts) await expect(client.fetch(`${server.url}${path}`, init)).rejects.toThrow(TypeError);
    expect(server.connections()).toBe(0);
  });

  it('sends the method upper case as node:http did, and reads a lower-case HEAD answer without a body', async () => {
    const { server, client } = await setup((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n'));
    const response = await client.fetch(`${server.url}/h`, { method: 'head' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(server.raw().startsWith('HEAD /h HTTP/1.1\r\n')).toBe(true);
  });

  it('frames the body itself: a caller\'s transfer-encoding is not sent beside the content-length', async () => {
    const { server, client } = await setup((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    await client.fetch(`${server.url}/p`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' }, body: 'wörld' });
    const head = server.raw().slice(0, server.raw().indexOf('\r\n\r\n'));
    expect(head).not.toMatch(/transfer-encoding/i);
    expect(head).toMatch(/\r\ncontent-length: 6$|\r\ncontent-length: 6\r\n/);
  });

  it('does not reuse a connection whose bodiless answer came with stray bytes in the same packet', async () => {
    let first = true;
    const { server, client } = await setup((socket) => {
      if (first) socket.write('HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nx');
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      first = false;
    });
    expect((await client.fetch(`${server.url}/one`)).status).toBe(204);
    expect(await (await client.fetch(`${server.url}/two`)).text()).toBe('ok');
    expect(server.connections()).toBe(2);
  });

  it('does not reuse a connection whose answer came while the request body was still being written', async () => {
    // The server answers at the request's head, before reading its body (an early 413, say).
    const { server, client } = await setup((socket, head) => {
      if (head.startsWith('POST')) socket.pause();
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    const big = new Uint8Array(32 * 1024 * 1024);
    expect(await (await client.fetch(`${server.url}/big`, { method: 'POST', body: big })).text()).toBe('ok');
    // Node's agent frees a socket only when both the answer and the request are done: this one is not reused.
    expect(await (await client.fetch(`${server.url}/next`)).text()).toBe('ok');
    expect(server.connections()).toBe(2);
  });

  it('notices the server closing a connection left idle by a slow reader of an event stream', async () => {
    let answers = 0;
    const sockets: net.Socket[] = [];
    const { server, client } = await setup((socket) => {
      answers++;
      sockets.push(socket);
      socket.write(EVENT_STREAM_ANSWER);
    });
    const response = await client.fetch(`${server.url}/events`);
    // The reader is slow: it reads only once the stream has ended on the wire.
    await ioTurns();
    expect(await response.text()).toBe(EVENT_STREAM_TEXT);
    // The server closes the idle connection (its keep-alive timeout).
    const first = sockets[0] as net.Socket;
    first.end();
    await socketClosed(first, 'the client kept the connection the server closed');
    const next = await client.fetch(`${server.url}/events`);
    expect(await next.text()).toBe(EVENT_STREAM_TEXT);
    expect(answers).toBe(2);
    expect(server.connections()).toBe(2);
  });

  it('notices stray bytes on a connection left idle by a slow reader of an event stream', async () => {
    const sockets: net.Socket[] = [];
    const { server, client } = await setup((socket) => {
      sockets.push(socket);
      socket.write(EVENT_STREAM_ANSWER);
    });
    const response = await client.fetch(`${server.url}/events`);
    await ioTurns();
    expect(await response.text()).toBe(EVENT_STREAM_TEXT);
    // Bytes nobody asked for: the connection is out of step and must not carry the next request.
    const first = sockets[0] as net.Socket;
    first.write('HTTP/1.1 200 OK\r\n');
    await socketClosed(first, 'the client kept a connection that received stray bytes');
    expect(await (await client.fetch(`${server.url}/events`)).text()).toBe(EVENT_STREAM_TEXT);
    expect(server.connections()).toBe(2);
  });

  it('fails at once, as node:http does, on bytes that cannot become an answer, though the server keeps the connection open', async () => {
    const { server, client } = await setup((socket, head) => {
      // Lines ended by LF alone; a TLS or HTTP/2 server spoken to in plain HTTP/1.1.
      if (head.includes('/lf')) socket.write('HTTP/1.1 200 OK\ncontent-length: 2\n\nok');
      else socket.write(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]));
    });
    for (const path of ['/lf', '/tls']) {
      const error = await client.fetch(`${server.url}${path}`).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as TypeError).cause).toMatchObject({ code: 'HPE_INVALID_ANSWER' });
    }
  });

  it('skips empty lines before the status line, as node:http does', async () => {
    const { server, client } = await setup((socket) => socket.write('\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    expect(await (await client.fetch(`${server.url}/`)).text()).toBe('ok');
  });

  it('fails a request its kept-alive connection dropped unanswered as a retryable reset', async () => {
    let seen = 0;
    const { server, client } = await setup((socket) => {
      seen++;
      // The first request is answered; the second meets the server closing the connection.
      if (seen === 1) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      else socket.destroy();
    });
    expect(await (await client.fetch(`${server.url}/one`)).text()).toBe('ok');
    const error = await client.fetch(`${server.url}/two`, { method: 'POST', body: '{}' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    const code = connectionErrorCode((error as TypeError).cause);
    expect(code).toBe('ECONNRESET');
    expect(isRetryableConnectionCode(code)).toBe(true);
  });
});

describe('fanout fetch aborted at every stage', () => {
  const stages: Array<[string, (socket: net.Socket) => void, RequestInit]> = [
    ['before the request is answered', () => {}, {}],
    ['in the middle of the head', (socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-'), {}],
    ['in the middle of the body', (socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc'), {}],
    // The server reads the body only after the abort: the client must not be stuck in its write.
    ['in the middle of the request body', (socket) => socket.pause(), { method: 'POST', body: new Uint8Array(32 * 1024 * 1024) }],
  ];
  for (const [name, stage, init] of stages) {
    it(`rejects with the AbortError and closes the connection when aborted ${name}`, async () => {
      let closed!: () => void;
      const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
      let reached!: () => void;
      const stageReached = new Promise<void>((resolve) => (reached = resolve));
      let accepted: net.Socket | undefined;
      const { server, client } = await setup((socket) => {
        accepted = socket;
        socket.once('close', closed);
        stage(socket);
        reached();
      });
      const controller = new AbortController();
      const pending = client.fetch(`${server.url}/x`, { ...init, signal: controller.signal });
      await stageReached;
      controller.abort();
      accepted?.resume();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      await connectionClosed;
    });
  }

  it('rejects with the AbortError when aborted while connecting', async () => {
    const { server, client } = await setup(() => {});
    const controller = new AbortController();
    const pending = client.fetch(`${server.url}/x`, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('fanout fetch and the process', () => {
  it('sends Host with an IPv6 address in brackets and its port', async (context) => {
    const seen: string[] = [];
    const server = net.createServer((socket) => {
      socket.once('data', (chunk: Buffer) => {
        seen.push(chunk.toString('latin1'));
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
      });
    });
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(0, '::1', () => resolve(true));
    });
    if (!listening) return context.skip();
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const client = createNodeFetch();
    closers.push(() => client.close());
    const port = (server.address() as net.AddressInfo).port;
    expect((await client.fetch(`http://[::1]:${port}/six`)).status).toBe(200);
    expect(seen[0]).toMatch(new RegExp(`\r\nhost: \\[::1\\]:${port}\r\n`));
  });

  it('does not keep the process alive with idle kept-alive connections', async () => {
    const { server } = await setup((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
    const script = `import { createNodeFetch } from ${JSON.stringify(new URL('./node-fetch.ts', import.meta.url).href)};
      const client = createNodeFetch();
      console.log(await (await client.fetch(${JSON.stringify(`${server.url}/`)})).text());`;
    // Never closed: the script ends only if its idle connection does not hold the event loop.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000, encoding: 'utf8' });
    expect(stdout.trim()).toBe('ok');
  });
});

describe('fanout fetch over TLS with a certificate it must not trust', () => {
  async function tlsServer(subjectAltName: string): Promise<string | undefined> {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-tls-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', `subjectAltName=${subjectAltName}`], { stdio: 'ignore' });
    } catch {
      return undefined;
    }
    const server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('secret'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  }

  it('refuses a self-signed certificate, as a failure no retry gets past', async (context) => {
    const url = await tlsServer('IP:127.0.0.1');
    if (url === undefined) return context.skip();
    const client = createNodeFetch();
    closers.push(() => client.close());
    const error = await client.fetch(`${url}/`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    const code = connectionErrorCode((error as TypeError).cause);
    expect(code).toMatch(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/);
    expect(isRetryableConnectionCode(code)).toBe(false);
  });
});

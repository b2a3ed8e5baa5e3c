import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/manual-clock.js';
import { MalformedAnswerError } from './http1-answer.js';
import { Http1Pool, type ExchangeHandlers } from './http1-pool.js';
import { socketClosed } from '../test-support/socket-closed.js';
import { createNodeFetch } from './node-fetch.js';

/** A raw TCP server whose `answer` decides what to write back on each request's bytes. */
async function rawServer(answer: (socket: net.Socket, request: string) => void): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const request = pending.slice(0, end);
      pending = '';
      answer(socket, request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One GET through `pool`: resolves with the body, rejects with the exchange's error. */
function get(pool: Http1Pool, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const handlers: ExchangeHandlers = {
      head: () => {},
      data: (chunk) => chunks.push(chunk),
      end: () => resolve(Buffer.concat(chunks).toString('utf8')),
      fail: reject,
    };
    pool.send(`GET ${path} HTTP/1.1\r\nhost: test\r\n\r\n`, undefined, false, handlers);
  });
}

const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function pool(port: number, clock = new ManualClock()): Http1Pool {
  const made = new Http1Pool({ secure: false, hostname: '127.0.0.1', port }, { maxIdle: 256, clock });
  closers.push(() => made.close());
  return made;
}

describe('Http1Pool', () => {
  it('fails an answer the server cuts short, before its head and inside its body, like Node (ECONNRESET)', async () => {
    const server = await rawServer((socket, request) => {
      if (request.startsWith('GET /half')) socket.end('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
      else socket.end();
    });
    closers.push(server.close);
    const connections = pool(server.port);
    await expect(get(connections, '/half')).rejects.toMatchObject({ code: 'ECONNRESET', message: 'aborted' });
    await expect(get(connections, '/none')).rejects.toMatchObject({ code: 'ECONNRESET', message: 'socket hang up' });
  });

  it('fails a malformed answer and closes its connection', async () => {
    const server = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n'));
    closers.push(server.close);
    const connections = pool(server.port);
    await expect(get(connections)).rejects.toBeInstanceOf(MalformedAnswerError);
    await expect(get(connections)).rejects.toBeInstanceOf(MalformedAnswerError);
    expect(server.connections()).toBe(2);
  });

  it('reuses an idle connection, but not past its server\'s keep-alive hint, and not one the server closed', async () => {
    let hint = 'timeout=5';
    let closeAfter = false;
    let closed: Promise<void> | undefined;
    const server = await rawServer((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\nkeep-alive: ${hint}\r\ncontent-length: 2\r\n\r\nok`);
      if (!closeAfter) return;
      closed = socketClosed(socket, 'the pool kept a connection its server closed');
      socket.end();
    });
    closers.push(server.close);
    const clock = new ManualClock();
    const connections = pool(server.port, clock);
    expect(await get(connections)).toBe('ok');
    await clock.advance(3_999);
    expect(await get(connections)).toBe('ok');
    expect(server.connections()).toBe(1);
    // A jump of the wall clock (a suspend, an NTP step) is no idle time: the connection is used again.
    clock.jumpWall(3_600_000);
    expect(await get(connections)).toBe('ok');
    expect(server.connections()).toBe(1);
    // A second less than the server's 5 s: the connection is not used again.
    await clock.advance(4_000);
    expect(await get(connections)).toBe('ok');
    expect(server.connections()).toBe(2);
    hint = 'max=100';
    closeAfter = true;
    expect(await get(connections)).toBe('ok');
    closeAfter = false;
    await closed;
    expect(await get(connections)).toBe('ok');
    expect(server.connections()).toBe(3);
  });

  it('closes an idle connection that receives bytes nobody asked for', async () => {
    let firstClosed: Promise<void> | undefined;
    const server = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      // The stray bytes reach the first connection once it is idle; the pool must close it. The second request waits
      // for that close rather than a fixed time: on a loaded machine a timer could let it reuse the connection first.
      if (firstClosed !== undefined) return;
      firstClosed = socketClosed(socket, 'the pool kept a connection that received stray bytes');
      setTimeout(() => socket.write('HTTP/1.1 200 OK\r\n'), 5);
    });
    closers.push(server.close);
    const connections = pool(server.port);
    expect(await get(connections)).toBe('ok');
    await firstClosed;
    expect(await get(connections)).toBe('ok');
    expect(server.connections()).toBe(2);
  });
});

describe('createNodeFetch over TLS', () => {
  it('talks HTTPS and resumes the TLS session on a new connection', async (context) => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-tls-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    } catch {
      context.skip();
    }
    const resumed: boolean[] = [];
    const server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"path":"${req.url}"}`), 20));
    });
    server.on('secureConnection', (socket: tls.TLSSocket) => resumed.push(socket.isSessionReused()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    // The test's certificate is its own: trusted for this test only.
    const trust = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    closers.push(() => (trust === undefined ? delete process.env.NODE_TLS_REJECT_UNAUTHORIZED : (process.env.NODE_TLS_REJECT_UNAUTHORIZED = trust)));
    const client = createNodeFetch();
    closers.push(() => client.close());
    const url = `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    expect(await (await client.fetch(`${url}/one`)).json()).toEqual({ path: '/one' });
    const both = await Promise.all([client.fetch(`${url}/two`), client.fetch(`${url}/three`)]);
    expect(await Promise.all(both.map((response) => response.json()))).toEqual([{ path: '/two' }, { path: '/three' }]);
    expect(resumed).toEqual([false, true]);
  });
});

import { existsSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isFanoutError } from '../../contracts/errors.js';
import { hostAllowed, startNetworkProxy, type NetworkProxy } from './network-proxy.js';

const never = new AbortController().signal;

describe('hostAllowed', () => {
  it('matches named hosts exactly (case and a trailing dot aside), and *.name its subdomains only', () => {
    const allowed = ['registry.npmjs.org', '*.example.com', 'LOCALHOST'];
    for (const host of ['registry.npmjs.org', 'Registry.NPMJS.org.', 'localhost', 'api.example.com', 'a.b.example.com']) expect(hostAllowed(host, allowed)).toBe(true);
    for (const host of ['npmjs.org', 'evil.registry.npmjs.org', 'registry.npmjs.org.evil.com', 'example.com', 'evilexample.com', '127.0.0.1', ''])
      expect(hostAllowed(host, allowed)).toBe(false);
  });
});

describe('network proxy', () => {
  let proxy: NetworkProxy | undefined;
  let server: Server | undefined;
  afterEach(() => {
    proxy?.close();
    server?.close();
  });

  /** Sends raw bytes to the proxy's unix socket; resolves with everything it answers once it closes. */
  function talk(request: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect((proxy as NetworkProxy).socketPath, () => socket.write(request));
      let answer = '';
      socket.on('data', (chunk) => {
        answer += chunk.toString('utf8');
      });
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  it('answers 502 naming the host when an allowed host cannot be reached, and 400 to a request that is not a proxy request', async () => {
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    proxy = await startNetworkProxy(['localhost'], { signal: never });
    expect(await talk(`CONNECT localhost:${port} HTTP/1.1\r\nHost: localhost:${port}\r\n\r\n`)).toMatch(
      new RegExp(`^HTTP/1.1 502 Bad Gateway\r\n[\\s\\S]*fanout: cannot reach localhost:${port}: connect ECONNREFUSED`),
    );
    expect(await talk('GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1.1 400 Bad Request[\s\S]*absolute http:\/\/ URLs/);
    expect(proxy.refused).toEqual([]);
  });

  it('cuts open tunnels and removes its socket when closed', async () => {
    let upstreamClosed: Promise<void> = Promise.resolve();
    server = createServer((socket) => {
      upstreamClosed = new Promise((resolve) => socket.on('close', () => resolve()));
      socket.write('ready\n');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    proxy = await startNetworkProxy(['localhost'], { signal: never });
    const tunnel = connect(proxy.socketPath, () => tunnel.write(`CONNECT localhost:${port} HTTP/1.1\r\n\r\n`));
    const ended = new Promise<string>((resolve) => {
      let seen = '';
      tunnel.on('data', (chunk) => {
        seen += chunk.toString('utf8');
        if (seen.endsWith('ready\n')) proxy?.close();
      });
      tunnel.on('close', () => resolve(seen));
    });
    expect(await ended).toBe('HTTP/1.1 200 Connection Established\r\n\r\nready\n');
    await upstreamClosed;
    expect(existsSync(proxy.socketPath)).toBe(false);
  });

  it('does not start once its signal has fired', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await startNetworkProxy(['localhost'], { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(isFanoutError(error, 'ABORTED')).toBe(true);
  });
});

import net from 'node:net';
import tls from 'node:tls';
import type { Clock } from '../../contracts/clock.js';
import { AnswerParser, type AnswerEvents, type AnswerHead } from './http1-answer.js';

/** Where an {@link Http1Pool} connects. */
export interface Http1Origin {
  secure: boolean;
  /** A name or an IP address (IPv6 without brackets). */
  hostname: string;
  port: number;
}

/** Who an exchange reports to. Nothing is reported after `end`, `fail` or {@link Exchange.cancel}. */
export interface ExchangeHandlers {
  /** The answer's head arrived; its body follows through `data`. */
  head(head: AnswerHead): void;
  data(chunk: Buffer): void;
  /** The answer is complete. */
  end(): void;
  /** No complete answer: the connection failed or closed first, or the answer is malformed. */
  fail(error: Error): void;
}

/** Options of {@link Http1Pool}. */
export interface Http1PoolOptions {
  /** Idle connections kept for reuse; more are closed. */
  maxIdle: number;
  /** The clock idle connections age on (their server's `keep-alive: timeout`). */
  clock: Clock;
}

/**
 * Keep-alive HTTP/1.1 connections to one origin over `net`/`tls`, one
 * request at a time on each: a request takes the most recently idle
 * connection or opens one (no cap: the callers bound what is in flight).
 * Why not `node:http`: its client (a `ClientRequest` and an
 * `IncomingMessage` stream per call, the agent's bookkeeping) cost about
 * two thirds of the transport's CPU per call (docs/benchmarks.md, session
 * 8). As Node's agent does, it keeps idle connections unreferenced (they do
 * not keep the process alive), honours the server's `keep-alive: timeout`
 * hint, and resumes TLS sessions on new connections.
 */
export class Http1Pool {
  readonly #origin: Http1Origin;
  readonly #options: Http1PoolOptions;
  readonly #idle: Connection[] = [];
  readonly #open = new Set<Connection>();
  #session: Buffer | undefined;
  readonly #readBuffer = Buffer.allocUnsafe(65_536);

  constructor(origin: Http1Origin, options: Http1PoolOptions) {
    this.#origin = origin;
    this.#options = options;
  }

  /**
   * Sends `head` (the request line and headers, ending with the blank line)
   * and `body` on a connection, and reports its answer to `handlers`.
   * `bodiless`: a HEAD request, whose answer has no body.
   */
  send(head: string, body: string | Uint8Array | undefined, bodiless: boolean, handlers: ExchangeHandlers): Exchange {
    const connection = this.#take();
    const exchange = new Exchange(connection, handlers, bodiless);
    connection.start(exchange, head, body);
    return exchange;
  }

  /** Closes every connection, idle or busy; a busy one's exchange fails. */
  close(): void {
    for (const connection of this.#open) connection.socket.destroy();
    this.#open.clear();
    this.#idle.length = 0;
  }

  /** A connection whose exchange ended cleanly: kept for the next request, or closed. */
  release(connection: Connection): void {
    if (connection.socket.destroyed || connection.keepAliveMs <= 0 || this.#idle.length >= this.#options.maxIdle) {
      connection.socket.destroy();
      return;
    }
    connection.idleSince = this.#options.clock.monotonic();
    // A streamed answer's slow reader may have left it paused: idle, it must read, to see stray bytes or the server's close.
    if (connection.socket.isPaused()) connection.socket.resume();
    connection.socket.unref();
    this.#idle.push(connection);
  }

  /** A connection that closed. */
  forget(connection: Connection): void {
    this.#open.delete(connection);
    const at = this.#idle.lastIndexOf(connection);
    if (at >= 0) this.#idle.splice(at, 1);
  }

  #take(): Connection {
    const now = this.#options.clock.monotonic();
    for (let connection = this.#idle.pop(); connection !== undefined; connection = this.#idle.pop()) {
      // Past the server's idle limit it may close the connection as the request goes out: open another.
      if (!connection.socket.destroyed && now - connection.idleSince < connection.keepAliveMs) {
        connection.socket.ref();
        return connection;
      }
      connection.socket.destroy();
    }
    const connection = new Connection(this, (read) => this.#connect(read));
    this.#open.add(connection);
    return connection;
  }

  /** A new socket to the origin, its bytes given to `read`. */
  #connect(read: (bytes: Buffer) => void): net.Socket {
    const { secure, hostname, port } = this.#origin;
    if (!secure) {
      const onread = {
        // Read into one buffer of the pool's, not a new one per read, and past the stream machinery; what is kept is copied.
        buffer: this.#readBuffer,
        callback: (length: number, buffer: Uint8Array): boolean => {
          read(Buffer.from(buffer.subarray(0, length)));
          return true;
        },
      };
      return net.connect({ host: hostname, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 1_000, onread });
    }
    const session = this.#session;
    const socket = tls.connect({ host: hostname, port, ...(net.isIP(hostname) === 0 ? { servername: hostname } : {}), ...(session === undefined ? {} : { session }) });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1_000);
    socket.on('data', read);
    socket.on('session', (next: Buffer) => (this.#session = next));
    // A session the server refused to resume is not offered again.
    socket.once('error', () => {
      if (this.#session === session) this.#session = undefined;
    });
    return socket;
  }
}

/** One request and its answer on a connection. */
export class Exchange implements AnswerEvents {
  readonly parser: AnswerParser;

  constructor(
    private readonly connection: Connection,
    private readonly handlers: ExchangeHandlers,
    bodiless: boolean,
  ) {
    this.parser = new AnswerParser(this, bodiless);
  }

  /** Stops reading the answer until {@link resume}: a slow reader's backpressure. */
  pause(): void {
    if (this.connection.exchange === this) this.connection.socket.pause();
  }

  resume(): void {
    if (this.connection.exchange === this) this.connection.socket.resume();
  }

  /** Ends the exchange now (an abort, a time limit): its connection is closed, nothing more is reported. */
  cancel(): void {
    if (this.connection.exchange !== this) return;
    this.connection.exchange = undefined;
    this.connection.socket.destroy();
  }

  head(head: AnswerHead): void {
    this.connection.keepAliveMs = keepAliveLimit(head.headers['keep-alive']);
    this.handlers.head(head);
  }

  data(chunk: Buffer): void {
    this.handlers.data(chunk);
  }

  end(reusable: boolean): void {
    this.connection.finish(this, reusable);
    this.handlers.end();
  }

  fail(error: Error): void {
    this.handlers.fail(error);
  }
}

/** One socket of an {@link Http1Pool} and the exchange it carries, if any. */
export class Connection {
  exchange: Exchange | undefined;
  idleSince = 0;
  /** How long it may stay idle and still be used, from its server's last `keep-alive` hint. */
  keepAliveMs = Number.POSITIVE_INFINITY;

  readonly socket: net.Socket;

  constructor(
    private readonly pool: Http1Pool,
    connect: (read: (bytes: Buffer) => void) => net.Socket,
  ) {
    const socket = (this.socket = connect((bytes) => this.#data(bytes)));
    socket.on('error', (error: Error) => this.#fail(error));
    // The server closed its side (or the socket closed): what that means depends on where the answer is.
    socket.on('end', () => this.#ended());
    socket.on('close', () => {
      this.#ended();
      this.pool.forget(this);
    });
  }

  start(exchange: Exchange, head: string, body: string | Uint8Array | undefined): void {
    this.exchange = exchange;
    const socket = this.socket;
    if (typeof body === 'string' && ASCII.test(head)) {
      // Head and body in one write, one packet for a small request.
      socket.write(head + body);
      return;
    }
    // Header values may carry bytes 0x80-0xff (obs-text): written one char per byte, as Node does.
    socket.cork();
    socket.write(head, 'latin1');
    if (body !== undefined) socket.write(body);
    socket.uncork();
  }

  /** The exchange's answer is complete. */
  finish(exchange: Exchange, reusable: boolean): void {
    if (this.exchange !== exchange) return;
    this.exchange = undefined;
    // An answer that came before the request was all written (an early 413): the rest would reach the server as the
    // next request's start. Node's agent, too, frees a socket only once both are done.
    if (reusable && this.socket.writableLength === 0) this.pool.release(this);
    else this.socket.destroy();
  }

  #data(chunk: Buffer): void {
    const exchange = this.exchange;
    // Bytes with no request waiting for them: the connection is out of step, never to be reused.
    if (exchange === undefined) {
      this.socket.destroy();
      return;
    }
    try {
      exchange.parser.push(chunk);
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  #ended(): void {
    const exchange = this.exchange;
    if (exchange === undefined || exchange.parser.finish()) return;
    this.#fail(connectionClosed(exchange.parser.started));
  }

  #fail(error: Error): void {
    const exchange = this.exchange;
    this.exchange = undefined;
    this.socket.destroy();
    exchange?.fail(error);
  }
}

const ASCII = /^[\x00-\x7f]*$/;

/** Node's wording and code for a connection that closed before the answer ended. */
function connectionClosed(started: boolean): Error {
  return Object.assign(new Error(started ? 'aborted' : 'socket hang up'), { code: 'ECONNRESET' });
}

/**
 * How long a connection may idle before reuse: a second less than the
 * server's `keep-alive: timeout=N` (N seconds), as Node's agent allows, so a
 * request does not meet the server's close on the way; no limit without one.
 */
function keepAliveLimit(hint: string | string[] | undefined): number {
  const seconds = typeof hint === 'string' ? /(?:^|[\s,])timeout=(\d+)/i.exec(hint)?.[1] : undefined;
  return seconds === undefined ? Number.POSITIVE_INFINITY : Number(seconds) * 1_000 - 1_000;
}

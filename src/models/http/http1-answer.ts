import type http from 'node:http';

/** The head of an HTTP/1.1 answer: status, reason and Node-style headers (names lower case). */
export interface AnswerHead {
  status: number;
  statusText: string;
  /** Repeated headers joined with ", " as `Headers` does, `set-cookie` kept as a list. */
  headers: http.IncomingHttpHeaders;
}

/** What an {@link AnswerParser} finds, in order: a head, body chunks, the end. */
export interface AnswerEvents {
  head(head: AnswerHead): void;
  data(chunk: Buffer): void;
  /** The answer is complete; `reusable` when the connection may carry another request. */
  end(reusable: boolean): void;
}

/** Bytes that are not a valid HTTP/1.1 answer. Like Node's parser errors, its code starts with `HPE_`. */
export class MalformedAnswerError extends Error {
  override readonly name = 'MalformedAnswerError';
  readonly code = 'HPE_INVALID_ANSWER';
}

/** Node's default limit (`--max-http-header-size`): a head larger than this is refused, not buffered. */
export const MAX_HEAD_BYTES = 16_384;
/** A chunk-size or trailer line longer than this is refused. */
const MAX_LINE_BYTES = 4_096;

/** A header line: a token name, a colon, the value without its surrounding blanks, each char one Node's parser allows. */
const HEADER_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[\t\x20-\x7e\x80-\xff]*$/;
const STATUS_LINE = /^HTTP\/1\.[01] [1-9]\d\d(?: [^\r\n]*)?$/;
/**
 * A whole head (the status line and the header lines, without the blank
 * line) each of whose lines is valid: {@link STATUS_LINE} then
 * {@link HEADER_LINE}s. One match over the head costs a fraction of one per
 * line, and only a refused head is split into lines, to say which one.
 */
const VALID_HEAD = /^HTTP\/1\.[01] [1-9]\d\d(?: [^\r\n]*)?(?:\r\n[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*)*$/;
const NULL_BODY_STATUSES = new Set([204, 304]);
/**
 * The prototype of every answer's header object: itself without one, so no
 * inherited member (`constructor`, `__proto__`) reads as a header. Not
 * `Object.create(null)` for each answer: V8 makes that a hash table, and
 * building, reading and listing (sorted, for `Headers`) the headers of an
 * answer cost about twice as much.
 */
const NO_INHERITED_MEMBERS: object = Object.create(null) as object;

type State = 'head' | 'length' | 'close' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'done';

/**
 * Reads one HTTP/1.1 answer from the bytes of a connection, however they are
 * split: the head (1xx interim answers skipped), then a body framed by
 * content-length, by chunked transfer coding, or by the connection's end.
 * Strict where Node's parser is: heads over {@link MAX_HEAD_BYTES}, folded or
 * invalid header lines, a bad chunk size, conflicting lengths, or a length
 * beside a transfer coding throw {@link MalformedAnswerError}.
 */
export class AnswerParser {
  readonly #on: AnswerEvents;
  readonly #bodiless: boolean;
  #state: State = 'head';
  #pending: Buffer | undefined;
  #remaining = 0;
  #keepAlive = false;

  /** `bodiless`: the request was a HEAD, whose answer has no body whatever its head says. */
  constructor(on: AnswerEvents, bodiless = false) {
    this.#on = on;
    this.#bodiless = bodiless;
  }

  /** Whether any byte of the answer has arrived or the answer is complete. */
  get started(): boolean {
    return this.#state !== 'head' || this.#pending !== undefined;
  }

  /** Bytes from the connection. Throws {@link MalformedAnswerError} when they are not a valid answer. */
  push(bytes: Buffer): void {
    let chunk = bytes;
    if (this.#pending !== undefined) {
      chunk = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    let at = 0;
    while (at < chunk.length) {
      switch (this.#state) {
        case 'head': {
          // Empty lines before the status line are skipped, as Node's parser skips them (a server's stray CRLF after a body).
          if (chunk[at] === 0x0d || chunk[at] === 0x0a) {
            at++;
            break;
          }
          const end = chunk.indexOf('\r\n\r\n', at, 'latin1');
          if (end < 0 || end - at > MAX_HEAD_BYTES) {
            if (chunk.length - at > MAX_HEAD_BYTES) throw new MalformedAnswerError(`an answer head over ${MAX_HEAD_BYTES} bytes`);
            this.#pending = chunk.subarray(at);
            // Refused as soon as it shows, as Node's parser does, not after waiting for a blank line that may never come.
            if (cannotBeHead(this.#pending)) throw new MalformedAnswerError('bytes that do not start an HTTP/1.x answer, or lines ended without CR');
            return;
          }
          this.#readHead(chunk.toString('latin1', at, end), end + 4 < chunk.length);
          at = end + 4;
          break;
        }
        case 'length':
        case 'chunk-data': {
          const take = Math.min(this.#remaining, chunk.length - at);
          this.#on.data(chunk.subarray(at, at + take));
          this.#remaining -= take;
          at += take;
          if (this.#remaining === 0) {
            if (this.#state === 'length') this.#finish(at < chunk.length);
            else this.#state = 'chunk-end';
          }
          break;
        }
        case 'close':
          this.#on.data(at === 0 ? chunk : chunk.subarray(at));
          at = chunk.length;
          break;
        case 'chunk-end': {
          if (chunk.length - at < 2) {
            this.#pending = chunk.subarray(at);
            return;
          }
          if (chunk[at] !== 0x0d || chunk[at + 1] !== 0x0a) throw new MalformedAnswerError('a chunk not ended by CRLF');
          at += 2;
          this.#state = 'chunk-size';
          break;
        }
        case 'chunk-size':
        case 'trailers': {
          const end = chunk.indexOf('\r\n', at, 'latin1');
          if (end < 0 || end - at > MAX_LINE_BYTES) {
            if (chunk.length - at > MAX_LINE_BYTES) throw new MalformedAnswerError('a chunk line too long');
            this.#pending = chunk.subarray(at);
            return;
          }
          const line = chunk.toString('latin1', at, end);
          at = end + 2;
          if (this.#state === 'trailers') {
            if (line === '') this.#finish(at < chunk.length);
          } else {
            const size = /^([0-9a-fA-F]{1,12})[\t ]*(?:;.*)?$/.exec(line);
            if (size === null) throw new MalformedAnswerError(`an invalid chunk size "${line.slice(0, 40)}"`);
            this.#remaining = Number.parseInt(size[1] as string, 16);
            this.#state = this.#remaining === 0 ? 'trailers' : 'chunk-data';
          }
          break;
        }
        case 'done':
          // Bytes after the answer: its end was reported as not reusable (fanout sends one request at a time).
          return;
      }
    }
  }

  /**
   * The connection ended. True when that completes the answer (a body
   * framed by the connection's end); false when the answer is cut short
   * (or never came).
   */
  finish(): boolean {
    if (this.#state === 'done') return true;
    if (this.#state !== 'close') return false;
    this.#state = 'done';
    this.#on.end(false);
    return true;
  }

  #finish(more: boolean): void {
    this.#state = 'done';
    this.#on.end(this.#keepAlive && !more);
  }

  /** `more`: bytes follow the head in the same read, which an answer without a body leaves unread. */
  #readHead(text: string, more: boolean): void {
    if (!VALID_HEAD.test(text)) throw invalidHead(text);
    // Valid, so cut by position: `HTTP/1.x NNN`, then the reason after a space, then `name:value` lines.
    const code = Number(text.slice(9, 12));
    let end = text.indexOf('\r\n');
    if (end < 0) end = text.length;
    const statusText = text.slice(13, end);
    const headers = Object.create(NO_INHERITED_MEMBERS) as http.IncomingHttpHeaders;
    while (end < text.length) {
      const start = end + 2;
      end = text.indexOf('\r\n', start);
      if (end < 0) end = text.length;
      const colon = text.indexOf(':', start);
      addHeader(headers, text.slice(start, colon).toLowerCase(), trimBlanks(text, colon + 1, end));
    }
    if (code < 200) {
      // An interim answer (100 Continue, 103 Early Hints); fanout asks for no upgrade.
      if (code === 101) throw new MalformedAnswerError('an upgrade nobody asked for');
      return;
    }
    const connection = (headers.connection ?? '').toLowerCase();
    this.#keepAlive = text[7] === '1' ? !/(?:^|,)\s*close\s*(?:,|$)/.test(connection) : /(?:^|,)\s*keep-alive\s*(?:,|$)/.test(connection);
    this.#on.head({ status: code, statusText, headers });
    const coding = headers['transfer-encoding'];
    const length = headers['content-length'];
    if (this.#bodiless || NULL_BODY_STATUSES.has(code)) this.#finish(more);
    else if (coding !== undefined) {
      if (length !== undefined) throw new MalformedAnswerError('both a content-length and a transfer-encoding');
      if (/(?:^|,)\s*chunked\s*$/i.test(coding)) this.#state = 'chunk-size';
      else this.#state = 'close';
    } else if (length !== undefined) {
      this.#remaining = contentLength(length);
      if (this.#remaining === 0) this.#finish(more);
      else this.#state = 'length';
    } else this.#state = 'close';
    if (this.#state === 'close') this.#keepAlive = false;
  }
}

const HEAD_START = Buffer.from('HTTP/1.', 'latin1');

/** The start of a head not yet complete that no more bytes can make valid: not `HTTP/1.`, or a blank line of bare LFs. */
function cannotBeHead(bytes: Buffer): boolean {
  const length = Math.min(bytes.length, HEAD_START.length);
  return bytes.compare(HEAD_START, 0, length, 0, length) !== 0 || bytes.includes('\n\n', 0, 'latin1');
}

/** The error of a head {@link VALID_HEAD} refused, naming its first invalid line. */
function invalidHead(text: string): MalformedAnswerError {
  const [status = '', ...headerLines] = text.split('\r\n');
  if (!STATUS_LINE.test(status)) return new MalformedAnswerError(`an invalid status line "${status.slice(0, 40)}"`);
  const bad = headerLines.find((line) => !HEADER_LINE.test(line)) ?? '';
  return new MalformedAnswerError(`an invalid header line "${bad.slice(0, 40)}"`);
}

/** `text` from `start` to `end` without the blanks (spaces, tabs) at either end, as a header value is read. */
function trimBlanks(text: string, start: number, end: number): string {
  let from = start;
  let to = end;
  while (from < to && isBlank(text.charCodeAt(from))) from++;
  while (to > from && isBlank(text.charCodeAt(to - 1))) to--;
  return text.slice(from, to);
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

function addHeader(headers: http.IncomingHttpHeaders, name: string, value: string): void {
  if (name === 'set-cookie') {
    (headers['set-cookie'] ??= []).push(value);
    return;
  }
  const before = headers[name] as string | undefined;
  headers[name] = before === undefined ? value : `${before}, ${value}`;
}

/** A content-length, repeated or not; repeats must agree. */
function contentLength(value: string): number {
  // The usual one: a single length, read without splitting.
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const values = value.split(',').map((part) => part.trim());
  if (!values.every((part) => /^\d{1,15}$/.test(part) && part === values[0])) throw new MalformedAnswerError(`an invalid content-length "${value}"`);
  return Number(values[0]);
}

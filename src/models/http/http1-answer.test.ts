import { describe, expect, it } from 'vitest';
import { AnswerParser, MAX_HEAD_BYTES, MalformedAnswerError, type AnswerHead } from './http1-answer.js';

/** What a parser reported, in order. */
interface Seen {
  heads: AnswerHead[];
  chunks: Buffer[];
  readonly body: string;
  ends: boolean[];
}

function parser(bodiless = false): { parser: AnswerParser; seen: Seen } {
  const seen: Seen = {
    heads: [],
    chunks: [],
    get body() {
      return Buffer.concat(this.chunks).toString('utf8');
    },
    ends: [],
  };
  const parser = new AnswerParser(
    {
      head: (head) => seen.heads.push(head),
      data: (chunk) => seen.chunks.push(chunk),
      end: (reusable) => seen.ends.push(reusable),
    },
    bodiless,
  );
  return { parser, seen };
}

/** Feeds `text` in pieces of `size` bytes. */
function feed(target: AnswerParser, text: string, size = Number.POSITIVE_INFINITY): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += size) target.push(bytes.subarray(at, Math.min(bytes.length, at + size)));
}

const CHUNKED =
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '5\r\nhello\r\n8;name=value\r\n, wörld\r\n0\r\nX-Trailer: t\r\n\r\n';

describe('AnswerParser', () => {
  it('reads a content-length answer, names lower case, repeats joined, set-cookie kept as a list', () => {
    const { parser: answer, seen } = parser();
    feed(answer, 'HTTP/1.1 201 Created\r\nContent-Length: 6\r\nVary: accept\r\nvary:  origin \r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nwörld');
    expect(seen.heads).toHaveLength(1);
    expect(seen.heads[0]).toMatchObject({ status: 201, statusText: 'Created' });
    expect({ ...seen.heads[0]?.headers }).toEqual({ 'content-length': '6', vary: 'accept, origin', 'set-cookie': ['a=1', 'b=2'] });
    expect(seen.body).toBe('wörld');
    expect(seen.ends).toEqual([true]);
  });

  it('reads the same answers however the bytes are split, one byte at a time included', () => {
    for (const size of [1, 2, 3, 7, 64]) {
      const { parser: chunked, seen } = parser();
      feed(chunked, CHUNKED, size);
      expect(seen.body).toBe('hello, wörld');
      expect(seen.ends).toEqual([true]);
      const { parser: sized, seen: sizedSeen } = parser();
      feed(sized, 'HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc', size);
      expect(sizedSeen.body).toBe('abc');
      expect(sizedSeen.ends).toEqual([true]);
    }
  });

  it('skips interim 1xx answers', () => {
    const { parser: answer, seen } = parser();
    feed(answer, 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    expect(seen.heads.map((head) => head.status)).toEqual([200]);
    expect(seen.body).toBe('ok');
  });

  it('has no body for 204, 304 and a HEAD request, whatever the head announces', () => {
    for (const [text, bodiless] of [
      ['HTTP/1.1 204 No Content\r\ncontent-length: 10\r\n\r\n', false],
      ['HTTP/1.1 304 Not Modified\r\n\r\n', false],
      ['HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n', true],
    ] as const) {
      const { parser: answer, seen } = parser(bodiless);
      feed(answer, text);
      expect(seen.ends).toEqual([true]);
      expect(seen.body).toBe('');
    }
  });

  it('reads a body without length to the connection\'s end, and does not reuse that connection', () => {
    const { parser: answer, seen } = parser();
    feed(answer, 'HTTP/1.1 200 OK\r\n\r\npart one, ');
    feed(answer, 'part two');
    expect(seen.ends).toEqual([]);
    expect(answer.finish()).toBe(true);
    expect(seen.body).toBe('part one, part two');
    expect(seen.ends).toEqual([false]);
  });

  it('says an answer cut by the connection\'s end is incomplete', () => {
    const { parser: none } = parser();
    expect(none.started).toBe(false);
    expect(none.finish()).toBe(false);
    const { parser: cut, seen } = parser();
    feed(cut, 'HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
    expect(cut.started).toBe(true);
    expect(cut.finish()).toBe(false);
    expect(seen.ends).toEqual([]);
    const { parser: cutChunked } = parser();
    feed(cutChunked, CHUNKED.slice(0, 90));
    expect(cutChunked.finish()).toBe(false);
  });

  it('does not reuse a connection the server closes, or an HTTP/1.0 one unless asked to keep it', () => {
    const ends = (text: string): boolean[] => {
      const { parser: answer, seen } = parser();
      feed(answer, text);
      return seen.ends;
    };
    expect(ends('HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\ncontent-length: 0\r\n\r\n')).toEqual([false]);
    expect(ends('HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n')).toEqual([false]);
    expect(ends('HTTP/1.0 200 OK\r\nconnection: keep-alive\r\ncontent-length: 0\r\n\r\n')).toEqual([true]);
    // Bytes after the answer in the same read: the connection is out of step.
    expect(ends('HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nab')).toEqual([false]);
  });

  it('refuses what is not a valid answer', () => {
    const refused = (text: string): unknown => {
      try {
        feed(parser().parser, text);
        return undefined;
      } catch (error) {
        return error;
      }
    };
    for (const text of [
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 20 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\n folded: value\r\n\r\n',
      'HTTP/1.1 200 OK\r\nbad name: value\r\n\r\n',
      'HTTP/1.1 200 OK\r\nx: a\u0000b\r\n\r\n',
      'HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n',
      'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n',
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\nab\r\n',
      'HTTP/1.1 101 Switching Protocols\r\n\r\n',
    ]) {
      expect(refused(text), JSON.stringify(text)).toBeInstanceOf(MalformedAnswerError);
    }
    expect(refused(`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(MAX_HEAD_BYTES)}`)).toBeInstanceOf(MalformedAnswerError);
    expect(refused('HTTP/1.1 200 OK\r\ncontent-length: 2, 2\r\n\r\nok')).toBeUndefined();
  });

  it('names the first invalid line of a refused head', () => {
    const message = (text: string): string => {
      try {
        feed(parser().parser, text);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(message('HTTP/1.1 200 OK\r\nx: 1\r\nbad name: value\r\ny: \u0001\r\n\r\n')).toBe('an invalid header line "bad name: value"');
    expect(message('HTTP/1.1 200 OK\r\nx: 1\r\ny: a\u0000b\r\n\r\n')).toBe('an invalid header line "y: a\u0000b"');
    expect(message('HTTP/1.1 2000 OK\r\nx: 1\r\n\r\n')).toBe('an invalid status line "HTTP/1.1 2000 OK"');
  });

  it('reads no inherited member as a header, and headers named like one as plain headers', () => {
    const { parser: answer, seen } = parser();
    answer.push(Buffer.from('HTTP/1.1 200 OK\r\n__proto__: a\r\nConstructor: b\r\ncontent-length: 0\r\n\r\n'));
    const headers = seen.heads[0]?.headers ?? {};
    expect(Object.entries(headers)).toEqual([
      ['__proto__', 'a'],
      ['constructor', 'b'],
      ['content-length', '0'],
    ]);
    expect([headers.toString, headers.hasOwnProperty, headers['valueOf']]).toEqual([undefined, undefined, undefined]);
  });

  it('reads a status line without a reason, and values without their surrounding blanks only', () => {
    const { parser: answer, seen } = parser();
    answer.push(Buffer.from('HTTP/1.1 204\r\nx-empty:\r\nx-inner: \t a  b \t\r\nx-obs: \u00a0c\u00a0\r\n\r\n', 'latin1'));
    expect(seen.heads[0]).toMatchObject({ status: 204, statusText: '' });
    expect({ ...seen.heads[0]?.headers }).toEqual({ 'x-empty': '', 'x-inner': 'a  b', 'x-obs': '\u00a0c\u00a0' });
    expect(seen.ends).toEqual([true]);
  });
});

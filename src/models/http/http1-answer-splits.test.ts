import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AnswerParser } from './http1-answer.js';

/** What a parser made of some bytes: its heads, body, ends, and the error that stopped it, if any. */
interface Outcome {
  statuses: number[];
  headers: Array<Record<string, unknown>>;
  body: string;
  ends: boolean[];
  /** What `finish()` said when the connection ended after the last byte. */
  finished: boolean | undefined;
  error: string | undefined;
}

/** Feeds `bytes` cut at `cuts` (positions, in any order, repeats allowed), then ends the connection. */
function parse(bytes: Buffer, cuts: number[], bodiless: boolean): Outcome {
  const outcome: Outcome = { statuses: [], headers: [], body: '', ends: [], finished: undefined, error: undefined };
  const chunks: Buffer[] = [];
  const parser = new AnswerParser(
    {
      head: (head) => {
        outcome.statuses.push(head.status);
        outcome.headers.push({ ...head.headers });
      },
      data: (chunk) => chunks.push(Buffer.from(chunk)),
      end: (reusable) => outcome.ends.push(reusable),
    },
    bodiless,
  );
  const points = [...new Set(cuts.map((cut) => Math.min(cut, bytes.length)))].sort((a, b) => a - b);
  try {
    let at = 0;
    for (const point of [...points, bytes.length]) {
      if (point > at) parser.push(bytes.subarray(at, point));
      at = point;
    }
    outcome.finished = parser.finish();
  } catch (error) {
    outcome.error = (error as Error).name;
  }
  outcome.body = Buffer.concat(chunks).toString('latin1');
  return outcome;
}

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('');
const token = fc.array(fc.constantFrom(...TOKEN_CHARS), { minLength: 1, maxLength: 12 }).map((chars) => `x-${chars.join('')}`);
const value = fc.array(fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f), { maxLength: 20 }).map((codes) => String.fromCharCode(...codes).trim());

/** A valid answer as bytes, with what a correct reader must make of it. */
const answer = fc
  .record({
    interim: fc.array(fc.constantFrom('HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 103 Early Hints\r\nlink: </a>; rel=preload\r\n\r\n'), { maxLength: 2 }),
    version: fc.constantFrom('1.0', '1.1'),
    status: fc.constantFrom(200, 201, 204, 304, 404, 429, 500, 529),
    connection: fc.constantFrom(undefined, 'close', 'keep-alive', 'Keep-Alive, Upgrade'),
    extra: fc.array(fc.tuple(token, value), { maxLength: 4 }),
    body: fc.uint8Array({ maxLength: 200 }),
    framing: fc.constantFrom('length', 'chunked', 'close'),
    pieces: fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 6 }),
    extension: fc.constantFrom('', ';a=b', ';q="x y"', ' ;n'),
    trailers: fc.constantFrom('', 'x-t: 1\r\n', 'x-t: 1\r\nx-u: two words\r\n'),
    bodiless: fc.boolean(),
  })
  .map((spec) => {
    let head = `HTTP/${spec.version} ${spec.status} Reason Phrase\r\n`;
    if (spec.connection !== undefined) head += `Connection: ${spec.connection}\r\n`;
    for (const [name, text] of spec.extra) head += `${name}: ${text}\r\n`;
    const body = Buffer.from(spec.body);
    let payload: Buffer;
    if (spec.framing === 'length') {
      head += `Content-Length: ${body.length}\r\n`;
      payload = body;
    } else if (spec.framing === 'chunked') {
      head += 'Transfer-Encoding: chunked\r\n';
      const parts: Buffer[] = [];
      let at = 0;
      for (const size of [...spec.pieces, body.length]) {
        const piece = body.subarray(at, Math.min(body.length, at + size));
        at += piece.length;
        if (piece.length === 0) continue;
        parts.push(Buffer.from(`${piece.length.toString(16)}${spec.extension}\r\n`, 'latin1'), piece, Buffer.from('\r\n'));
      }
      parts.push(Buffer.from(`0${spec.extension}\r\n${spec.trailers}\r\n`, 'latin1'));
      payload = Buffer.concat(parts);
    } else payload = body;
    // A server sends no body after the head of these, whatever the head says.
    const noBody = spec.bodiless || spec.status === 204 || spec.status === 304;
    const bytes = Buffer.concat([Buffer.from(spec.interim.join('') + head + '\r\n', 'latin1'), noBody ? Buffer.alloc(0) : payload]);
    const connection = (spec.connection ?? '').toLowerCase();
    const keepAlive = spec.version === '1.1' ? !connection.includes('close') : connection.includes('keep-alive');
    // A body framed by the connection's end is complete only there, and that connection is not reused.
    const byClose = !noBody && spec.framing === 'close';
    return { bytes, bodiless: spec.bodiless, status: spec.status, body: noBody ? '' : body.toString('latin1'), reusable: keepAlive && !byClose };
  });

const cuts = (bytes: Buffer) => fc.array(fc.integer({ min: 0, max: bytes.length }), { maxLength: 12 });

describe('AnswerParser, however the bytes are split', () => {
  it('reads every valid answer the same: its status, whole body, and whether the connection is reusable', () => {
    fc.assert(
      fc.property(
        answer.chain((made) => fc.tuple(fc.constant(made), cuts(made.bytes))),
        ([made, points]) => {
          const outcome = parse(made.bytes, points, made.bodiless);
          expect(outcome.error).toBeUndefined();
          expect(outcome.statuses).toEqual([made.status]);
          expect(outcome.body).toBe(made.body);
          expect(outcome.ends).toEqual([made.reusable]);
          expect(outcome.finished).toBe(true);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('makes the same of damaged or hostile bytes as when they come at once: the same error or the same answer', () => {
    const damaged = answer.chain((made) =>
      fc.tuple(
        fc.constant(made),
        fc.integer({ min: 0, max: made.bytes.length - 1 }),
        fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x0d, 0x0a, 0x3a, 0x20, 0x30, 0x3b)),
        fc.constantFrom('replace', 'insert', 'cut'),
        cuts(made.bytes),
      ),
    );
    fc.assert(
      fc.property(damaged, ([made, at, byte, how, points]) => {
        const bytes =
          how === 'replace'
            ? Buffer.from(made.bytes.map((each, index) => (index === at ? byte : each)))
            : how === 'insert'
              ? Buffer.concat([made.bytes.subarray(0, at), Buffer.from([byte]), made.bytes.subarray(at)])
              : made.bytes.subarray(0, at);
        const whole = parse(bytes, [], made.bodiless);
        const split = parse(bytes, points, made.bodiless);
        // Where the answer ends decides only the reuse hint; everything else must not depend on the split.
        expect({ ...split, ends: split.ends.length }).toEqual({ ...whole, ends: whole.ends.length });
      }),
      { numRuns: 1500 },
    );
  });
});

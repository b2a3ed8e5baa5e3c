import type http from 'node:http';
import { BufferedResponse } from './buffered-response.js';

/** Statuses whose answer has no body, which `Response` refuses one for. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** The `Response` of an answer Node is receiving, and how to fail it when the request is aborted. */
export interface NodeResponse {
  /** Settles once the answer can be handed over: at once for an event stream, else when the body is complete. */
  response: Promise<Response>;
  /** Fails the answer with `error`: the pending response, or the body stream a reader is in. No effect once it ended. */
  fail(error: Error): void;
}

/**
 * The `Response` of an answer from `node:http`. Server-sent events get a real
 * `Response` whose body is streamed from the socket as the data arrives (a
 * slow reader pauses the socket instead of buffering the whole answer); any
 * other answer is read whole and handed over as a {@link BufferedResponse}.
 * `done` is called once the body has been read to its end, failed or been
 * cancelled.
 */
export function toResponse(res: http.IncomingMessage, done: () => void): NodeResponse {
  const status = res.statusCode ?? 0;
  if ((res.headers['content-type'] ?? '').startsWith('text/event-stream') && !NULL_BODY_STATUSES.has(status)) {
    return streamedResponse(res, done);
  }
  let fail: (error: Error) => void = () => {};
  const response = new Promise<Response>((resolve, reject) => {
    const chunks: Buffer[] = [];
    fail = reject;
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', (error) => {
      done();
      reject(error);
    });
    res.on('end', () => {
      done();
      const bytes = NULL_BODY_STATUSES.has(status) ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      resolve(new BufferedResponse(bytes, status, res.statusMessage ?? '', res.headers));
    });
  });
  return { response, fail: (error) => fail(error) };
}

function streamedResponse(res: http.IncomingMessage, done: () => void): NodeResponse {
  const init: ResponseInit = { status: res.statusCode, statusText: res.statusMessage ?? '', headers: headerPairs(res.rawHeaders) };
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body = socketStream(res, done, (opened) => (controller = opened));
  return {
    // `Response` refuses a status outside 200-599: that rejects the fetch.
    response: new Promise<Response>((resolve) => resolve(new Response(body, init))),
    fail(error) {
      try {
        controller?.error(error);
      } catch {
        // the body already ended
      }
    },
  };
}

/**
 * Streams a response body to the reader, pausing the socket while the reader
 * is behind so a slow consumer does not buffer the whole answer.
 */
function socketStream(
  res: http.IncomingMessage,
  done: () => void,
  expose: (controller: ReadableStreamDefaultController<Uint8Array>) => void,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      expose(controller);
      res.on('data', (chunk: Buffer) => {
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 1) <= 0) res.pause();
      });
      res.on('end', () => {
        done();
        try {
          controller.close();
        } catch {
          // already errored by an abort
        }
      });
      res.on('error', (error) => {
        done();
        try {
          controller.error(error);
        } catch {
          // already errored by an abort
        }
      });
    },
    pull() {
      res.resume();
    },
    cancel() {
      done();
      res.destroy();
    },
  });
}

/** Pairs, not a Headers object: `Response` copies its init headers, so building one first would do it twice. */
function headerPairs(raw: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

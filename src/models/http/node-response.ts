import type http from 'node:http';

/** Statuses whose answer has no body, which `Response` refuses one for. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** A `Response` over an answer Node received, and how to fail its body when the request is aborted. */
export interface NodeResponse {
  response: Response;
  /** Errors the body stream (for a reader in the middle of it); no effect once the body ended. */
  fail(error: Error): void;
}

/**
 * The `Response` of an answer from `node:http`: a real `Response` whose body
 * is a web stream fed from the socket as the data arrives, so server-sent
 * events reach the reader at once and a slow reader pauses the socket
 * instead of buffering the whole answer. `done` is called once the body has
 * been read to its end, failed or been cancelled.
 */
export function toResponse(res: http.IncomingMessage, done: () => void): NodeResponse {
  const status = res.statusCode ?? 0;
  const init: ResponseInit = { status, statusText: res.statusMessage ?? '', headers: headerPairs(res.rawHeaders) };
  if (NULL_BODY_STATUSES.has(status)) {
    res.once('end', done).resume();
    return { response: new Response(null, init), fail: () => {} };
  }
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body = socketStream(res, done, (opened) => (controller = opened));
  return {
    response: new Response(body, init),
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

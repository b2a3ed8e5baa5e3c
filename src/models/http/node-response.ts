import type http from 'node:http';
import { BufferedResponse } from './buffered-response.js';

/** Statuses whose answer has no body, which `Response` refuses one for. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** Who {@link toResponse} reports to. */
export interface AnswerHandlers {
  /** Bytes of the answer arrived (its head, then each body chunk). */
  activity: () => void;
  /** The `Response` can be handed over: at once for an event stream, else when the body is complete. */
  answered: (response: Response) => void;
  /** The answer failed before it could be handed over. */
  failed: (error: Error) => void;
  /** The body has been read to its end, failed or been cancelled. */
  done: () => void;
}

/**
 * The `Response` of an answer from `node:http`. Server-sent events get a real
 * `Response` whose body is streamed from the socket as the data arrives (a
 * slow reader pauses the socket instead of buffering the whole answer); any
 * other answer is read whole and handed over as a {@link BufferedResponse}.
 * Returns how to fail the answer when the request is aborted: the pending
 * response, or the body stream a reader is in; no effect once it ended.
 */
export function toResponse(res: http.IncomingMessage, on: AnswerHandlers): (error: Error) => void {
  on.activity();
  const status = res.statusCode ?? 0;
  if ((res.headers['content-type'] ?? '').startsWith('text/event-stream') && !NULL_BODY_STATUSES.has(status)) {
    return streamedResponse(res, on);
  }
  const chunks: Buffer[] = [];
  // One listener: with a second one Node copies its listener list at every chunk.
  res.on('data', (chunk: Buffer) => {
    on.activity();
    chunks.push(chunk);
  });
  res.on('error', (error) => {
    on.done();
    on.failed(error);
  });
  res.on('end', () => {
    on.done();
    const bytes = NULL_BODY_STATUSES.has(status) ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    on.answered(new BufferedResponse(bytes, status, res.statusMessage ?? '', res.headers));
  });
  return on.failed;
}

function streamedResponse(res: http.IncomingMessage, on: AnswerHandlers): (error: Error) => void {
  let response: Response;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  const body = socketStream(res, on, (opened) => (controller = opened));
  try {
    response = new Response(body, { status: res.statusCode, statusText: res.statusMessage ?? '', headers: headerPairs(res.rawHeaders) });
  } catch (error) {
    // `Response` refuses a status outside 200-599: that fails the fetch.
    on.failed(error as Error);
    return () => {};
  }
  on.answered(response);
  return (error) => {
    try {
      controller?.error(error);
    } catch {
      // the body already ended
    }
  };
}

/**
 * Streams a response body to the reader, pausing the socket while the reader
 * is behind so a slow consumer does not buffer the whole answer.
 */
function socketStream(
  res: http.IncomingMessage,
  { activity, done }: AnswerHandlers,
  expose: (controller: ReadableStreamDefaultController<Uint8Array>) => void,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      expose(controller);
      res.on('data', (chunk: Buffer) => {
        activity();
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

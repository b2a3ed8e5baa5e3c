import { BufferedResponse } from './buffered-response.js';
import type { AnswerHead } from './http1-answer.js';
import type { Exchange, ExchangeHandlers } from './http1-pool.js';

/** Statuses whose answer has no body, which `Response` refuses one for. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/** Who an {@link AnswerReader} reports to. */
export interface AnswerHandlers {
  /** Bytes of the answer arrived (its head, then each body chunk). */
  activity(): void;
  /** The `Response` can be handed over: at once for an event stream, else when the body is complete. */
  answered(response: Response): void;
  /** The answer failed before it could be handed over. */
  failed(error: Error): void;
  /** The body has been read to its end, failed or been cancelled. Called once. */
  done(): void;
}

/**
 * Makes the `Response` of an answer as its exchange reports it. Server-sent
 * events get a real `Response` whose body is streamed from the socket as the
 * data arrives (a slow reader pauses the socket instead of buffering the
 * whole answer); any other answer is read whole and handed over as a
 * {@link BufferedResponse}.
 */
export class AnswerReader implements ExchangeHandlers {
  readonly #on: AnswerHandlers;
  #exchange: Exchange | undefined;
  #head: AnswerHead | undefined;
  #chunks: Buffer[] = [];
  #stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  #over = false;

  constructor(on: AnswerHandlers) {
    this.#on = on;
  }

  /** The exchange whose answer this reads: paused, resumed or cancelled with the body stream. */
  attach(exchange: Exchange): void {
    this.#exchange = exchange;
  }

  head(head: AnswerHead): void {
    this.#on.activity();
    const status = head.status;
    if (!(head.headers['content-type'] ?? '').startsWith('text/event-stream') || NULL_BODY_STATUSES.has(status)) {
      this.#head = head;
      return;
    }
    let response: Response;
    try {
      response = new Response(this.#socketStream(), { status, statusText: head.statusText, headers: headerPairs(head) });
    } catch (error) {
      // `Response` refuses a status outside 200-599: that fails the fetch.
      this.#stream = undefined;
      this.#exchange?.cancel();
      this.fail(error as Error);
      return;
    }
    this.#on.answered(response);
  }

  data(chunk: Buffer): void {
    this.#on.activity();
    const stream = this.#stream;
    if (stream === undefined) {
      this.#chunks.push(chunk);
      return;
    }
    stream.enqueue(chunk);
    if ((stream.desiredSize ?? 1) <= 0) this.#exchange?.pause();
  }

  end(): void {
    if (!this.#finish()) return;
    if (this.#stream !== undefined) {
      closeStream(this.#stream);
      return;
    }
    const head = this.#head as AnswerHead;
    const chunks = this.#chunks;
    const bytes = NULL_BODY_STATUSES.has(head.status) ? null : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    this.#on.answered(new BufferedResponse(bytes, head.status, head.statusText, head.headers));
  }

  /** The answer failed: the pending fetch rejects, or the body stream a reader is in errors; no effect once it ended. */
  fail(error: Error): void {
    if (!this.#finish()) return;
    if (this.#stream === undefined) this.#on.failed(error);
    else errorStream(this.#stream, error);
  }

  /** Marks the answer over; false when it already was. */
  #finish(): boolean {
    if (this.#over) return false;
    this.#over = true;
    this.#on.done();
    return true;
  }

  #socketStream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#stream = controller;
      },
      pull: () => this.#exchange?.resume(),
      cancel: () => {
        this.#exchange?.cancel();
        this.#finish();
      },
    });
  }
}

function closeStream(stream: ReadableStreamDefaultController<Uint8Array>): void {
  try {
    stream.close();
  } catch {
    // the reader cancelled it
  }
}

function errorStream(stream: ReadableStreamDefaultController<Uint8Array>, error: Error): void {
  try {
    stream.error(error);
  } catch {
    // the reader cancelled it
  }
}

/** Pairs, not a Headers object: `Response` copies its init headers, so building one first would do it twice. */
function headerPairs(head: AnswerHead): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(head.headers)) {
    if (Array.isArray(value)) for (const each of value) pairs.push([name, each]);
    else if (value !== undefined) pairs.push([name, value]);
  }
  return pairs;
}

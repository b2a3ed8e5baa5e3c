import type http from 'node:http';

/**
 * A `Response` for an answer read whole, over the bytes and the header
 * object parsed from the answer (Node's `IncomingHttpHeaders` shape). The
 * SDKs read non-streamed answers through `ok`, `status`, `headers.get` and
 * `json()`/`text()`; undici's own `Response`
 * would copy and validate every header into a `Headers` and wrap the bytes
 * in a web stream first, which cost about a quarter of the CPU of the whole
 * model path at hundreds of concurrent calls (docs/benchmarks.md). The rest
 * of the `Response` interface is there too, built on demand: `body` (a
 * stream of the bytes), `clone()`, `blob()`, `formData()`.
 */
export class BufferedResponse implements Response {
  readonly ok: boolean;
  readonly headers: NodeHeaders;
  readonly url = '';
  readonly redirected = false;
  readonly type: Response['type'] = 'default';
  #bytes: Buffer | null;
  #used = false;
  #stream: ReadableStream<Uint8Array> | null | undefined;

  /** `bytes` is null for a status without a body (204, 205, 304). */
  constructor(
    bytes: Buffer | null,
    readonly status: number,
    readonly statusText: string,
    headers: http.IncomingHttpHeaders,
  ) {
    this.#bytes = bytes;
    this.ok = status >= 200 && status < 300;
    this.headers = new NodeHeaders(headers);
  }

  /**
   * The bytes as a web stream, read at most once as with fetch. The stream's
   * machinery (~20 µs and its garbage) is made when the body is first used,
   * not when `body` is read: the Anthropic SDK reads `response.body` of every
   * answer only to register it with a FinalizationRegistry, and reads the
   * bytes through `json()`.
   */
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#stream === undefined) {
      const bytes = this.#bytes;
      this.#stream =
        bytes === null
          ? null
          : deferredStream(
              () =>
                new ReadableStream<Uint8Array>(
                  {
                    pull: (controller) => {
                      this.#used = true;
                      if (bytes.byteLength > 0) controller.enqueue(bytes);
                      controller.close();
                    },
                  },
                  // No read ahead: the bytes are taken when a reader asks, not when the stream is made.
                  { highWaterMark: 0 },
                ),
            );
    }
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used || this.#stream?.locked === true;
  }

  async text(): Promise<string> {
    return this.#take().toString('utf8');
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.#take().toString('utf8'));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.#take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async blob(): Promise<Blob> {
    return new Blob([this.#take()], { type: this.headers.get('content-type') ?? '' });
  }

  async formData(): Promise<FormData> {
    return this.#asFetchResponse().formData();
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    return new BufferedResponse(this.#bytes, this.status, this.statusText, this.headers.source);
  }

  /** The bytes, once: like fetch, a body is read at most once. */
  #take(): Buffer {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#bytes ?? Buffer.alloc(0);
  }

  #asFetchResponse(): Response {
    return new Response(this.#take(), { status: this.status, statusText: this.statusText, headers: [...this.headers] });
  }
}

/**
 * The `Headers` of a {@link BufferedResponse}: reads the parsed header
 * object (names lower case, repeated headers joined with ", "), iterates in
 * name order as `Headers` does, and like a fetch response's headers cannot
 * be changed.
 */
export class NodeHeaders implements Headers {
  constructor(readonly source: http.IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.source[name.toLowerCase()];
    return value === undefined ? null : joined(value);
  }

  has(name: string): boolean {
    return this.source[name.toLowerCase()] !== undefined;
  }

  getSetCookie(): string[] {
    return this.source['set-cookie'] ?? [];
  }

  append(name: string, _value: string): void {
    throw immutable(name);
  }

  set(name: string, _value: string): void {
    throw immutable(name);
  }

  delete(name: string): void {
    throw immutable(name);
  }

  forEach(callback: (value: string, name: string, headers: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }

  entries(): IterableIterator<[string, string]> {
    // A sorted snapshot iterated as an array, not a generator: the Anthropic SDK spreads the entries of every answer.
    const source = this.source;
    return Object.keys(source)
      .sort()
      .map((name): [string, string] => [name, joined(source[name] as string | string[])])
      [Symbol.iterator]();
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/**
 * A `ReadableStream` whose stream is made by `make` at its first use: every
 * member of `ReadableStream.prototype` (methods, `locked`, and Node's symbol
 * hooks that `new Response(body)`, `pipeTo` and `structuredClone` consult)
 * is forwarded to it, and `instanceof ReadableStream` holds. Not forwarded:
 * Node's internal brand check, so `Readable.fromWeb(body)` refuses it (wrap
 * it first: `Readable.fromWeb(body.pipeThrough(new TransformStream()))`).
 */
class DeferredStream {
  #make: (() => ReadableStream<Uint8Array>) | null;
  #stream: ReadableStream<Uint8Array> | null = null;

  constructor(make: () => ReadableStream<Uint8Array>) {
    this.#make = make;
  }

  /** Not locked before it is made: asking (as `bodyUsed` does) does not make it. */
  get locked(): boolean {
    return this.#stream?.locked ?? false;
  }

  /** The stream, made on the first call. */
  stream(): ReadableStream<Uint8Array> {
    if (this.#stream === null) {
      this.#stream = (this.#make as () => ReadableStream<Uint8Array>)();
      this.#make = null;
    }
    return this.#stream;
  }
}

for (const key of Reflect.ownKeys(ReadableStream.prototype)) {
  if (key === Symbol.toStringTag || Object.hasOwn(DeferredStream.prototype, key)) continue;
  const member = Object.getOwnPropertyDescriptor(ReadableStream.prototype, key) as PropertyDescriptor;
  if (member.get !== undefined) {
    const get = member.get;
    Object.defineProperty(DeferredStream.prototype, key, {
      get(this: DeferredStream) {
        return get.call(this.stream());
      },
    });
  } else if (typeof member.value === 'function') {
    const method = member.value as (...args: unknown[]) => unknown;
    Object.defineProperty(DeferredStream.prototype, key, {
      value(this: DeferredStream, ...args: unknown[]) {
        return method.apply(this.stream(), args);
      },
    });
  }
}
Object.setPrototypeOf(DeferredStream.prototype, ReadableStream.prototype);

function deferredStream(make: () => ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  // The prototype chain above makes it a ReadableStream for every reader; TypeScript cannot see that.
  return new DeferredStream(make) as unknown as ReadableStream<Uint8Array>;
}

/** A header's value as `Headers` gives it: repeated values joined with ", ". */
function joined(value: string | string[]): string {
  return typeof value === 'string' ? value : value.join(', ');
}

function immutable(name: string): TypeError {
  return new TypeError(`the headers of a response cannot be changed (${name})`);
}

import { describe, expect, it } from 'vitest';
import { BufferedResponse } from './buffered-response.js';

const answer = (body = '{"ok":true}') =>
  new BufferedResponse(Buffer.from(body), 200, 'OK', { 'content-type': 'application/json', vary: 'accept, origin', 'set-cookie': ['a=1', 'b=2'] });

describe('BufferedResponse', () => {
  it('reads like a fetch Response: status, headers in name order, and a body read once', async () => {
    const response = answer();
    expect(response).toMatchObject({ ok: true, status: 200, statusText: 'OK', redirected: false });
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect([...response.headers.keys()]).toEqual(['content-type', 'set-cookie', 'vary']);
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(() => response.headers.set('x', 'y')).toThrow(TypeError);
    expect(await response.json()).toEqual({ ok: true });
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
  });

  it('has a body stream that uses the body up only when it is read', async () => {
    const response = answer('streamed');
    const body = response.body;
    expect(body).not.toBeNull();
    expect(response.bodyUsed).toBe(false);
    const clone = response.clone();
    expect(await new Response(body).text()).toBe('streamed');
    expect(response.bodyUsed).toBe(true);
    await expect(response.arrayBuffer()).rejects.toThrow(TypeError);
    expect(await clone.text()).toBe('streamed');
  });

  it('has no body for a 204, and gives blobs and form data like fetch', async () => {
    const empty = new BufferedResponse(null, 204, 'No Content', {});
    expect(empty.body).toBeNull();
    expect(await empty.text()).toBe('');
    expect(await (await answer('abc').blob()).text()).toBe('abc');
    const form = new BufferedResponse(Buffer.from('a=1&b=2'), 200, 'OK', { 'content-type': 'application/x-www-form-urlencoded' });
    expect((await form.formData()).get('b')).toBe('2');
  });
});

describe('BufferedResponse.body', () => {
  const probe = () => {
    let made = 0;
    const OriginalStream = globalThis.ReadableStream;
    return {
      made: () => made,
      count<T>(run: () => T): T {
        globalThis.ReadableStream = class extends OriginalStream<Uint8Array> {
          constructor(...args: ConstructorParameters<typeof ReadableStream<Uint8Array>>) {
            super(...args);
            made += 1;
          }
        } as typeof ReadableStream;
        try {
          return run();
        } finally {
          globalThis.ReadableStream = OriginalStream;
        }
      },
    };
  };

  it('makes no stream when the body is only looked at and read through json()', async () => {
    const streams = probe();
    const response = answer();
    const body = streams.count(() => response.body);
    expect(body).toBeInstanceOf(ReadableStream);
    expect(body?.locked).toBe(false);
    expect(response.bodyUsed).toBe(false);
    expect(await response.json()).toEqual({ ok: true });
    expect(streams.made()).toBe(0);
  });

  it('is a working stream for every kind of reader', async () => {
    const read = async (body: ReadableStream<Uint8Array> | null) => Buffer.from(await new Response(body).arrayBuffer()).toString();
    const chunks: string[] = [];
    for await (const chunk of answer('iterated').body as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk).toString());
    expect(chunks).toEqual(['iterated']);
    const reader = (answer('by reader').body as ReadableStream<Uint8Array>).getReader();
    expect(Buffer.from((await reader.read()).value as Uint8Array).toString()).toBe('by reader');
    expect((await reader.read()).done).toBe(true);
    expect(await read((answer('piped').body as ReadableStream<Uint8Array>).pipeThrough(new TransformStream()))).toBe('piped');
    const [left, right] = (answer('teed').body as ReadableStream<Uint8Array>).tee();
    expect([await read(left), await read(right)]).toEqual(['teed', 'teed']);
    const response = answer('locked');
    (response.body as ReadableStream<Uint8Array>).getReader();
    expect(response.body?.locked).toBe(true);
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
  });
});

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

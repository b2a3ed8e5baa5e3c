import { describe, expect, it } from 'vitest';
import { frozenJson } from './frozen-json.js';

describe('frozenJson', () => {
  it('encodes a frozen source once and returns the same JSON after', () => {
    const cache = new WeakMap<object, string>();
    let encoded = 0;
    const toWire = (source: { name: string }) => {
      encoded += 1;
      return { wire_name: source.name };
    };
    const spec = Object.freeze({ name: 'read_file' });
    expect(frozenJson(cache, spec, toWire)).toBe('{"wire_name":"read_file"}');
    expect(frozenJson(cache, spec, toWire)).toBe('{"wire_name":"read_file"}');
    expect(encoded).toBe(1);
  });

  it('encodes an unfrozen source on every call, so changes to it are sent', () => {
    const cache = new WeakMap<{ name: string }, string>();
    const spec = { name: 'a' };
    expect(frozenJson(cache, spec, (source) => source)).toBe('{"name":"a"}');
    spec.name = 'b';
    expect(frozenJson(cache, spec, (source) => source)).toBe('{"name":"b"}');
  });
});

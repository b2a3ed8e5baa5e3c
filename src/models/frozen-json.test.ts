import { describe, expect, it } from 'vitest';
import { deepFreeze, frozenJson } from './frozen-json.js';

describe('frozenJson', () => {
  it('encodes a frozen source once and returns the same JSON after', () => {
    const cache = new WeakMap<object, string>();
    let encoded = 0;
    const toWire = (source: { name: string }) => {
      encoded += 1;
      return { wire_name: source.name };
    };
    const spec = deepFreeze({ name: 'read_file' });
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

describe('deepFreeze', () => {
  it('freezes nested objects and arrays', () => {
    const value = deepFreeze({ schema: { properties: { path: { type: 'string' } }, required: ['path'] } });
    expect(Object.isFrozen(value.schema.properties.path)).toBe(true);
    expect(Object.isFrozen(value.schema.required)).toBe(true);
    expect(() => {
      (value.schema.required as string[]).push('x');
    }).toThrow(TypeError);
  });
});

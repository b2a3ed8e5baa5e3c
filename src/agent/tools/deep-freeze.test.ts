import { describe, expect, it } from 'vitest';
import { deepFreeze } from './deep-freeze.js';

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

import { describe, expect, it } from 'vitest';
import { checkJsonSchema, compileJsonSchema } from './json-schema.js';

describe('checkJsonSchema', () => {
  it('accepts draft-07 and draft 2020-12 schemas', () => {
    expect(checkJsonSchema({ type: 'object', properties: { a: { type: 'string' } } })).toBeUndefined();
    expect(
      checkJsonSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'array', prefixItems: [{ type: 'number' }] }),
    ).toBeUndefined();
  });

  it('describes what is wrong with a non-schema', () => {
    expect(checkJsonSchema({ type: 'no-such-type' })).toMatch(/not a valid JSON Schema/);
    expect(checkJsonSchema([1, 2])).toBe('expected a JSON Schema object');
    expect(checkJsonSchema({ foo: 'bar' })).toMatch(/^not a JSON Schema: it has none of the keywords/);
    expect(checkJsonSchema({ title: 'only a title' })).toMatch(/^not a JSON Schema/);
    expect(checkJsonSchema({})).toBeUndefined();
    expect(checkJsonSchema({ $schema: 'https://example.com/unknown-dialect', type: 'object' })).toMatch(/not a valid JSON Schema/);
  });
});

describe('compileJsonSchema', () => {
  it('returns one line per problem, none when valid', () => {
    const validate = compileJsonSchema({ type: 'object', required: ['a'], properties: { a: { type: 'string' } } });
    expect(validate({ a: 'x' })).toEqual([]);
    expect(validate({ a: 1 })).toEqual(['/a must be string']);
    expect(validate({})).toEqual(["(root) must have required property 'a'"]);
  });

  it('validates 2020-12 keywords', () => {
    const validate = compileJsonSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'number' }],
    });
    expect(validate([1])).toEqual([]);
    expect(validate(['x'])).toHaveLength(1);
  });
});

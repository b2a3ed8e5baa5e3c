import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { fastFormats } from 'ajv-formats/dist/formats.js';
import { describe, expect, it } from 'vitest';
import { sampleJson } from './sim-json-sample.js';
import { samplePattern } from './sim-pattern-sample.js';

// Formats are checked as fanout checks them (ajv-formats' fast formats), so a sample fanout would refuse fails here.
function expectValid(schema: Record<string, unknown>): unknown {
  const ajv = schema.$schema === 'https://json-schema.org/draft/2020-12/schema' ? new Ajv2020({ strict: false }) : new Ajv({ strict: false });
  for (const [name, format] of Object.entries(fastFormats)) ajv.addFormat(name, format);
  const validate = ajv.compile(schema);
  const value = sampleJson(schema);
  const valid = validate(value);
  expect(validate.errors ?? [], JSON.stringify(value)).toEqual([]);
  expect(valid).toBe(true);
  return value;
}

describe('sampleJson', () => {
  it('fills every listed property, required or not, with values of their types', () => {
    const value = expectValid({
      type: 'object',
      properties: {
        files: { type: 'array', items: { type: 'string' } },
        cases: { type: 'integer', minimum: 1 },
        ratio: { type: 'number', exclusiveMaximum: 1, exclusiveMinimum: 0 },
        done: { type: 'boolean' },
        note: { type: ['string', 'null'] },
      },
      required: ['files', 'cases'],
      additionalProperties: false,
    });
    expect(value).toEqual({ files: ['(simulated) file'], cases: 1, ratio: 0.5, done: true, note: '(simulated) note' });
  });

  it('honours enums, consts, array and string bounds, numeric ranges and multipleOf', () => {
    expectValid({
      type: 'object',
      required: ['severity', 'kind', 'tags', 'code', 'score', 'even', 'tiny'],
      properties: {
        severity: { enum: ['high', 'low'] },
        kind: { const: 'finding' },
        tags: { type: 'array', items: { enum: ['a', 'b', 'c'] }, minItems: 3, maxItems: 3, uniqueItems: true },
        code: { type: 'string', minLength: 40, maxLength: 42 },
        score: { type: 'number', minimum: 3.2, maximum: 3.9, multipleOf: 0.25 },
        even: { type: 'integer', multipleOf: 2, minimum: 5 },
        tiny: { type: 'string', maxLength: 4 },
        negative: { type: 'integer', maximum: -3 },
        none: { type: 'array', maxItems: 0 },
      },
    });
  });

  it('builds nested objects and arrays of objects, following local $refs and $defs', () => {
    const value = expectValid({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      required: ['findings'],
      properties: { findings: { type: 'array', minItems: 2, items: { $ref: '#/$defs/finding' } } },
      $defs: {
        finding: {
          type: 'object',
          required: ['title', 'where'],
          properties: { title: { type: 'string', minLength: 1 }, where: { $ref: '#/$defs/place' } },
        },
        place: { type: 'object', required: ['file', 'line'], properties: { file: { type: 'string' }, line: { type: 'integer', minimum: 1 } } },
      },
    });
    expect(value).toMatchObject({ findings: [{ where: { line: 1 } }, { where: { line: 2 } }] });
  });

  it('follows allOf, the first non-null anyOf/oneOf branch, tuples and a recursive schema', () => {
    expectValid({
      allOf: [{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, { required: ['b'], properties: { b: { type: 'integer' } } }],
    });
    expectValid({ type: 'object', required: ['x'], properties: { x: { anyOf: [{ type: 'null' }, { type: 'integer', minimum: 10 }] } } });
    expectValid({ type: 'array', items: [{ type: 'string' }, { type: 'integer' }], additionalItems: false, minItems: 2 });
    expectValid({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ const: 1 }],
      items: { type: 'boolean' },
      minItems: 3,
    });
    expectValid({
      $ref: '#/definitions/node',
      definitions: { node: { type: 'object', required: ['children'], properties: { children: { type: 'array', items: { $ref: '#/definitions/node' } } } } },
    });
  });

  it('writes formats and patterns that validate', () => {
    expectValid({
      type: 'object',
      properties: {
        at: { type: 'string', format: 'date-time' },
        day: { type: 'string', format: 'date' },
        mail: { type: 'string', format: 'email' },
        link: { type: 'string', format: 'uri' },
        id: { type: 'string', format: 'uuid' },
        ip: { type: 'string', format: 'ipv4' },
        ticket: { type: 'string', pattern: '^[A-Z]{2,4}-\\d+$' },
        semver: { type: 'string', pattern: '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-[\\w.]+)?$' },
        hex: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' },
        path: { type: 'string', pattern: '^src/[^/ ]+\\.ts$' },
      },
      required: ['at', 'day', 'mail', 'link', 'id', 'ip', 'ticket', 'semver', 'hex', 'path'],
    });
  });
});

describe('sampleJson formats', () => {
  it('gives every item of a uniqueItems array of any format a value of its own', () => {
    const formats = ['date-time', 'date', 'time', 'duration', 'email', 'hostname', 'ipv4', 'ipv6', 'uri', 'uri-reference', 'uri-template', 'uuid', 'json-pointer', 'relative-json-pointer', 'regex'];
    expectValid({
      type: 'object',
      required: formats,
      properties: Object.fromEntries(formats.map((format) => [format, { type: 'array', minItems: 3, uniqueItems: true, items: { type: 'string', format } }])),
    });
  });
});

describe('samplePattern', () => {
  it('gives up (undefined) on what it cannot follow rather than a string that does not match', () => {
    expect(samplePattern('^(a)\\1$')).toBeUndefined();
    expect(samplePattern('^(?=x)y$')).toBeUndefined();
    expect(samplePattern('[')).toBeUndefined();
    expect(samplePattern('^ab?c+(d|e){2}[^abc]$')).toBe('acdd0');
  });
});

import { describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import { compileOutputCheck, extractJson, repairRequest } from './output-format.js';

describe('extractJson', () => {
  it('parses the whole answer when it is JSON', () => {
    expect(extractJson('  {"a": 1}\n')).toEqual({ ok: true, value: { a: 1 } });
  });

  it('finds a ```json block, preferring it to an untagged one', () => {
    const text = 'Here:\n```\n{"untagged": true}\n```\nand\n```json\n{"tagged": true}\n```\nDone.';
    expect(extractJson(text)).toEqual({ ok: true, value: { tagged: true } });
    expect(extractJson('Result:\n```\n[1, 2]\n```')).toEqual({ ok: true, value: [1, 2] });
  });

  it('ignores blocks in other languages and explains what it expected', () => {
    const result = extractJson('```ts\nconst a = 1;\n```');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^the answer is not JSON \(.+\); expected the whole answer, or a ```json block, to be JSON$/);
    expect(extractJson('   ')).toEqual({ ok: false, error: 'the answer is empty; expected JSON' });
  });
});

describe('compileOutputCheck', () => {
  const check = compileOutputCheck({
    type: 'object',
    properties: { score: { type: 'number' } },
    required: ['score'],
  });

  it('returns the value when it validates and the schema errors when not', () => {
    expect(check('{"score": 3}')).toEqual({ ok: true, value: { score: 3 } });
    expect(check('{"score": "high"}')).toEqual({ ok: false, errors: ['/score must be number'] });
    expect(check('not json')).toMatchObject({ ok: false, errors: [expect.stringContaining('not JSON')] });
  });

  it('rejects a schema that does not compile', () => {
    expect(() => compileOutputCheck({ type: 'no-such-type' })).toThrow(FanoutError);
    try {
      compileOutputCheck({ type: 'no-such-type' });
    } catch (error) {
      expect((error as FanoutError).code).toBe('OPTION_INVALID');
    }
  });
});

describe('repairRequest', () => {
  it('names the errors and the schema and asks for JSON only', () => {
    const text = repairRequest(['/score must be number'], { type: 'object' });
    expect(text).toContain('/score must be number');
    expect(text).toContain('{"type":"object"}');
    expect(text).toContain('only the corrected JSON');
  });
});

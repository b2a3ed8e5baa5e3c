import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseNonNegativeInt, parsePort, parsePositiveInt } from './parse-flags.js';

describe('flag parsers', () => {
  it('accept plain integers in range', () => {
    expect(parsePositiveInt('8')).toBe(8);
    expect(parseNonNegativeInt('0')).toBe(0);
    expect(parsePort('8080')).toBe(8080);
  });
  it.each(['abc', '', '1.5', '1e3', '-1', '0'])('reject %j for a positive integer', (value) => {
    expect(() => parsePositiveInt(value)).toThrow(InvalidArgumentError);
    expect(() => parsePositiveInt(value)).toThrow('expected a positive integer');
  });
  it('rejects negative timeouts and ports out of range', () => {
    expect(() => parseNonNegativeInt('-5')).toThrow('expected a non-negative integer');
    expect(() => parsePort('70000')).toThrow('expected a port number from 0 to 65535');
  });
});

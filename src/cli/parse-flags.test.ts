import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseNonNegativeInt, parsePort, parsePositiveInt, parsePositiveNumber } from './parse-flags.js';

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
  it('accept positive decimals for money', () => {
    expect(parsePositiveNumber('0.5')).toBe(0.5);
    expect(parsePositiveNumber('.25')).toBe(0.25);
    expect(parsePositiveNumber('3')).toBe(3);
  });
  it.each(['0', '0.0', '-1', 'abc', '', '1e2', 'Infinity', '0x10', '1.2.3'])('reject %j for a positive number', (value) => {
    expect(() => parsePositiveNumber(value)).toThrow('expected a positive number');
  });
});

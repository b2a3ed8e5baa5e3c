import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseAge, parseFaultKinds, parseNonNegativeInt, parsePort, parsePositiveInt, parsePositiveNumber, parseProviderLimit, parseShare } from './parse-flags.js';

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
  it('accept shares from 0 to 1 and fault kinds', () => {
    expect(parseShare('0.1')).toBe(0.1);
    expect(parseShare('1')).toBe(1);
    expect(parseFaultKinds('500, reset,529,stall,cut')).toEqual([500, 'reset', 529, 'stall', 'cut']);
  });
  it.each(['1.5', '-0.1', 'x', ''])('reject %j for a share', (value) => {
    expect(() => parseShare(value)).toThrow('expected a number from 0 to 1');
  });
  it('gather --provider-limit caps per provider', () => {
    const first = parseProviderLimit('anthropic=rpm:50,tpm:40000');
    expect(parseProviderLimit('openai=maxConcurrent:2', first)).toEqual({
      anthropic: { rpm: 50, tpm: 40_000 },
      openai: { maxConcurrent: 2 },
    });
  });
  it.each(['anthropic', 'anthropic=rpm', 'anthropic=rpm:0', 'anthropic=burst:5'])('reject %j for a provider limit', (value) => {
    expect(() => parseProviderLimit(value)).toThrow(/expected/);
  });
  it('reject an unknown fault kind, naming it', () => {
    expect(() => parseFaultKinds('500,404')).toThrow('got "404"');
  });

  it('parses ages in seconds, minutes, hours and days, and refuses anything else naming the value', () => {
    expect(parseAge('30d')).toBe(30 * 86_400_000);
    expect(parseAge('12h')).toBe(12 * 3_600_000);
    expect(parseAge('90m')).toBe(90 * 60_000);
    expect(parseAge('1.5s')).toBe(1_500);
    expect(() => parseAge('30')).toThrow('got "30"');
    expect(() => parseAge('-1d')).toThrow('expected an age such as 30d');
  });
});

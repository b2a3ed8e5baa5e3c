import { describe, expect, it } from 'vitest';
import { formatColumns, formatCost, formatDuration, formatElapsed, formatTokens, truncate } from './format.js';

describe('formatDuration', () => {
  it('uses ms below a second, seconds below a minute, then minutes', () => {
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(1234)).toBe('1.23s');
    expect(formatDuration(12_345)).toBe('12.3s');
    expect(formatDuration(123_000)).toBe('2m 03s');
  });
  it('shows a dash for impossible values', () => {
    expect(formatDuration(-1)).toBe('-');
    expect(formatDuration(Number.NaN)).toBe('-');
  });
});

describe('formatElapsed', () => {
  it('keeps one decimal under a minute', () => {
    expect(formatElapsed(400)).toBe('0.4s');
    expect(formatElapsed(61_000)).toBe('1m 01s');
  });
});

describe('formatTokens', () => {
  it('abbreviates thousands and millions', () => {
    expect(formatTokens(950)).toBe('950');
    expect(formatTokens(12_345)).toBe('12.3k');
    expect(formatTokens(4_100_000)).toBe('4.1M');
  });
});

describe('formatCost', () => {
  it('shows dollars with four decimals under $1, two above, and n/a when unknown', () => {
    expect(formatCost(0.0123)).toBe('$0.0123');
    expect(formatCost(4.5678)).toBe('$4.57');
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(0.00001)).toBe('<$0.0001');
    expect(formatCost(undefined)).toBe('n/a');
  });
});

describe('truncate', () => {
  it('cuts with an ellipsis only when needed', () => {
    expect(truncate('abcdef', 10)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcdef', 0)).toBe('');
  });
});

describe('formatColumns', () => {
  it('pads columns to the widest cell and right-aligns the chosen ones', () => {
    const lines = formatColumns(
      [
        ['a', '1'],
        ['long', '100'],
      ],
      new Set([1]),
    );
    expect(lines).toEqual(['a       1', 'long  100']);
  });
});

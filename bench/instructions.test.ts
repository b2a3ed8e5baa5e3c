import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callgrindTotal, parseInstructionsArgs } from './instructions.js';

describe('parseInstructionsArgs', () => {
  it('reads runs, the workload and legs, each from this checkout or the one after @', () => {
    const request = parseInstructionsArgs(['--runs', '2', '{"tasks":10,"callsPerTask":2,"latencyMs":1,"concurrency":5}', 'fanout-instant', 'fanout-instant@../other'], '/repo');
    expect(request.runs).toBe(2);
    expect(request.args).toEqual({ tasks: 10, callsPerTask: 2, latencyMs: 1, concurrency: 5 });
    expect(request.legs).toEqual([
      { leg: 'fanout-instant', checkout: '/repo', label: 'fanout-instant' },
      { leg: 'fanout-instant', checkout: resolve('../other'), label: 'fanout-instant@../other' },
    ]);
  });

  it('defaults to 3 runs', () => {
    expect(parseInstructionsArgs(['{"tasks":1}', 'provider'], '/repo').runs).toBe(3);
  });

  it('refuses a bad run count, bad JSON, no workload and no leg, each in one line with the usage', () => {
    expect(() => parseInstructionsArgs(['--runs', '0', '{}', 'provider'])).toThrow(/^--runs: expected a whole number ≥ 1, got 0\nusage:/);
    expect(() => parseInstructionsArgs(['{tasks:1}', 'provider'])).toThrow(/^the LegArgs JSON does not parse: \{tasks:1\}\nusage:/);
    expect(() => parseInstructionsArgs(['provider'])).toThrow(/^no LegArgs JSON given\nusage:/);
    expect(() => parseInstructionsArgs(['{}'])).toThrow(/^no leg given\nusage:/);
    expect(() => parseInstructionsArgs(['{}', '@/x'])).toThrow(/^no leg name in "@\/x"/);
  });
});

describe('callgrindTotal', () => {
  it("reads the totals line of callgrind's output", () => {
    expect(callgrindTotal('version: 1\nevents: Ir\nsummary: 0\n\nfn=(1)\n0 5\ntotals: 1229854463\n')).toBe(1229854463);
  });

  it('fails on output without one', () => {
    expect(() => callgrindTotal('events: Ir\n')).toThrow('callgrind output has no totals line');
  });
});

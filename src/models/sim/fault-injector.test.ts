import { describe, expect, it } from 'vitest';
import { FaultInjector, RandomFaults } from './fault-injector.js';

describe('FaultInjector', () => {
  it('fails the first `times` calls of each conversation, then lets calls through', () => {
    const faults = new FaultInjector();
    const fail = { status: 529, times: 2, retryAfterMs: 10 };
    expect(faults.check('a', fail)).toEqual({ status: 529, call: 1, times: 2, retryAfterMs: 10 });
    expect(faults.check('b', fail)).toMatchObject({ call: 1 });
    expect(faults.check('a', fail)).toMatchObject({ call: 2 });
    expect(faults.check('a', fail)).toBeUndefined();
    expect(faults.check('b', fail)).toMatchObject({ call: 2 });
  });

  it('never fails without a fail option or with times 0', () => {
    const faults = new FaultInjector();
    expect(faults.check('a', undefined)).toBeUndefined();
    expect(faults.check('a', { status: 500, times: 0 })).toBeUndefined();
  });
});

describe('RandomFaults', () => {
  it('fails about the given share of calls, the same ones for the same seed, with the kinds asked for', () => {
    const picks = (seed: number) => {
      const faults = new RandomFaults({ rate: 0.1, seed, kinds: [500, 'stall'] });
      return Array.from({ length: 2000 }, () => faults.next());
    };
    const first = picks(7);
    expect(picks(7)).toEqual(first);
    expect(picks(8)).not.toEqual(first);
    const failed = first.filter((kind) => kind !== undefined);
    expect(failed.length).toBeGreaterThan(150);
    expect(failed.length).toBeLessThan(250);
    expect(new Set(failed)).toEqual(new Set([500, 'stall']));
  });

  it('picks among 500, 529 and reset when no kinds are named, and never fails at rate 0', () => {
    const faults = new RandomFaults({ rate: 1 });
    expect(new Set(Array.from({ length: 100 }, () => faults.next()))).toEqual(new Set([500, 529, 'reset']));
    const none = new RandomFaults({ rate: 0 });
    expect(Array.from({ length: 100 }, () => none.next()).every((kind) => kind === undefined)).toBe(true);
  });
});

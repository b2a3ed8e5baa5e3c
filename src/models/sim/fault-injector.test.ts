import { describe, expect, it } from 'vitest';
import { FaultInjector } from './fault-injector.js';

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

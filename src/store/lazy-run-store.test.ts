import { describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { LazyRunStore } from './lazy-run-store.js';
import { MemoryRunStore } from './memory-run-store.js';
import { describeRunStoreConformance } from './run-store-conformance.js';
import { seedRun } from './test-support/run-fixtures.js';

describeRunStoreConformance('LazyRunStore', () => new LazyRunStore(() => new MemoryRunStore()));

describe('LazyRunStore', () => {
  it('opens its store at the first call, once, and passes that call on', () => {
    let opens = 0;
    const store = new LazyRunStore(() => {
      opens += 1;
      return new MemoryRunStore();
    });
    expect([opens, store.opened]).toEqual([0, false]);
    expect(store.listRuns()).toEqual([]);
    seedRun(store, 'r1');
    expect(store.getRun('r1')?.runId).toBe('r1');
    expect([opens, store.opened]).toEqual([1, true]);
  });

  it('closed before any use, it never opens, and refuses use afterwards', () => {
    const store = new LazyRunStore(() => {
      throw new Error('must not open');
    });
    store.close();
    store.close();
    let thrown: unknown;
    try {
      store.listRuns();
    } catch (error) {
      thrown = error;
    }
    expect(isFanoutError(thrown, 'STORE_ERROR')).toBe(true);
    expect(store.opened).toBe(false);
  });

  it('an open that fails fails the call that needed it, and is tried again by the next', () => {
    let fail = true;
    const store = new LazyRunStore(() => {
      if (fail) throw new Error('disk full');
      return new MemoryRunStore();
    });
    expect(() => store.listRuns()).toThrow('disk full');
    fail = false;
    expect(store.listRuns()).toEqual([]);
  });
});

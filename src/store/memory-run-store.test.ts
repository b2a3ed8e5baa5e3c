import { describe, expect, it } from 'vitest';
import { MemoryRunStore } from './memory-run-store.js';
import { describeRunStoreConformance } from './run-store-conformance.js';
import { seedRun } from './test-support/run-fixtures.js';

describeRunStoreConformance('MemoryRunStore', () => new MemoryRunStore());

describe('MemoryRunStore options', () => {
  it('caps outputs at maxOutputBytes', () => {
    const store = new MemoryRunStore({ maxOutputBytes: 4 });
    seedRun(store, 'r1');
    store.setOutput({ handle: 'r1-a', text: 'abcdef', json: 'abcdef', truncated: false });
    expect(store.getOutput('r1-a')).toEqual({ handle: 'r1-a', text: 'abcd', truncated: true });
  });

  it('rejects a cap that is not a positive integer', () => {
    expect(() => new MemoryRunStore({ maxOutputBytes: 0 })).toThrow(/maxOutputBytes must be a positive integer, got 0/);
  });
});

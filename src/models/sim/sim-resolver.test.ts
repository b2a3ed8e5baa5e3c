import { describe, expect, it } from 'vitest';
import { resolverAnswer } from './sim-resolver.js';

describe('simulated resolver', () => {
  it('keeps both sides of every conflict, ours first, without markers or the base section', () => {
    const merged = ['a', '<<<<<<< ours', 'b1', '||||||| base', 'b0', '=======', 'b2', '>>>>>>> theirs', 'c', '<<<<<<< x', 'd1', '=======', 'd2', '>>>>>>> y', ''].join('\n');
    expect(resolverAnswer(`# Conflict\n<merged-file>\n${merged}\n</merged-file>`)).toBe(['a', 'b1', 'b2', 'c', 'd1', 'd2', ''].join('\n'));
  });

  it('answers nothing when the prompt has no merged file', () => {
    expect(resolverAnswer('resolve this')).toBe('');
  });
});

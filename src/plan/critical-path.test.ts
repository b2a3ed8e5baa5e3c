import { describe, expect, it } from 'vitest';
import { longestPath, topologicalOrder } from './critical-path.js';

const edge = (from: string, to: string) => ({ from, to });

describe('topologicalOrder', () => {
  it('keeps plan order among tasks that are ready together', () => {
    expect(topologicalOrder(['c', 'a', 'b'], [])).toEqual(['c', 'a', 'b']);
  });

  it('puts every task after its predecessors, earliest ready task first', () => {
    const order = topologicalOrder(['a', 'b', 'c', 'd'], [edge('c', 'a'), edge('d', 'b')]);
    expect(order).toEqual(['c', 'a', 'd', 'b']);
  });

  it('returns undefined for a cycle', () => {
    expect(topologicalOrder(['a', 'b', 'c'], [edge('a', 'b'), edge('b', 'a')])).toBeUndefined();
  });

  it('ignores edges naming unknown tasks', () => {
    expect(topologicalOrder(['a', 'b'], [edge('zz', 'a'), edge('b', 'a')])).toEqual(['b', 'a']);
  });
});

describe('longestPath', () => {
  it('counts tasks with weight 1', () => {
    const edges = [edge('a', 'b'), edge('b', 'c'), edge('a', 'd')];
    expect(longestPath(['a', 'b', 'c', 'd'], edges, () => 1)).toEqual({ path: ['a', 'b', 'c'], length: 3 });
  });

  it('follows the heaviest chain when weights are durations', () => {
    const durations: Record<string, number> = { a: 10, b: 5, c: 5, d: 40 };
    const edges = [edge('a', 'b'), edge('b', 'c'), edge('a', 'd')];
    expect(longestPath(['a', 'b', 'c', 'd'], edges, (id) => durations[id] ?? 0)).toEqual({
      path: ['a', 'd'],
      length: 50,
    });
  });

  it('breaks ties by plan order', () => {
    expect(longestPath(['x', 'y'], [], () => 7)).toEqual({ path: ['x'], length: 7 });
    const edges = [edge('p', 'z'), edge('q', 'z')];
    expect(longestPath(['q', 'p', 'z'], edges, () => 1).path).toEqual(['q', 'z']);
  });

  it('handles a lone task and an empty list', () => {
    expect(longestPath(['solo'], [], () => 3)).toEqual({ path: ['solo'], length: 3 });
    expect(longestPath([], [], () => 1)).toEqual({ path: [], length: 0 });
  });

  it('throws INTERNAL on a cycle', () => {
    expect(() => longestPath(['a', 'b'], [edge('a', 'b'), edge('b', 'a')], () => 1)).toThrow(
      expect.objectContaining({ name: 'FanoutError', code: 'INTERNAL' }),
    );
  });
});

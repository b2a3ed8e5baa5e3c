import { describe, expect, it } from 'vitest';
import type { ExecutionDag } from '../contracts/plan.js';
import { independenceSummary, renderDag } from './render-dag.js';

const independent: ExecutionDag = {
  tasks: ['a', 'b', 'c'],
  edges: [],
  conflicts: [],
  order: ['a', 'b', 'c'],
  criticalPath: ['a'],
  levels: [['a', 'b', 'c']],
};

const serialized: ExecutionDag = {
  tasks: ['a', 'b', 'c'],
  edges: [
    { from: 'a', to: 'c', kind: 'dependency' },
    { from: 'a', to: 'b', kind: 'conflict', reason: 'src/a/** ~ src/a/x.ts' },
  ],
  conflicts: [{ first: 'a', second: 'b', kind: 'write-write', firstGlob: 'src/a/**', secondGlob: 'src/a/x.ts', serialized: true }],
  order: ['a', 'b', 'c'],
  criticalPath: ['a', 'b'],
  levels: [['a'], ['b', 'c']],
};

describe('independenceSummary', () => {
  it('says all tasks start at once when nothing orders them', () => {
    expect(independenceSummary(independent)).toBe('3 independent tasks, no conflicts: all 3 can start at once.');
  });
  it('says "it" of a single task, not "all 1"', () => {
    const single = { ...independent, tasks: ['a'], order: ['a'], criticalPath: ['a'], levels: [['a']] };
    expect(independenceSummary(single)).toBe('1 independent task, no conflicts: it can start at once.');
  });
  it('counts dependencies, conflicts and levels otherwise', () => {
    expect(independenceSummary(serialized)).toBe('3 tasks, 1 dependency, 1 conflict (1 serialized): 2 levels, 1 can start at once.');
  });
});

describe('renderDag', () => {
  it('lists levels, edges with their kind and glob pair, conflicts and the critical path', () => {
    const text = renderDag(serialized).join('\n');
    expect(text).toContain('  1. a\n  2. b, c');
    expect(text).toMatch(/a → c\s+dependency/);
    expect(text).toMatch(/a → b\s+conflict\s+src\/a\/\*\* ~ src\/a\/x\.ts/);
    expect(text).toMatch(/a ~ b\s+write-write\s+src\/a\/\*\* ~ src\/a\/x\.ts\s+serialized: b waits for a/);
    expect(text).toContain('Critical path: a → b (2 tasks)');
  });
  it('says so when there are no edges or conflicts', () => {
    const text = renderDag(independent).join('\n');
    expect(text).toContain('Edges: none');
    expect(text).toContain('Conflicts: none');
    expect(text).toContain('Critical path: a (1 task)');
  });
});

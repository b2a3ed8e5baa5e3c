import { describe, expect, it } from 'vitest';
import { describeEvent, renderLogLine } from './log-lines.js';

describe('log lines', () => {
  it("say how long a model call waited at its endpoint's gate, and for what", () => {
    const base = { runId: 'run-1', at: 2500, id: 'b', handle: 'task-b', waitedMs: 1250 };
    expect(describeEvent({ seq: 1, event: { type: 'call-waited', ...base, reason: 'provider-cap', detail: 'anthropic, maxConcurrent 4' } })).toBe(
      'waited 1.25 s for the provider cap (anthropic, maxConcurrent 4)',
    );
    const line = renderLogLine({ seq: 2, event: { type: 'call-waited', ...base, reason: 'rate-limit', detail: 'sim, rpm 60' } }, { t0: 0, ids: new Map([['task-b', 'b']]), idWidth: 3 });
    expect(line).toBe('   +2.5s  b    waited 1.25 s for a rate limit (sim, rpm 60)');
  });

  it("say what a run's merge gave: the tasks merged, the files in conflict, whether it was applied", () => {
    const merge = { type: 'run-merge' as const, runId: 'run-1', at: 3000, branch: 'fanout/run-1', commit: 'abc', merged: ['a'], conflicts: [] };
    const conflict = { file: 'src/x.ts', task: 'b', withTasks: ['a'], kind: 'content', message: 'Merge conflict in src/x.ts', hunks: [] };
    expect(describeEvent({ seq: 1, event: merge })).toBe('merged 1 task into fanout/run-1');
    expect(describeEvent({ seq: 2, event: { ...merge, merged: ['a', 'c'], conflicts: [conflict], applied: true } })).toBe(
      'merged 2 tasks into fanout/run-1, 1 file in conflict, applied',
    );
    expect(describeEvent({ seq: 3, event: { ...merge, applied: false, error: 'your branch has uncommitted changes' } })).toBe(
      'merged 1 task into fanout/run-1, not applied: your branch has uncommitted changes',
    );
    expect(describeEvent({ seq: 4, event: { ...merge, merged: [], error: 'git merge-tree failed' } })).toBe('merge failed: git merge-tree failed');
    const line = renderLogLine({ seq: 5, event: merge }, { t0: 0, ids: new Map(), idWidth: 3 });
    expect(line).toBe('   +3.0s  run  merged 1 task into fanout/run-1');
  });
});

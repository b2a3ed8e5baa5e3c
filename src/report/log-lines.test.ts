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
});

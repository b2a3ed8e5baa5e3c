import { describe, expect, it } from 'vitest';
import type { FanoutEvent } from '../contracts/events.js';
import { applyEvents } from './apply-events.js';
import { fixtureSnapshot, fixtureTask, FIXTURE_T0 } from './test-support/snapshot-fixtures.js';

describe('applyEvents', () => {
  it('moves tasks along with their events and leaves the given snapshot as it was', () => {
    const queued = { ...fixtureTask('a', 0, 0, { status: 'queued', turns: 0, inputTokens: 0, outputTokens: 0 }), startedAt: undefined, endedAt: undefined };
    const snapshot = fixtureSnapshot([queued, fixtureTask('b', 0, 10)], { status: 'running' });
    const base = { runId: 'run-fixture', id: 'a', handle: 'task-a' };
    const events: FanoutEvent[] = [
      { type: 'task-waiting', ...base, at: FIXTURE_T0, reason: 'concurrency' },
      { type: 'task-start', ...base, at: FIXTURE_T0 + 100 },
      { type: 'task-retry', ...base, at: FIXTURE_T0 + 150, attempt: 1, waitMs: 40, error: '529' },
      { type: 'rate-limited', ...base, at: FIXTURE_T0 + 200, provider: 'sim', waitMs: 60, detail: '429' },
      { type: 'call-waited', ...base, at: FIXTURE_T0 + 260, reason: 'rate-limit', waitedMs: 60, detail: 'sim, HTTP 429' },
      { type: 'model-call', ...base, at: FIXTURE_T0 + 300, turn: 1, inputTokens: 50, outputTokens: 5, durationMs: 200 },
      { type: 'call-waited', ...base, at: FIXTURE_T0 + 350, reason: 'provider-cap', waitedMs: 50, detail: 'sim, maxConcurrent 1' },
      { type: 'model-call', ...base, at: FIXTURE_T0 + 500, turn: 2, inputTokens: 70, outputTokens: 7, durationMs: 200 },
      { type: 'task-end', ...base, at: FIXTURE_T0 + 600, status: 'failed', durationMs: 500, error: 'boom' },
      { type: 'synthesis-start', runId: 'run-fixture', at: FIXTURE_T0 + 700 },
    ];
    const next = applyEvents(snapshot, events.map((event, index) => ({ seq: index + 1, event })), FIXTURE_T0 + 800);
    expect(next.tasks[0]).toMatchObject({
      status: 'failed',
      startedAt: FIXTURE_T0 + 100,
      endedAt: FIXTURE_T0 + 600,
      turns: 2,
      inputTokens: 120,
      outputTokens: 12,
      retries: 1,
      retryWaitMs: 40,
      rateLimitWaitMs: 60,
      pauses: [
        { cause: 'retry', at: FIXTURE_T0 + 150, ms: 40 },
        { cause: 'rate-limit', at: FIXTURE_T0 + 200, ms: 60 },
        { cause: 'rate-limit', at: FIXTURE_T0 + 200, ms: 60 },
        { cause: 'provider-cap', at: FIXTURE_T0 + 300, ms: 50 },
      ],
      waitReason: 'concurrency',
      error: 'boom',
    });
    expect(next.tasks[1]).toBe(snapshot.tasks[1]);
    expect(next.run.status).toBe('synthesizing');
    expect(next.takenAt).toBe(FIXTURE_T0 + 800);
    expect(snapshot.tasks[0]).toBe(queued);
    expect(queued.status).toBe('queued');
    expect(snapshot.run.status).toBe('running');
  });
});

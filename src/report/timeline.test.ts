import { describe, expect, it } from 'vitest';
import { fixtureSnapshot, fixtureTask, FIXTURE_T0 } from './test-support/snapshot-fixtures.js';
import { buildTimeline } from './timeline.js';

describe('buildTimeline', () => {
  it('places each bar at its start and end, and the wait before it with its cause', () => {
    const snapshot = fixtureSnapshot(
      [
        fixtureTask('a', 0, 1000),
        fixtureTask('b', 1000, 1500, { readyAt: FIXTURE_T0 + 1000, waitReason: 'dependency' }),
        fixtureTask('c', 1200, 2000, { readyAt: FIXTURE_T0, waitReason: 'concurrency' }),
        fixtureTask('d', 1600, 1700, { readyAt: FIXTURE_T0 + 1500, waitReason: 'conflict' }),
      ],
      {
        edges: [
          { from: 'a', to: 'b', kind: 'dependency' },
          { from: 'b', to: 'd', kind: 'conflict', reason: 'src/** ~ src/x.ts' },
        ],
        criticalPath: ['a', 'b', 'd'],
      },
    );
    const timeline = buildTimeline(snapshot);
    expect(timeline.spanMs).toBe(2000);
    expect(timeline.nowMs).toBeUndefined();
    expect(timeline.rows.map((row) => [row.id, row.startMs, row.endMs, row.critical])).toEqual([
      ['a', 0, 1000, true],
      ['b', 1000, 1500, true],
      ['c', 1200, 2000, false],
      ['d', 1600, 1700, true],
    ]);
    expect(timeline.rows.map((row) => row.waits)).toEqual([
      [],
      [{ cause: 'dependency', fromMs: 0, toMs: 1000 }],
      [{ cause: 'concurrency', fromMs: 0, toMs: 1200 }],
      [{ cause: 'conflict', fromMs: 0, toMs: 1500 }],
    ]);
    expect(timeline.rows[3]?.after).toEqual([{ id: 'b', kind: 'conflict' }]);
    expect(timeline.edges).toEqual([
      { from: 0, to: 1, kind: 'dependency' },
      { from: 1, to: 3, kind: 'conflict' },
    ]);
  });

  it('while the run is live: running bars and waits reach now, and now is marked', () => {
    const snapshot = fixtureSnapshot(
      [
        fixtureTask('a', 0, 0, { status: 'running', endedAt: undefined }),
        { ...fixtureTask('b', 0, 0, { status: 'queued', waitReason: 'concurrency', readyAt: FIXTURE_T0 }), startedAt: undefined, endedAt: undefined },
      ],
      { status: 'running', takenAt: FIXTURE_T0 + 3000 },
    );
    const timeline = buildTimeline(snapshot);
    expect(timeline.nowMs).toBe(3000);
    expect(timeline.rows[0]).toMatchObject({ startMs: 0, endMs: 3000 });
    expect(timeline.rows[1]?.startMs).toBeUndefined();
    expect(timeline.rows[1]?.waits).toEqual([{ cause: 'concurrency', fromMs: 0, toMs: 3000 }]);
  });

  it("draws a model call's waits at its provider's gate inside the bar, by cause; a 429's pause and the queue wait after it are one", () => {
    const snapshot = fixtureSnapshot([
      fixtureTask('a', 0, 5000, {
        waitReason: 'provider-cap',
        pauses: [
          { cause: 'provider-cap', at: FIXTURE_T0 + 3000, ms: 500 },
          { cause: 'rate-limit', at: FIXTURE_T0 + 1000, ms: 800 },
          { cause: 'rate-limit', at: FIXTURE_T0 + 1000, ms: 800 },
          { cause: 'rate-limit', at: FIXTURE_T0 + 1500, ms: 600 },
          { cause: 'provider-cap', at: FIXTURE_T0 + 3600, ms: 100 },
        ],
      }),
    ]);
    const [row] = buildTimeline(snapshot).rows;
    expect(row?.waits).toEqual([]);
    expect(row?.pauses).toEqual([
      { cause: 'rate-limit', fromMs: 1000, toMs: 2100 },
      { cause: 'provider-cap', fromMs: 3000, toMs: 3500 },
      { cause: 'provider-cap', fromMs: 3600, toMs: 3700 },
    ]);
  });

  it('draws retry backoffs and rate-limit pauses inside the bar, cut to its end; a retry is never a wait before the start', () => {
    const snapshot = fixtureSnapshot([
      fixtureTask('a', 100, 3000, {
        readyAt: FIXTURE_T0 + 90,
        waitReason: 'retry',
        pauses: [
          { cause: 'retry', at: FIXTURE_T0 + 500, ms: 400 },
          { cause: 'rate-limit', at: FIXTURE_T0 + 1500, ms: 1000 },
          { cause: 'retry', at: FIXTURE_T0 + 2800, ms: 900 },
        ],
      }),
    ]);
    const [row] = buildTimeline(snapshot).rows;
    expect(row?.waits).toEqual([]);
    expect(row?.pauses).toEqual([
      { cause: 'retry', fromMs: 500, toMs: 900 },
      { cause: 'rate-limit', fromMs: 1500, toMs: 2500 },
      { cause: 'retry', fromMs: 2800, toMs: 3000 },
    ]);
  });
});

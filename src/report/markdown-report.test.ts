import { describe, expect, it } from 'vitest';
import { renderMarkdownReport, textGantt } from './markdown-report.js';
import { fixtureSnapshot, fixtureTask, FIXTURE_T0 } from './test-support/snapshot-fixtures.js';

describe('the Markdown report', () => {
  const snapshot = fixtureSnapshot(
    [fixtureTask('a|b', 0, 1000), fixtureTask('c', 1000, 2000, { readyAt: FIXTURE_T0 + 1000, waitReason: 'dependency' })],
    { edges: [{ from: 'a|b', to: 'c', kind: 'dependency' }], criticalPath: ['a|b', 'c'] },
  );

  it('has the figures, a timing table with escaped cells, and no link or image', () => {
    const text = renderMarkdownReport(snapshot);
    expect(text).toContain('| 2/2 succeeded | 2.00 s | 2.00 s |');
    expect(text).toContain('| ◆ a\\|b | succeeded | - | 0 ms | 1.00 s | 2 | 1,000 | 100 | 0 | $0 |');
    expect(text).not.toMatch(/\]\(|!\[|<a /);
  });

  it("puts a provider cap someone set and the providers' rate limits in columns of their own, only when a task waited for one", () => {
    const waited = fixtureSnapshot([
      fixtureTask('a', 0, 1000, { rateLimitWaitMs: 300, pauses: [{ cause: 'provider-cap', at: FIXTURE_T0 + 200, ms: 300 }] }),
      fixtureTask('b', 0, 2000, { rateLimitWaitMs: 900, pauses: [{ cause: 'rate-limit', at: FIXTURE_T0 + 100, ms: 900 }] }),
    ]);
    const text = renderMarkdownReport(waited);
    expect(text).toContain('| Task | Status | Waited | Start | Duration | Turns | Tokens in | Tokens out | Rate limits | Provider cap | Retries | Cost |');
    expect(text).toContain('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    expect(text).toContain('| a | succeeded | - | 0 ms | 1.00 s | 2 | 1,000 | 100 | - | 300 ms | 0 | $0 |');
    expect(text).toContain('| b | succeeded | - | 0 ms | 2.00 s | 2 | 1,000 | 100 | 900 ms | - | 0 | $0 |');
    expect(renderMarkdownReport(snapshot)).not.toMatch(/Rate limits|Provider cap/);
  });

  it('draws a text Gantt: waits as ░, runs as █, scaled to the width', () => {
    expect(textGantt(snapshot, 10).slice(0, 2)).toEqual([
      '◆ a|b |█████     | 0 ms–1.00 s succeeded',
      '◆ c   |░░░░░█████| 1.00 s–2.00 s succeeded, waited 1.00 s (dependency)',
    ]);
  });

  it('marks pauses while running as ▒ and spells out their cause', () => {
    const paused = fixtureSnapshot([fixtureTask('a', 0, 1000, { pauses: [{ cause: 'provider-cap', at: FIXTURE_T0 + 200, ms: 400 }] })]);
    expect(textGantt(paused, 10)).toEqual(['  a  |██▒▒▒▒████| 0 ms–1.00 s succeeded, paused 400 ms (provider cap)', '      0   1.00 s', '█ ran  ░ waited  ▒ paused while running  ◆ critical path']);
  });
});

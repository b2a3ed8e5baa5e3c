import { describe, expect, it } from 'vitest';
import { FIXTURE_T0, fixtureSnapshot, fixtureTask, waveSnapshot } from '../test-support/snapshot-fixtures.js';
import { renderHtmlReport } from './render-html.js';

describe('the HTML report', () => {
  it('is one document with no script and nothing to fetch: inline styles only', () => {
    const html = renderHtmlReport(fixtureSnapshot([fixtureTask('a', 0, 1000)]));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|url\(|@import|https?:\/\//i);
    expect(html).toContain("default-src 'none'");
  });

  it('draws a bar per task carrying its id and times, and labels waits and the critical path in words', () => {
    const snapshot = fixtureSnapshot(
      [fixtureTask('a', 0, 1000), fixtureTask('b', 1000, 1500, { readyAt: 1_700_000_001_000, waitReason: 'dependency' })],
      { edges: [{ from: 'a', to: 'b', kind: 'dependency' }], criticalPath: ['a', 'b'] },
    );
    const html = renderHtmlReport(snapshot);
    expect(html).toMatch(/class="bar status-succeeded critical"[^>]*data-task="a"[^>]*data-start="0"[^>]*data-end="1000"/);
    expect(html).toMatch(/data-task="b"[^>]*data-start="1000"[^>]*data-end="1500"/);
    expect(html).toContain('waited 1.00 s for dependency; after a; on the critical path');
    expect(html).toContain('waited: dependency');
    expect(html).toMatch(/<line class="edge-dependency edge-critical"/);
  });

  it("draws a wait at the provider's gate inside the bar, patterned, named in the legend and in the bar's label", () => {
    const pauses = [{ cause: 'provider-cap' as const, at: FIXTURE_T0 + 200, ms: 300 }];
    const html = renderHtmlReport(fixtureSnapshot([fixtureTask('a', 0, 1000, { pauses, waitReason: 'provider-cap', rateLimitWaitMs: 300 })]));
    expect(html).toMatch(/class="pause wait-provider-cap"[^>]*data-cause="provider-cap"[^>]*data-start="200"[^>]*data-end="500"/);
    expect(html).toContain('paused 300 ms at 200 ms for provider cap');
    expect(html).toMatch(/<span class="swatch wait-provider-cap" aria-hidden="true"><\/span> (<!-- -->)?paused(<!-- -->)?: (<!-- -->)?provider cap/);
  });

  it("shows a provider cap someone set and the providers' rate limits in columns of their own of the timing table", () => {
    const html = renderHtmlReport(
      fixtureSnapshot([
        fixtureTask('a', 0, 1000, { rateLimitWaitMs: 300, pauses: [{ cause: 'provider-cap', at: FIXTURE_T0 + 200, ms: 300 }] }),
        fixtureTask('b', 0, 2000, { rateLimitWaitMs: 900, pauses: [{ cause: 'rate-limit', at: FIXTURE_T0 + 100, ms: 900 }] }),
      ]),
    );
    expect(html).toMatch(/<th scope="col" class="num">Tokens out<\/th><th scope="col" class="num">Rate limits<\/th><th scope="col" class="num">Provider cap<\/th><th scope="col" class="num">Retries<\/th>/);
    const cells = (id: string): string[] => [...(html.match(new RegExp(`<tr[^>]*data-task="${id}".*?</tr>`))?.[0] ?? '').matchAll(/<td class="num">([^<]*)<\/td>/g)].map((match) => match[1] ?? '');
    // Start, turns, tokens in and out, rate limits, provider cap, retries, cost (duration carries its ms too).
    expect(cells('a').slice(4, 6)).toEqual(['-', '300 ms']);
    expect(cells('b').slice(4, 6)).toEqual(['900 ms', '-']);
    expect(renderHtmlReport(fixtureSnapshot([fixtureTask('a', 0, 1000)]))).not.toMatch(/Rate limits|Provider cap/);
  });

  it('renders outputs as Markdown without letting their HTML through, and JSON outputs as a tree', () => {
    const snapshot = fixtureSnapshot([fixtureTask('a', 0, 10), fixtureTask('b', 0, 10)]);
    snapshot.outputs['a'] = { handle: 'task-a', text: '# Title\n<script>alert(1)</script> **bold** [x](javascript:alert(1)) <img src=x onerror=alert(1)>', truncated: false };
    snapshot.outputs['b'] = { handle: 'task-b', text: '{"n":1}', json: { n: 1, list: ['x'] }, truncated: false };
    const html = renderHtmlReport(snapshot);
    expect(html).not.toMatch(/<script>alert|<img |href="javascript/);
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<h4>Title</h4>');
    expect(html).toMatch(/<span class="json-key">n: <\/span><span class="json-number">1<\/span>/);
  });

  it('marks a task with refused tool calls and lists its writes and refusals with its output', () => {
    const refused = [{ tool: 'write_file', detail: 'write to "secret.txt" refused: outside this task\'s write scope (allowed: out/**)' }];
    const snapshot = fixtureSnapshot([fixtureTask('a', 0, 10, { writes: ['out/a.txt'], refused }), fixtureTask('b', 0, 10)]);
    snapshot.outputs['a'] = { handle: 'task-a', text: 'done', truncated: false };
    const html = renderHtmlReport(snapshot);
    expect(html.match(/⚠ (<!-- -->)?1(<!-- -->)? refused/g)).toHaveLength(1);
    expect(html).toContain('Wrote out/a.txt');
    expect(html).toMatch(/<ul class="warning" aria-label="refused tool calls"><li>⚠ (<!-- -->)?write_file(<!-- -->)?: (<!-- -->)?write to &quot;secret.txt&quot; refused/);
  });

  // The 10,000-task report is opened in a browser by src/ui/browser.test.ts.
  it('stays under 1 MB for a 100-task run', () => {
    const html = renderHtmlReport(waveSnapshot(100, 8));
    expect(html.match(/class="bar /g)).toHaveLength(100);
    expect(Buffer.byteLength(html)).toBeLessThan(1024 * 1024);
  });
});

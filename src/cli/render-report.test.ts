import { describe, expect, it } from 'vitest';
import { NOTABLE_WAIT_MS } from '../engine/index.js';
import { formatPercent, formatSpeedup, ganttBar, renderReport } from './render-report.js';
import { fourTaskReport, timing } from './test-support/fixtures.js';

describe('ganttBar', () => {
  it('fills the cells of the time the task ran', () => {
    expect(ganttBar(0, 1000, 4000, 8)).toBe('██      ');
    expect(ganttBar(2000, 2000, 4000, 8)).toBe('    ████');
    expect(ganttBar(0, 4000, 4000, 8)).toBe('████████');
  });
  it('gives a very short task one cell, never more than the width', () => {
    expect(ganttBar(3990, 1, 4000, 8)).toBe('       █');
    expect(ganttBar(0, 1, 100_000, 8)).toBe('█       ');
    expect(ganttBar(0, 9000, 4000, 8)).toHaveLength(8);
  });
  it('fills the whole bar when the span is zero', () => {
    expect(ganttBar(0, 0, 0, 4)).toBe('████');
  });
});

describe('formatSpeedup / formatPercent', () => {
  it('formats the ratios of the summary', () => {
    expect(formatSpeedup(4.071)).toBe('4.07×');
    expect(formatSpeedup(Number.NaN)).toBe('-');
    expect(formatPercent(0.976)).toBe('98%');
  });
});

describe('renderReport', () => {
  const lines = renderReport(fourTaskReport(), { ganttWidth: 8 });
  const text = lines.join('\n');

  it('prints a row per task with start offset, duration, turns, tokens, status and bar', () => {
    const row = lines.find((line) => line.trimStart().startsWith('t2'));
    expect(row).toMatch(/t2\s+\+0ms\s+2\.00s\s+3\s+1\.2k\/300\s+n\/a\s+succeeded\s+│████    │/);
    expect(lines.find((line) => line.trimStart().startsWith('t4'))).toContain('│████████│');
  });

  it('states sequential against wall time, the speedup, efficiency and critical path', () => {
    expect(text).toMatch(/Sequential \(sum of task times\)\s+10\.0s\s+4 tasks one after another/);
    expect(text).toMatch(/Parallel \(wall time\)\s+4\.00s/);
    expect(text).toMatch(/Speedup\s+2\.50×/);
    expect(text).toMatch(/Efficiency\s+100%\s+critical path 4\.00s/);
    expect(text).toMatch(/Critical path\s+t4/);
    expect(text).toMatch(/Synthesis\s+500ms/);
  });

  it('in 60 columns drops cost and tokens (then more) before it would wrap, keeping status and the bars', () => {
    const full = renderReport(fourTaskReport());
    expect(Math.max(...full.map((line) => line.length))).toBeGreaterThan(60);
    const narrow = renderReport(fourTaskReport(), { width: 60 });
    for (const line of narrow) expect(line.length).toBeLessThanOrEqual(60);
    expect(narrow[0]).not.toMatch(/cost|tokens/);
    expect(narrow[0]).toMatch(/^ {2}task\s+start\s+duration\s+turns\s+status\s+0 ─+ 4\.00s$/);
    expect(narrow.find((line) => line.trimStart().startsWith('t2'))).toMatch(/t2\s+\+0ms\s+2\.00s\s+3\s+succeeded\s+│█+ +│$/);
    const tiny = renderReport(fourTaskReport(), { width: 40 });
    for (const line of tiny) expect(line.length).toBeLessThanOrEqual(40);
    expect(tiny[0]).toMatch(/^ {2}task\s+duration\s+status$/);
    expect(tiny).toContain('  Speedup                         2.50×');
  });

  it('shows start offsets of tasks that started later, and the wait column when tasks waited', () => {
    const report = fourTaskReport({
      tasks: [
        timing({ id: 'a', startedAt: 0, endedAt: 1000, durationMs: 1000 }),
        timing({ id: 'b', startedAt: 1000, endedAt: 3000, durationMs: 2000, waitMs: 1000, waitReason: 'conflict' }),
      ],
      diagnostics: ['b waited 1.00s for a: conflict src/a/** ~ src/a/x.ts'],
    });
    const out = renderReport(report, { ganttWidth: 6 });
    expect(out.find((line) => line.trimStart().startsWith('b '))).toMatch(/\+1\.00s\s+2\.00s.*1\.00s conflict\s+│  ████│/);
    expect(out[0]).toContain('waited');
    expect(out.at(-1)).toBe('  ! b waited 1.00s for a: conflict src/a/** ~ src/a/x.ts');
  });

  it("shows the wait column from the engine's notable-wait threshold on, not for dispatch noise below it", () => {
    const waited = (waitMs: number) =>
      renderReport(fourTaskReport({ tasks: [timing({ id: 'a', startedAt: 0, endedAt: 10, waitMs, waitReason: 'concurrency' })] }))[0];
    expect(waited(NOTABLE_WAIT_MS - 1)).not.toContain('waited');
    expect(waited(NOTABLE_WAIT_MS)).toContain('waited');
  });

  it('shows the time waiting for rate limits and for a provider cap in columns of their own', () => {
    const report = fourTaskReport({
      tasks: [
        timing({ id: 'a', startedAt: 0, endedAt: 1000, durationMs: 1000, rateLimitWaitMs: 700, providerCapWaitMs: 700 }),
        timing({ id: 'b', startedAt: 0, endedAt: 3000, durationMs: 3000, rateLimitWaitMs: 2000, providerCapWaitMs: 500 }),
        timing({ id: 'c', startedAt: 0, endedAt: 1000, durationMs: 1000, rateLimitWaitMs: 300 }),
      ],
    });
    const out = renderReport(report, { ganttWidth: 4 });
    const header = out[0] ?? '';
    expect(header).toMatch(/rate limits\s+provider cap/);
    const cells = (id: string): string[] => {
      const row = out.find((line) => line.trimStart().startsWith(`${id} `)) ?? '';
      return [row.slice(header.indexOf('rate limits'), header.indexOf('provider cap')).trim(), row.slice(header.indexOf('provider cap'), row.indexOf('│')).trim()];
    };
    expect([cells('a'), cells('b'), cells('c')]).toEqual([
      ['', '700ms'],
      ['1.50s', '500ms'],
      ['300ms', ''],
    ]);
    // Only the provider cap: no rate-limit column.
    const capped = renderReport(fourTaskReport({ tasks: [timing({ id: 'a', startedAt: 0, endedAt: 1000, rateLimitWaitMs: 700, providerCapWaitMs: 700 })] }))[0];
    expect(capped).toContain('provider cap');
    expect(capped).not.toContain('rate limits');
  });

  it('leaves the bar empty and the times blank for a task that never started', () => {
    const report = fourTaskReport({ tasks: [timing({ id: 'a', startedAt: 0, endedAt: 1000 }), timing({ id: 's', status: 'skipped', durationMs: 0 })] });
    const row = renderReport(report, { ganttWidth: 4 }).find((line) => line.trimStart().startsWith('s '));
    expect(row).toMatch(/s\s+-\s+-\s+3\s+1\.2k\/300\s+n\/a\s+skipped\s+│    │/);
  });

  it('shows each task cost and the total; the simulated model costs $0 (simulated)', () => {
    const priced = fourTaskReport({
      simulated: false,
      costUsd: 0.0441,
      tasks: [timing({ id: 'a', startedAt: 0, endedAt: 1000, costUsd: 0.0123 }), timing({ id: 'b', startedAt: 0, endedAt: 1000, costUsd: 0.0318 })],
    });
    const lines = renderReport(priced, { ganttWidth: 4 });
    expect(lines[0]).toMatch(/tokens in\/out\s+cost\s+status/);
    expect(lines.find((line) => line.trimStart().startsWith('a '))).toMatch(/1\.2k\/300\s+\$0\.0123\s+succeeded/);
    expect(lines.join('\n')).toMatch(/Cost \(estimated\)\s+\$0\.0441\s+tasks and synthesis/);

    const simulated = renderReport(fourTaskReport({ simulated: true, costUsd: 0, tasks: [timing({ id: 'a', startedAt: 0, costUsd: 0 })] }));
    expect(simulated.join('\n')).toMatch(/Cost \(estimated\)\s+\$0 \(simulated\)/);
    expect(simulated.find((line) => line.trimStart().startsWith('a '))).toMatch(/\$0\s+succeeded/);

    const unknown = renderReport(fourTaskReport({ simulated: false, costUsd: undefined }));
    expect(unknown.join('\n')).toMatch(/Cost \(estimated\)\s+n\/a\s+a model used has no price/);
  });

  it('says why each task that hit a limit stopped', () => {
    const report = fourTaskReport({
      tasks: [timing({ id: 'a', startedAt: 0, endedAt: 1000 }), timing({ id: 'big', status: 'limit', startedAt: 0, endedAt: 500 }), timing({ id: 'c', status: 'limit', startedAt: 0 })],
    });
    const lines = renderReport(report, { reasons: new Map([['big', 'maxTokens 1000 reached (1204 used)']]) });
    expect(lines).toContain('  ⚠ big hit a limit: maxTokens 1000 reached (1204 used)');
    expect(lines).toContain('  ⚠ c hit a limit');
    expect(lines.filter((line) => line.includes('hit a limit'))).toHaveLength(2);
  });
});

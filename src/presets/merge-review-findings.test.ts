import { describe, expect, it } from 'vitest';
import { mergeReviewFindings } from './merge-review-findings.js';
import type { ReviewFinding } from './review-findings.js';
import { renderMergedReview, SIMULATED_FINDINGS_NOTE } from './render-merged-review.js';

const finding = (overrides: Partial<ReviewFinding> & Pick<ReviewFinding, 'title'>): ReviewFinding => ({
  severity: 'medium',
  detail: 'detail',
  ...overrides,
});

const output = (perspective: string, findings: ReviewFinding[]) => ({ perspective, json: { findings } });

describe('mergeReviewFindings', () => {
  it('groups findings by severity, critical first, then by file and line', () => {
    const merged = mergeReviewFindings([
      output('a', [
        finding({ severity: 'low', title: 'Low one' }),
        finding({ severity: 'critical', title: 'Critical one', file: 'b.ts', line: 3 }),
        finding({ severity: 'critical', title: 'Another critical', file: 'a.ts', line: 9 }),
        finding({ severity: 'info', title: 'Note' }),
      ]),
    ]);
    expect(merged.groups.map((group) => [group.severity, group.findings.map((f) => f.title)])).toEqual([
      ['critical', ['Another critical', 'Critical one']],
      ['low', ['Low one']],
      ['info', ['Note']],
    ]);
    expect(merged.findings.map((f) => f.title)).toEqual(['Another critical', 'Critical one', 'Low one', 'Note']);
    expect(merged.duplicatesRemoved).toBe(0);
  });

  it('merges similar titles on nearby lines of one file, keeping the highest severity and every perspective', () => {
    const merged = mergeReviewFindings([
      output('testing', [finding({ severity: 'medium', title: 'Missing validation of user input', file: './src/a.ts', line: 14 })]),
      output('security', [
        finding({ severity: 'high', title: 'User input validation missing in handler', file: 'src/a.ts', line: 12, detail: 'from security' }),
      ]),
    ]);
    expect(merged.findings).toEqual([
      {
        severity: 'high',
        title: 'User input validation missing in handler',
        file: 'src/a.ts',
        line: 12,
        detail: 'from security',
        perspectives: ['testing', 'security'],
      },
    ]);
    expect([merged.reported, merged.duplicatesRemoved]).toEqual([2, 1]);
  });

  it('keeps findings apart when lines are more than 3 apart, files differ, or titles are not similar enough', () => {
    const title = 'Missing validation of user input';
    const merged = mergeReviewFindings([
      output('a', [finding({ title, file: 'x.ts', line: 10 })]),
      output('b', [finding({ title: 'Missing validation of user input fields', file: 'x.ts', line: 14 })]),
      output('c', [finding({ title: 'Missing validation of user input fields', file: 'y.ts', line: 10 })]),
      output('d', [finding({ title: 'Slow validation loop', file: 'x.ts', line: 11 })]),
    ]);
    expect(merged.findings).toHaveLength(4);
  });

  it('merges identical normalized titles on the same file whatever the lines, and keeps the first on equal severity', () => {
    const merged = mergeReviewFindings([
      output('a', [finding({ title: 'Hard-coded secrets', file: 'cfg.ts', line: 2, detail: 'first' })]),
      output('b', [finding({ title: 'hard coded secret', file: 'cfg.ts', line: 80, detail: 'second', recommendation: 'use env' })]),
      output('c', [finding({ title: 'The hard-coded secrets', detail: 'no file' })]),
    ]);
    expect(merged.findings.map((f) => [f.detail, f.perspectives, f.recommendation])).toEqual([
      ['first', ['a', 'b'], 'use env'],
      ['no file', ['c'], undefined],
    ]);
  });

  it('does not merge two findings of one perspective: they are two places', () => {
    const merged = mergeReviewFindings([
      output('a', [finding({ title: 'Unchecked error', file: 'x.ts', line: 5 }), finding({ title: 'Unchecked error', file: 'x.ts', line: 7 })]),
      output('b', [finding({ title: 'Unchecked error', file: 'x.ts', line: 6 })]),
    ]);
    expect(merged.findings.map((f) => [f.line, f.perspectives])).toEqual([
      [5, ['a', 'b']],
      [7, ['a']],
    ]);
  });

  it('lists outputs that are missing or not valid findings as problems and merges the rest', () => {
    const merged = mergeReviewFindings([
      { perspective: 'security', json: undefined },
      { perspective: 'testing', json: { findings: [{ severity: 'urgent', title: 'x', detail: 'y' }] } },
      output('performance', [finding({ title: 'Fine' })]),
    ]);
    expect(merged.perspectives).toEqual(['security', 'testing', 'performance']);
    expect(merged.problems).toEqual([
      { perspective: 'security', error: 'no JSON output' },
      { perspective: 'testing', error: expect.stringMatching(/^not valid findings: \/findings\/0\/severity must be equal to one of the allowed values/) },
    ]);
    expect(merged.findings.map((f) => f.title)).toEqual(['Fine']);
  });
});

describe('renderMergedReview', () => {
  it('renders a summary and the findings by severity as Markdown', () => {
    const merged = mergeReviewFindings([
      output('security', [
        finding({ severity: 'high', title: 'Missing input validation', file: 'src/a.ts', line: 12, detail: 'Bad.\nVery bad.', recommendation: 'Validate.' }),
      ]),
      output('testing', [
        finding({ severity: 'medium', title: 'Input validation missing', file: 'src/a.ts', line: 13 }),
        finding({ severity: 'info', title: 'No CI' }),
      ]),
      { perspective: 'performance', json: 'oops' },
    ]);
    expect(renderMergedReview(merged)).toBe(
      [
        '# Merged review',
        '',
        '**2 findings** from security, testing, performance (1 high, 1 info); 1 duplicate reported by several perspectives merged.',
        '',
        '## High (1)',
        '',
        '1. **Missing input validation** — `src/a.ts:12` · security, testing',
        '   Bad.',
        '   Very bad.',
        '   Fix: Validate.',
        '',
        '## Info (1)',
        '',
        '1. **No CI** · testing',
        '   detail',
        '',
        '## Unusable reviews',
        '',
        '- performance: not valid findings: (root) must be object',
        '',
      ].join('\n'),
    );
  });

  it('says so when there are no findings', () => {
    expect(renderMergedReview(mergeReviewFindings([output('security', [])]))).toBe('# Merged review\n\nNo findings from security.\n');
  });

  it('labels simulated findings in the heading and says what they are', () => {
    const text = renderMergedReview(mergeReviewFindings([output('security', [finding({ title: 'X', file: 'src/a.ts', line: 1 })])]), { simulated: true });
    expect(text.split('\n').slice(0, 4)).toEqual(['# Merged review (SIMULATED)', '', SIMULATED_FINDINGS_NOTE, '']);
    expect(text).toContain('**1 finding** from security');
  });
});

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { commandWorkspace } from '../test-support/command-workspace.js';
import { RUN_END_KEYS } from '../test-support/run-end-keys.js';

// `fanout analyze` and `fanout review` in this process, on a real store and the simulated model.

function project() {
  const workspace = commandWorkspace();
  workspace.file('src/auth/login.ts', 'export function login() {}\n');
  workspace.file('src/auth/login.test.ts', 'test\n');
  workspace.file('src/api/routes.ts', 'export const routes = [];\n');
  return workspace;
}

describe('fanout analyze', () => {
  it('two directories: two analysts, then the unified analysis and the timing table', async () => {
    const { io } = project();
    const run = io();
    expect(await runCli(['analyze', 'src/auth', 'src/api', '--concurrency', '2'], run)).toBe(0);
    const text = run.out();
    expect(text).toMatch(/run run-\S+ "analyze src\/auth src\/api": 2 tasks \(SIMULATED model\)/);
    // Each analysis shows its first lines, then where the rest is.
    expect(text).toMatch(/✔ analyze-src-auth \[(task-\S+)\] succeeded — Analyze src\/auth\n {6}## src\/auth \(simulated analysis\)\n {6}\*\*Purpose\.\*\* src\/auth holds 2 files;[^\n]*\n(?: {6}[^\n]*\n){2} {6}… 2 more lines: fanout output task-/);
    expect(text).toMatch(/✔ analyze-src-api \[task-\S+\] succeeded — Analyze src\/api\n {6}## src\/api \(simulated analysis\)\n {6}\*\*Purpose\.\*\* src\/api holds 1 file;/);
    const unified = text.slice(text.indexOf('Unified analysis'), text.indexOf('Timing'));
    expect(unified).toContain('src/auth (simulated analysis)');
    expect(unified).toContain('src/api (simulated analysis)');
    expect(text).toMatch(/Speedup\s+\S+×/);
  });

  it('a directory that does not exist: one line, exit 2, nothing recorded', async () => {
    const { home, io } = project();
    const run = io();
    expect(await runCli(['analyze', 'src/auth', 'src/nope'], run)).toBe(2);
    expect(run.err()).toMatch(/^fanout: "src\/nope" does not exist \(looked for \S+\)\n$/);
    expect(existsSync(home)).toBe(false);
  });

  it('--json: events, the synthesis, then the run-end line last', async () => {
    const { io } = project();
    const run = io();
    expect(await runCli(['analyze', 'src/auth', 'src/api', '--json'], run)).toBe(0);
    const lines = run.out().trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(Object.keys(lines.at(-1) ?? {})).toEqual(RUN_END_KEYS);
    expect(lines.at(-2)).toMatchObject({ type: 'synthesis', text: expect.stringContaining('src/api (simulated analysis)') });
  });
});

describe('fanout review', () => {
  it('merges the perspectives: grouped by severity, the duplicate removed and attributed to both', async () => {
    const { io } = project();
    const run = io();
    expect(await runCli(['review', 'src', '--perspectives', 'security,testing,performance'], run)).toBe(0);
    const text = run.out();
    expect(text).toMatch(/run run-\S+ "review src \(security, testing, performance\)": 3 tasks/);
    // Each reviewer: a count of its findings, not its raw JSON.
    expect(text).toMatch(/✔ review-security \[task-\S+\] succeeded — [^\n]+\n {6}2 findings \(1 high, 1 low\)\n/);
    expect(text).not.toContain('{"findings"');
    // The merged review is the result, labelled as simulated; no synthesis of the JSON outputs.
    expect(text).not.toMatch(/^(Summary|Synthesis)$/m);
    expect(text).not.toContain('```json');
    const review = text.slice(text.indexOf('# Merged review (SIMULATED)'), text.indexOf('Timing'));
    expect(review).toMatch(/^# Merged review \(SIMULATED\)\n\n_Simulated findings: [^\n]+_\n/);
    expect(review).toContain('**4 findings** from security, testing, performance (1 high, 1 medium, 2 low); 1 duplicate reported by several perspectives merged.');
    expect(review).toMatch(/## High \(1\)\n\n1\. \*\*Missing input validation on user-supplied data\*\* — `src\/api\/routes\.ts:12` · security, testing/);
    expect(review.indexOf('## High')).toBeLessThan(review.indexOf('## Medium'));
    expect(review).not.toContain('Missing validation of user-supplied input');
  });

  it('--json: the review line, with the merge, just before the run-end line', async () => {
    const { io } = project();
    const run = io();
    expect(await runCli(['review', 'src', '--perspectives', 'security,testing', '--json'], run)).toBe(0);
    const lines = run.out().trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ type: 'run-end', status: 'succeeded' });
    expect(lines.at(-2)).toMatchObject({ type: 'review', perspectives: ['security', 'testing'], duplicatesRemoved: 1, problems: [] });
  });

  it('an unknown perspective: one line, exit 2, nothing recorded', async () => {
    const { home, io } = project();
    const run = io();
    expect(await runCli(['review', '--perspectives', 'security,style'], run)).toBe(2);
    expect(run.err()).toBe('fanout: unknown perspective "style" (expected: security, performance, testing, architecture)\n');
    expect(run.out()).toBe('');
    expect(existsSync(home)).toBe(false);
  });

  it('an empty perspective list is an error, not "all four"', async () => {
    const { home, io } = project();
    for (const list of ['', ' , ']) {
      const run = io();
      expect(await runCli(['review', '--perspectives', list], run)).toBe(2);
      expect(run.err()).toBe('fanout: --perspectives: expected a comma-separated list of: security, performance, testing, architecture\n');
      expect(run.out()).toBe('');
    }
    expect(existsSync(home)).toBe(false);
  });
});

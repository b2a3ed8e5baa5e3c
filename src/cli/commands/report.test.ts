import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { commandWorkspace as workspace } from '../test-support/command-workspace.js';

// Commands in this process, on a real store in a temp FANOUT_HOME and the simulated model.

describe('fanout report', () => {
  it('writes the HTML report and the Markdown summary of a run, and prints the summary without flags', async () => {
    const { dir, file, io } = workspace();
    file('plan.yaml', 'name: pictured\ntasks:\n  - id: a\n    prompt: do a\n    sim: { output: "**done** <b>a</b>" }\n  - id: b\n    prompt: do b\n    dependsOn: [a]\n');
    const run = io();
    expect(await runCli(['run', 'plan.yaml'], run)).toBe(0);
    const runId = /run (run-\S+) "pictured"/.exec(run.out())?.[1] as string;

    const written = io();
    expect(await runCli(['report', runId, '--html', 'out/../report.html', '--md', 'summary.md'], written)).toBe(0);
    expect(written.out()).toMatch(/^wrote \S+report\.html \(\d+ KB\)\nwrote \S+summary\.md\n$/);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<strong>done</strong> &lt;b>a&lt;/b>');
    expect(html).toMatch(/data-task="b"[^>]*data-start="\d+"/);
    const markdown = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(markdown).toContain('## fanout run pictured — succeeded');
    expect(markdown).toMatch(/\| ◆ b \| succeeded \|/);

    const printed = io();
    expect(await runCli(['report', runId], printed)).toBe(0);
    expect(printed.out()).toBe(markdown);
  });

  it('an unknown run or a missing directory: one line, exit 2, nothing written', async () => {
    const { dir, file, io } = workspace();
    file('plan.yaml', 'tasks:\n  - id: a\n    prompt: do a\n');
    const run = io();
    await runCli(['run', 'plan.yaml'], run);
    const unknown = io();
    expect(await runCli(['report', 'run-nope', '--html', 'r.html'], unknown)).toBe(2);
    expect(unknown.err()).toMatch(/^fanout: [^\n]*run-nope[^\n]*\n$/);
    const runId = /(run-[a-z0-9]+)/.exec(run.out())?.[1] as string;
    const missing = io();
    expect(await runCli(['report', runId, '--md', 'ok.md', '--html', 'no/such/dir/r.html'], missing)).toBe(2);
    expect(missing.err()).toMatch(/^fanout: --html \S+r\.html: directory \S+dir does not exist\n$/);
    expect(readdirSync(dir).filter((name) => /\.(html|md|tmp)$/.test(name))).toEqual([]);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { commandWorkspace as workspace } from './test-support/command-workspace.js';

// A task whose writes the sandbox refused must not look like a clean success: the files it
// wrote and the calls refused are recorded with the task and shown wherever the task is.

const PLAN = `name: scoped
tasks:
  - id: writer
    prompt: write the report
    writes: ["out/**"]
    sim:
      script:
        - tools:
            - { name: write_file, input: { path: out/a.txt, content: "a" } }
            - { name: write_file, input: { path: secret.txt, content: "s" } }
      output: wrote it
  - id: reader
    prompt: read it
    sim: { output: read it }
`;

describe('refused writes', () => {
  it('are recorded per task and shown in the live lines, the summary, status, status --verbose and the report', async () => {
    const { dir, file, io } = workspace();
    file('plan.yaml', PLAN);
    const run = io();
    expect(await runCli(['run', 'plan.yaml'], run)).toBe(0);
    expect(existsSync(join(dir, 'secret.txt'))).toBe(false);
    // The plain progress line and the outputs summary carry the mark and the count; the summary names the path.
    expect(run.out()).toMatch(/✔ writer {2}succeeded in \S+ \(2 turns\) · ⚠ 1 refused/);
    expect(run.out()).toMatch(/✔ writer \[task-\S+\] succeeded ⚠ 1 refused\n\s+⚠ write_file: write to "secret\.txt" refused: outside this task's write scope \(allowed: out\/\*\*\)/);
    const runId = /run (run-\S+) "scoped"/.exec(run.out())?.[1] as string;

    const json = io();
    expect(await runCli(['status', runId, '--json'], json)).toBe(0);
    const tasks = (JSON.parse(json.out()) as { tasks: Array<{ taskId: string; writes?: string[]; refused?: Array<{ tool: string; detail: string }> }> }).tasks;
    expect(tasks.find((task) => task.taskId === 'writer')).toMatchObject({
      writes: ['out/a.txt'],
      refused: [{ tool: 'write_file', detail: expect.stringContaining('write to "secret.txt" refused') }],
    });
    expect(tasks.find((task) => task.taskId === 'reader')).not.toHaveProperty('refused');

    const status = io();
    expect(await runCli(['status', runId], status)).toBe(0);
    expect(status.out()).toMatch(/writer\s+task-\S+\s+succeeded.*⚠ 1 refused/);
    expect(status.out()).toContain(`⚠ 1 refused tool call; the paths: fanout status ${runId} --verbose`);
    expect(status.out()).not.toContain('secret.txt');
    const verbose = io();
    expect(await runCli(['status', runId, '--verbose'], verbose)).toBe(0);
    expect(verbose.out()).toContain('  writer: wrote out/a.txt\n    ⚠ refused write_file: write to "secret.txt" refused');
    expect(verbose.out()).toContain('  reader: no files written');

    const report = io();
    expect(await runCli(['report', runId], report)).toBe(0);
    expect(report.out()).toMatch(/\| (◆ )?writer \| succeeded ⚠ 1 refused \|/);
    expect(report.out()).toContain('- **writer**: wrote `out/a.txt` · ⚠ 1 refused\n  - ⚠ write_file: write to "secret.txt" refused');
  });

  it('fail the task with --strict-writes or the plan field strictWrites, naming the path', async () => {
    const { file, io } = workspace();
    file('plan.yaml', PLAN);
    file('strict.yaml', `strictWrites: true\n${PLAN}`);
    for (const argv of [['run', 'plan.yaml', '--strict-writes'], ['run', 'strict.yaml']]) {
      const run = io();
      expect(await runCli(argv, run)).toBe(1);
      expect(run.out()).toMatch(/✖ writer \[task-\S+\] failed ⚠ 1 refused\n\s+strictWrites: write to "secret\.txt" refused: outside this task's write scope/);
      expect(run.out()).toMatch(/✔ reader \[task-\S+\] succeeded/);
    }
  });
});

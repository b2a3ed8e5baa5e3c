import { openRunStore } from '../../store/index.js';
import { describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { commandWorkspace as workspace } from '../test-support/command-workspace.js';

// Commands in this process, on a real store in a temp FANOUT_HOME and the simulated model.

const PLAN = `name: logged
tasks:
  - id: writer
    prompt: write it
    writes: ["out/**"]
    sim:
      fail: { status: 429, times: 1, retryAfterMs: 10 }
      script:
        - tools:
            - { name: write_file, input: { path: out/a.txt, content: "a" } }
            - { name: read_file, input: { path: missing.txt } }
      output: wrote it
  - id: reader
    prompt: read it
    dependsOn: [writer]
    sim: { output: read it }
`;

describe('fanout logs', () => {
  it("prints a run's and a task's stored events as readable lines, and as NDJSON with --json", async () => {
    const { file, io } = workspace();
    file('plan.yaml', PLAN);
    const run = io();
    expect(await runCli(['run', 'plan.yaml'], run)).toBe(0);
    const runId = /run (run-\S+) "logged"/.exec(run.out())?.[1] as string;
    const writer = /✔ writer \[(\S+)\]/.exec(run.out())?.[1] as string;

    const runLogs = io();
    expect(await runCli(['logs', runId], runLogs)).toBe(0);
    const lines = runLogs.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^\\s+\\+0\\.\\ds  run\\s+run ${runId} started: 2 tasks \\(simulated model\\)$`));
    expect(lines).toContainEqual(expect.stringMatching(/reader\s+waiting \(dependency\) on writer/));
    expect(lines).toContainEqual(expect.stringMatching(/writer\s+rate limited: HTTP 429 from sim: waiting \d+ ms, window \d+/));
    expect(lines).toContainEqual(expect.stringMatching(/run\s+sim window shrank to \d+ \(HTTP 429\)/));
    expect(lines).toContainEqual(expect.stringMatching(/writer\s+turn 1: [\d,]+ in \/ [\d,]+ out tokens \(\d/));
    expect(lines).toContainEqual(expect.stringMatching(/writer\s+write_file out\/a\.txt ✔$/));
    expect(lines).toContainEqual(expect.stringMatching(/writer\s+read_file ✘ refused or failed: "missing\.txt" does not exist$/));
    expect(lines).toContainEqual(expect.stringMatching(/writer\s+succeeded after \d/));
    expect(lines.at(-1)).toMatch(/run\s+run succeeded$/);

    const taskLogs = io();
    expect(await runCli(['logs', writer], taskLogs)).toBe(0);
    expect(taskLogs.out()).not.toMatch(/reader|run /);
    expect(taskLogs.out()).toContain('write_file out/a.txt ✔');

    const json = io();
    expect(await runCli(['logs', writer, '--json'], json)).toBe(0);
    const events = json.out().trimEnd().split('\n').map((line) => JSON.parse(line) as { seq: number; type: string; handle: string });
    expect(events.every((event) => event.handle === writer)).toBe(true);
    expect(events.map((event) => event.seq)).toEqual([...events.map((event) => event.seq)].sort((a, b) => a - b));
    expect(events.map((event) => event.type)).toContain('tool-call');

    // A finished run: --follow prints what is stored and ends.
    const follow = io();
    expect(await runCli(['logs', runId, '--follow'], follow)).toBe(0);
    expect(follow.out()).toBe(runLogs.out());
  });

  it('an unknown target: one line naming it, exit 2', async () => {
    const { io, home } = workspace();
    openRunStore(home).close();
    const failed = io();
    expect(await runCli(['logs', 'task-nope'], failed)).toBe(2);
    expect(failed.err()).toMatch(/^fanout: [^\n]*task-nope[^\n]*\n$/);
  });
});

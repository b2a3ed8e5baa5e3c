import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { commandWorkspace } from '../test-support/command-workspace.js';

// Bad input stops every command with one line on stderr and exit 2, before anything is
// printed, recorded or started: commands in this process, on a real store and the simulated model.

const PLAN = 'tasks:\n  - id: a\n    prompt: do a\n';

function workspace() {
  const ws = commandWorkspace();
  ws.file('plan.yaml', PLAN);
  ws.file('src/a.ts', 'export const a = 1;\n');
  return ws;
}

/** Runs argv and asserts the one-line refusal; returns the line. */
async function refused(ws: ReturnType<typeof workspace>, argv: string[]): Promise<string> {
  const run = ws.io();
  const code = await runCli(argv, run);
  expect({ argv, code, out: run.out() }).toEqual({ argv, code: 2, out: '' });
  expect(run.err()).toMatch(/^fanout: [^\n]+\n$/);
  return run.err();
}

/** True when no run was ever recorded (the store was not even created). */
function nothingRecorded(ws: ReturnType<typeof workspace>): boolean {
  return !existsSync(ws.home);
}

describe('--cwd that is not a directory', () => {
  const commands = [['run', 'plan.yaml'], ['do', 'add a and b'], ['analyze', 'src'], ['review'], ['agents'], ['check', 'plan.yaml']];

  it.each(commands)('%s: a missing directory', async (...argv) => {
    const ws = workspace();
    expect(await refused(ws, [...argv, '--cwd', '/nonexistent/dir'])).toBe('fanout: --cwd /nonexistent/dir: no such directory (looked for /nonexistent/dir)\n');
    expect(nothingRecorded(ws)).toBe(true);
  });

  it.each(commands)('%s: a file', async (...argv) => {
    const ws = workspace();
    expect(await refused(ws, [...argv, '--cwd', 'plan.yaml'])).toMatch(/^fanout: --cwd plan\.yaml: not a directory/);
    expect(nothingRecorded(ws)).toBe(true);
  });
});

describe('a model that came from an agent definition', () => {
  it('is named by the file and field it was written in, not a plan field the user never wrote', async () => {
    const ws = workspace();
    ws.file('.claude/agents/reviewer.md', '---\nname: reviewer\ndescription: Reviews code.\nmodel: sonnet\n---\nYou review code.\n');
    ws.file('agent.yaml', 'model: sim\ntasks:\n  - id: a\n    prompt: x\n    agent: reviewer\n');
    for (const argv of [['check', 'agent.yaml'], ['run', 'agent.yaml']]) {
      expect(await refused(ws, argv)).toBe(
        'fanout: .claude/agents/reviewer.md: model: ANTHROPIC_API_KEY is not set (needed by model "anthropic:claude-sonnet-5-5")\n',
      );
    }
    // A model the task or --model gives wins over the agent's, and nothing then points at the file.
    const ok = ws.io();
    expect(await runCli(['check', 'agent.yaml', '--model', 'sim'], ok)).toBe(0);
  });
});

describe('check rejects what run would reject, and run rejects it before printing anything', () => {
  const plans: Array<[string, string, RegExp]> = [
    ['an unknown agent', 'tasks:\n  - id: a\n    prompt: x\n    agent: nobody\n', /tasks\[0\]\.agent: unknown agent "nobody"/],
    ['an unknown model provider', 'tasks:\n  - id: a\n    prompt: x\n    model: foo:bar\n', /foo:bar/],
    [
      'a simulated model variant that does not exist',
      'model: sim:foo\ntasks:\n  - id: a\n    prompt: x\n',
      /^fanout: \S*bad\.yaml: model: unknown simulated model "sim:foo": expected sim, sim:anthropic or sim:openai\n$/,
    ],
    ['an agent whose file has bad frontmatter', 'tasks:\n  - id: a\n    prompt: x\n    agent: broken\n', /broken\.md/],
  ];

  it.each(plans)('%s', async (_, plan, message) => {
    const ws = workspace();
    ws.file('bad.yaml', plan);
    ws.file('.claude/agents/broken.md', '---\nname: broken\n---\nNo description.\n');
    expect(await refused(ws, ['check', 'bad.yaml'])).toMatch(message);
    expect(nothingRecorded(ws)).toBe(true);
    for (const argv of [['run', 'bad.yaml'], ['run', 'bad.yaml', '--detach'], ['run', 'bad.yaml', '--json']]) {
      expect(await refused(ws, argv)).toMatch(message);
    }
    const runs = ws.io();
    // No store was even created: runs has none to read.
    expect(await runCli(['runs'], runs)).toBe(2);
    expect(runs.err()).toContain('no fanout store');
  });

  it('check --model checks the plan as run --model would run it', async () => {
    const ws = workspace();
    expect(await refused(ws, ['check', 'plan.yaml', '--model', 'foo:bar'])).toMatch(/foo:bar/);
    const ok = ws.io();
    expect(await runCli(['check', 'plan.yaml', '--model', 'sim'], ok)).toBe(0);
    expect(ok.out()).toMatch(/^plan\.yaml: valid plan\n/);
    expect(nothingRecorded(ws)).toBe(true);
  });
});

describe('a model that cannot be used stops every command before it prints anything', () => {
  it.each([
    [['demo', '--model', 'foo:x']],
    [['do', 'add a and b', '--model', 'foo:x']],
    [['do', 'add a and b', '--model', 'foo:x', '--json']],
    [['analyze', 'src', '--model', 'foo:x']],
    [['review', 'src', '--model', 'foo:x']],
    [['run', 'plan.yaml', '--model', 'foo:x']],
  ])('%j', async (argv) => {
    const ws = workspace();
    expect(await refused(ws, argv)).toMatch(/foo:x/);
    const runs = ws.io();
    // No store was even created: runs has none to read.
    expect(await runCli(['runs'], runs)).toBe(2);
    expect(runs.err()).toContain('no fanout store');
  });

  it('an unreachable endpoint is found before the run is recorded', async () => {
    const ws = workspace();
    const run = ws.io({ OPENAI_API_KEY: 'x', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' });
    expect(await runCli(['run', 'plan.yaml', '--model', 'openai:x'], run)).toBe(2);
    expect(run.out()).toBe('');
    expect(run.err()).toMatch(/^fanout: [^\n]*http:\/\/127\.0\.0\.1:1\/v1[^\n]*\n$/);
    const runs = ws.io();
    // No store was even created: runs has none to read.
    expect(await runCli(['runs'], runs)).toBe(2);
    expect(runs.err()).toContain('no fanout store');
  });
});

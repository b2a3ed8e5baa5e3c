import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './program.js';
import { REPO_ROOT } from './test-support/cli-process.js';
import { recordingIo } from './test-support/fake-io.js';
import { readVersion } from './version.js';

describe('runCli: flags and commands', () => {
  it.each([
    [['run', 'plan.yaml', '--concurrency', 'abc'], /^fanout: option '--concurrency <n>' argument 'abc' is invalid\. expected a positive integer\n$/],
    [['run', 'plan.yaml', '--concurrency', '-2'], /--concurrency <n>.*expected a positive integer/],
    [['output', 'h', '--timeout', 'soon'], /--timeout <ms>.*expected a non-negative integer/],
    [['run', 'plan.yaml', '--bogus'], /^fanout: unknown option '--bogus'\n$/],
    [['frobnicate'], /^fanout: unknown command 'frobnicate'\n$/],
    [['run'], /^fanout: missing required argument 'plan'\n$/],
    [['stop', 'a', 'b'], /^fanout: too many arguments/],
    [['run', 'plan.yaml', '--budget', '0'], /^fanout: option '--budget <usd>' argument '0' is invalid\. expected a positive number\n$/],
    [['run', 'plan.yaml', '--budget', 'cheap'], /--budget <usd>.*expected a positive number/],
    [['run', 'plan.yaml', '--max-tokens', '1.5'], /--max-tokens <n>.*expected a positive integer/],
    [['run', 'plan.yaml', '--timeout', '0'], /--timeout <ms>.*expected a positive integer/],
    [['do', 'x', '--max-tokens', '-3'], /--max-tokens <n>.*expected a positive integer/],
    [['do', 'x', '--concurrency', '0'], /--concurrency <n>.*expected a positive integer/],
    [['do'], /^fanout: missing required argument 'request'\n$/],
    [['analyze'], /^fanout: missing required argument 'dirs'\n$/],
    [['review', '--concurrency', 'x'], /--concurrency <n>.*expected a positive integer/],
    [['agents', 'extra'], /^fanout: too many arguments/],
  ])('%j → exit 2 with one line', async (argv, message) => {
    const io = recordingIo();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.err().trimEnd().split('\n')).toHaveLength(1);
    expect(io.out()).toBe('');
  });

  it('prints the version and help with exit 0', async () => {
    const version = recordingIo();
    expect(await runCli(['--version'], version)).toBe(0);
    expect(version.out()).toBe(`${readVersion()}\n`);
    const help = recordingIo();
    expect(await runCli(['--help'], help)).toBe(0);
    for (const command of ['run', 'do', 'analyze', 'review', 'agents', 'check', 'output', 'status', 'runs', 'stop', 'demo', 'sim']) {
      expect(help.out()).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    expect(help.out()).not.toContain('__execute');
  });

  it('fanout help and fanout help <command> print the help on stdout with exit 0, like --help', async () => {
    const help = recordingIo();
    expect(await runCli(['help'], help)).toBe(0);
    expect(help.out()).toMatch(/^Usage: fanout \[options\] \[command\]/);
    expect(help.err()).toBe('');
    const run = recordingIo();
    expect(await runCli(['help', 'run'], run)).toBe(0);
    expect(run.out()).toMatch(/^Usage: fanout run \[options\] <plan>/);
    const flag = recordingIo();
    await runCli(['run', '--help'], flag);
    expect(run.out()).toBe(flag.out());
  });

  it('exits 2 with the usage when no command is given', async () => {
    const io = recordingIo();
    expect(await runCli([], io)).toBe(2);
    expect(io.err()).toContain('Usage: fanout');
  });

  it('turns an invalid plan into one line naming the file and field, exit 2, no stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-cli-'));
    writeFileSync(join(dir, 'plan.yaml'), 'tasks:\n  - id: a\n    promt: typo\n');
    const io = recordingIo({ cwd: dir });
    expect(await runCli(['check', 'plan.yaml'], io)).toBe(2);
    const lines = io.err().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^fanout: .*plan\.yaml: tasks\[0\]\.prompt: missing/);
    expect(io.err()).not.toMatch(/\n\s+at /);
  });

  it('prints the stack with --debug', async () => {
    const io = recordingIo({ cwd: tmpdir(), debug: true });
    expect(await runCli(['--debug', 'check', 'does-not-exist.yaml'], io)).toBe(2);
    expect(io.err().split('\n')[0]).toMatch(/^fanout: .*does-not-exist\.yaml/);
    expect(io.err()).toMatch(/\n\s+at /);
  });

  it('check prints the DAG of the demo plan: 5 independent tasks, and records nothing', async () => {
    const home = join(mkdtempSync(join(tmpdir(), 'fanout-cli-')), 'home');
    const io = recordingIo({ cwd: REPO_ROOT, env: { FANOUT_HOME: home } });
    expect(await runCli(['check', 'examples/auth-demo.yaml'], io)).toBe(0);
    expect(io.out()).toMatch(/^examples\/auth-demo\.yaml: valid plan "auth-demo"\n/);
    expect(io.out()).toContain('5 independent tasks, no conflicts: all 5 can start at once.');
    expect(io.out()).toContain('1. login, registration, password-reset, middleware, integration-tests');
    expect(existsSync(home)).toBe(false);
  });

  it('check prints the DAG of a valid plan and exits 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fanout-cli-'));
    writeFileSync(
      join(dir, 'plan.yaml'),
      'tasks:\n  - id: a\n    prompt: x\n    writes: ["src/**"]\n  - id: b\n    prompt: y\n    writes: ["src/b.ts"]\n',
    );
    const io = recordingIo({ cwd: dir });
    expect(await runCli(['check', 'plan.yaml'], io)).toBe(0);
    expect(io.out()).toMatch(/a → b\s+conflict\s+src\/\*\* ~ src\/b\.ts/);
    expect(io.out()).toContain('Critical path: a → b');
    const strict = recordingIo({ cwd: dir });
    expect(await runCli(['check', 'plan.yaml', '--strict'], strict)).toBe(2);
    expect(strict.err()).toMatch(/^fanout: .*conflict/);
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDefaultFanout } from './compose.js';
import { isFanoutError } from './contracts/errors.js';
import type { FanoutEvent } from './contracts/events.js';
import type { TaskSpec } from './contracts/plan.js';
import type { Fanout } from './contracts/fanout.js';

/**
 * Runs on real temporary git repositories through the simulated model:
 * worktrees per task, the merge into fanout/<run>, and the sandboxed shell.
 */
// Real git and real sandboxed processes on a shared 2-core machine.
vi.setConfig({ testTimeout: 120_000 });

let top: string;
let repo: string;
let fanout: Fanout;
let events: FanoutEvent[];

const IDENTITY = { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@localhost', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@localhost' };
const git = (...args: string[]): string =>
  execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ...IDENTITY }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

beforeEach(() => {
  top = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-wt-run-')));
  repo = path.join(top, 'repo');
  mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  writeFileSync(path.join(repo, 'README.md'), '# app\n');
  writeFileSync(path.join(repo, 'config.ts'), 'export const port = 80;\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  fanout = createDefaultFanout({ home: path.join(top, 'home'), cwd: repo, env: {} });
  events = [];
  fanout.on((event) => events.push(event));
});

afterEach(async () => {
  await fanout.close();
  rmSync(top, { recursive: true, force: true });
});

const write = (file: string, content: string) => ({ name: 'write_file', input: { path: file, content } });
const bash = (command: string, timeoutMs?: number) => ({ name: 'bash', input: timeoutMs === undefined ? { command } : { command, timeoutMs } });
const task = (id: string, writes: string[], tools: Array<{ name: string; input: Record<string, unknown> }>, extra: Partial<TaskSpec> = {}): TaskSpec => ({
  id,
  prompt: `do ${id}`,
  writes,
  sim: { script: [{ tools }] },
  ...extra,
});
const merges = () => events.filter((event): event is Extract<FanoutEvent, { type: 'run-merge' }> => event.type === 'run-merge');
const toolCalls = (id: string) => events.filter((event): event is Extract<FanoutEvent, { type: 'tool-call' }> => event.type === 'tool-call' && event.id === id);

describe('runs with worktrees', () => {
  it('gives each writing task a worktree and merges their work into fanout/<run>, leaving the user tree alone', async () => {
    const head = git('rev-parse', 'HEAD');
    const result = await fanout.run({
      synthesis: false,
      tasks: [task('a', ['src/a/**'], [write('src/a/a.ts', 'export const a = 1;\n')]), task('b', ['src/b/**'], [write('src/b/b.ts', 'export const b = 2;\n')])],
    });
    expect(result.status).toBe('succeeded');
    const [merge] = merges();
    expect(merge).toMatchObject({ branch: `fanout/${result.runId}`, merged: ['a', 'b'], conflicts: [] });
    expect(git('ls-tree', '-r', '--name-only', `fanout/${result.runId}`).split('\n')).toEqual(['README.md', 'config.ts', 'src/a/a.ts', 'src/b/b.ts']);
    expect(git('rev-parse', 'HEAD')).toBe(head);
    expect(existsSync(path.join(repo, 'src'))).toBe(false);
    const ends = events.filter((event): event is Extract<FanoutEvent, { type: 'task-end' }> => event.type === 'task-end');
    expect(ends.find((event) => event.id === 'a')?.changes).toEqual([{ path: 'src/a/a.ts', kind: 'added', added: 1, removed: 0 }]);
  });

  it('reports two tasks editing the same lines as a conflict and keeps the branch that conflicted', async () => {
    const result = await fanout.run({
      synthesis: false,
      isolation: 'worktree',
      tasks: [task('one', ['config.ts'], [write('config.ts', 'export const port = 8080;\n')]), task('two', ['config.ts'], [write('config.ts', 'export const port = 9090;\n')])],
    });
    const [merge] = merges();
    expect(merge?.merged).toEqual(['one']);
    expect(merge?.conflicts).toMatchObject([{ file: 'config.ts', task: 'two', withTasks: ['one'], hunks: [{ ours: 'export const port = 8080;', theirs: 'export const port = 9090;' }] }]);
    expect(git('show', `fanout-tasks/${result.runId}/two:config.ts`)).toBe('export const port = 9090;');
  });

  it('with resolve, a resolver subagent settles a conflict whose answer parses; one that does not parse stays reported', async () => {
    writeFileSync(path.join(repo, 'settings.json'), '{"port": 80}\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'settings');
    const result = await fanout.run(
      {
        synthesis: false,
        isolation: 'worktree',
        tasks: [
          task('one', ['config.ts'], [write('config.ts', 'export const port = 80;\nexport const a = 1;\n')]),
          task('two', ['config.ts'], [write('config.ts', 'export const port = 80;\nexport const b = 2;\n')]),
          task('three', ['settings.json'], [write('settings.json', '{"port": 8080}\n')]),
          task('four', ['settings.json'], [write('settings.json', '{"port": 9090}\n')]),
        ],
      },
      { resolve: true },
    );
    const [merge] = merges();
    expect(merge).toMatchObject({ merged: ['one', 'two', 'three'], resolved: [{ file: 'config.ts', task: 'two', withTasks: ['one'] }] });
    expect(merge?.conflicts.map((conflict) => [conflict.file, conflict.task, conflict.unresolved])).toEqual([
      ['settings.json', 'four', expect.stringMatching(/^the resolver's answer was not committed: it is not valid JSON/)],
    ]);
    expect(git('show', `fanout/${result.runId}:config.ts`)).toBe('export const port = 80;\nexport const a = 1;\nexport const b = 2;');
    expect(git('show', `fanout/${result.runId}:settings.json`)).toBe('{"port": 8080}');
    expect(git('show', `fanout-tasks/${result.runId}/four:settings.json`)).toBe('{"port": 9090}');
    expect(result.report.changes?.merge?.resolved).toEqual([{ file: 'config.ts', task: 'two', withTasks: ['one'] }]);
  });

  it('merges a finished run again with resolver subagents (fanout merge --resolve)', async () => {
    const result = await fanout.run({
      synthesis: false,
      isolation: 'worktree',
      tasks: [
        task('one', ['config.ts'], [write('config.ts', 'export const port = 80;\nexport const a = 1;\n')]),
        task('two', ['config.ts'], [write('config.ts', 'export const port = 80;\nexport const b = 2;\n')]),
      ],
    });
    expect(merges()[0]?.conflicts.map((conflict) => conflict.file)).toEqual(['config.ts']);
    const again = await fanout.merge(result.runId, { resolve: true });
    expect(again).toMatchObject({ merged: ['one', 'two'], conflicts: [], resolved: [{ file: 'config.ts', task: 'two', withTasks: ['one'] }] });
    expect(git('show', `fanout/${result.runId}:config.ts`)).toBe('export const port = 80;\nexport const a = 1;\nexport const b = 2;');
  });

  it('applies the result to the user branch with apply, and refuses apply on uncommitted changes before anything is made', async () => {
    writeFileSync(path.join(repo, 'README.md'), 'edited\n');
    const error = await fanout.run({ synthesis: false, tasks: [task('a', ['a.ts'], [write('a.ts', 'a\n')])] }, { apply: true }).catch((caught: unknown) => caught);
    expect(isFanoutError(error, 'WORKSPACE_INVALID')).toBe(true);
    expect((error as Error).message).toBe(`apply: ${repo} has uncommitted changes (README.md); commit or stash them yourself, then run again`);
    expect(fanout.runs()).toEqual([]);
    expect(git('branch', '--list', 'fanout*')).toBe('');
    expect(existsSync(path.join(top, 'home', 'worktrees'))).toBe(false);
    git('checkout', '-q', 'README.md');
    await fanout.run({ synthesis: false, tasks: [task('b', ['b.ts'], [write('b.ts', 'b\n')])] }, { apply: true });
    expect(merges()[0]).toMatchObject({ applied: true });
    expect(existsSync(path.join(repo, 'b.ts'))).toBe(true);
  });

  it('gives a task that names its read scope and has no shell a lean worktree; a shell task gets the whole tree', async () => {
    const result = await fanout.run({
      synthesis: false,
      tasks: [
        task('lean', ['out/lean.ts'], [write('out/lean.ts', 'x\n')], { files: ['config.ts'] }),
        task('whole', ['out/whole/**'], [bash('ls > out/whole/ls.txt')], { files: ['config.ts'], shell: {} }),
      ],
    });
    expect(result.status).toBe('succeeded');
    const dir = (id: string) => path.join(top, 'home', 'worktrees', result.runId, id);
    expect(['config.ts', 'out/lean.ts', 'README.md'].map((file) => existsSync(path.join(dir('lean'), file)))).toEqual([true, true, false]);
    expect(existsSync(path.join(dir('whole'), 'README.md'))).toBe(true);
    expect(git('ls-tree', '-r', '--name-only', `fanout/${result.runId}`).split('\n')).toEqual(['README.md', 'config.ts', 'out/lean.ts', 'out/whole/ls.txt']);
  });

  it('applies a checked run when its spawn asks (apply is a start option, as the CLI passes it)', async () => {
    const checked = await fanout.check({ synthesis: false, tasks: [task('c', ['c.ts'], [write('c.ts', 'c\n')])] });
    const { runId } = fanout.spawn(checked, { apply: true });
    await fanout.wait(runId);
    expect(merges()[0]).toMatchObject({ applied: true });
    expect(existsSync(path.join(repo, 'c.ts'))).toBe(true);
  });

  it('refuses isolation: worktree outside a git repository in one line, recording nothing', async () => {
    const plain = path.join(top, 'plain');
    mkdirSync(plain);
    const outside = createDefaultFanout({ home: path.join(top, 'home2'), cwd: plain, env: {} });
    try {
      const error = await outside.run({ isolation: 'worktree', tasks: [task('a', ['a.ts'], [])] }).catch((caught: unknown) => caught);
      expect(isFanoutError(error, 'WORKSPACE_INVALID')).toBe(true);
      expect((error as Error).message).toBe(`plan: isolation: worktree isolation needs a git repository on a branch: ${plain} is not inside a git repository`);
      expect(outside.runs()).toEqual([]);
    } finally {
      await outside.close();
    }
  });
});

describe('the sandboxed shell through the simulated model', () => {
  it('runs tests the task wrote, in its worktree', async () => {
    const result = await fanout.run({
      synthesis: false,
      tasks: [
        task('t', ['src/**'], [write('src/sum.test.sh', 'test "$((1 + 2))" = 3 && echo "1 passed"\n'), bash('bash src/sum.test.sh')], { tools: ['write_file', 'bash'] }),
      ],
    });
    expect(result.status).toBe('succeeded');
    expect(toolCalls('t').map((call) => [call.tool, call.ok])).toEqual([
      ['write_file', true],
      ['bash', true],
    ]);
  });

  it('refuses a write outside the scope, a read of the store, the network, and kills a forked process at the time limit', async () => {
    const home = path.join(top, 'home');
    const result = await fanout.run({
      synthesis: false,
      tasks: [
        {
          id: 'bad',
          prompt: 'misbehave',
          writes: ['out/**'],
          // The task's limit is one only a broken run reaches: under load, starting the sandbox alone took more than
          // the 400 ms the last call needs (killed before its forked process writes, 1 s later), which it asks for itself.
          shell: { timeoutMs: 60_000 },
          sim: {
            script: [
              { tools: [bash('echo x > config.ts')] },
              { tools: [bash(`ls -A ${home} > out/store.txt; cat ${home}/fanout.db >> out/store.txt`)] },
              { tools: [bash('exec 3<>/dev/tcp/127.0.0.1/9')] },
              { tools: [bash('(sleep 1; echo late > out/late.txt) & sleep 30', 400)] },
            ],
          },
        },
      ],
    });
    const calls = toolCalls('bad');
    expect(calls.map((call) => call.ok)).toEqual([false, true, true, false]);
    expect(calls[0]?.detail).toMatch(/^command refused by the sandbox .*Read-only file system/);
    expect(calls[3]?.detail).toMatch(/^command killed with every process it started after its time limit of 400 ms/);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(existsSync(path.join(home, 'fanout.db'))).toBe(true);
    expect(git('show', `fanout-tasks/${result.runId}/bad:out/store.txt`)).toBe('worktrees');
    const worktrees = path.join(home, 'worktrees');
    expect(execFileSync('find', [worktrees, '-name', 'late.txt'], { encoding: 'utf8' })).toBe('');
  });

  it('refuses writes outside the write scope inside a worktree: a file tool at once, a command at the commit', async () => {
    const result = await fanout.run({
      synthesis: false,
      tasks: [
        task('scoped', ['out/a.ts'], [write('config.ts', 'hacked\n'), bash('echo a > out/a.ts && echo b > out/b.ts')], { shell: {} }),
      ],
    });
    expect(result.status).toBe('succeeded');
    const calls = toolCalls('scoped');
    expect(calls.map((call) => [call.tool, call.ok])).toEqual([
      ['write_file', false],
      ['bash', true],
      ['bash', false],
    ]);
    expect(calls[2]?.detail).toBe('wrote outside its write scope: out/b.ts; put back, not committed');
    expect(git('ls-tree', '-r', '--name-only', `fanout-tasks/${result.runId}/scoped`).split('\n')).toEqual(['README.md', 'config.ts', 'out/a.ts']);
    expect(git('show', `fanout-tasks/${result.runId}/scoped:config.ts`)).toBe('export const port = 80;');
    expect(existsSync(path.join(top, 'home', 'worktrees', result.runId, 'scoped', 'out/b.ts'))).toBe(false);
    expect(result.report.changes?.refused.map((refusal) => refusal.tool)).toEqual(['write_file', 'bash']);
  });

  it('finds write scopes that reach one file through a link in conflict, and refuses a write through the link inside a worktree', async () => {
    mkdirSync(path.join(repo, 'src/auth'), { recursive: true });
    writeFileSync(path.join(repo, 'src/auth/login.ts'), 'export const login = 1;\n');
    symlinkSync('src', path.join(repo, 'lib'));
    git('add', '-A');
    git('commit', '-q', '-m', 'lib is src');
    const checked = await fanout.check({ tasks: [task('old', ['lib/**'], []), task('new', ['src/auth/*.ts'], [])] });
    expect(checked.dag.conflicts).toMatchObject([{ first: 'old', second: 'new', file: 'src/auth/login.ts', serialized: true }]);

    const result = await fanout.run({
      synthesis: false,
      isolation: 'worktree',
      tasks: [task('linked', ['lib/**'], [write('lib/auth/login.ts', 'hacked\n'), bash('echo hacked > lib/auth/login.ts')], { shell: {} })],
    });
    const calls = toolCalls('linked');
    expect(calls.map((call) => [call.tool, call.ok])).toEqual([
      ['write_file', false],
      ['bash', true],
      ['bash', false],
    ]);
    expect(calls[2]?.detail).toBe('wrote outside its write scope: src/auth/login.ts; put back, not committed');
    expect(git('show', `fanout-tasks/${result.runId}/linked:src/auth/login.ts`)).toBe('export const login = 1;');
  });

  it('lets a task\'s commands reach the hosts its shell names, refuses others and reports them', async () => {
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.end('pong\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const result = await fanout.run({
        synthesis: false,
        tasks: [
          task('net', ['out/**'], [bash(`curl -sS http://localhost:${port}/allowed > out/answer.txt`), bash(`NO_PROXY= no_proxy= curl -sSf http://127.0.0.1:${port}/refused`)], {
            shell: { network: ['localhost'] },
          }),
        ],
      });
      expect(result.status).toBe('succeeded');
      expect(paths).toEqual(['/allowed']);
      expect(git('show', `fanout-tasks/${result.runId}/net:out/answer.txt`)).toBe('pong');
      const calls = toolCalls('net');
      expect(calls.map((call) => call.ok)).toEqual([true, false]);
      expect(calls[1]?.detail).toContain(`command refused network access to 127.0.0.1:${port} (not in this task's shell.network: localhost)`);
      expect(result.report.changes?.refused.map((refusal) => refusal.tool)).toEqual(['bash']);
    } finally {
      server.close();
    }
  });

  it('refuses, naming the entry, a network entry that is not a host name', async () => {
    for (const entry of ['https://registry.npmjs.org', '127.0.0.1:8080', '*', '', 'api.*.example.com']) {
      const error = await fanout
        .check({ tasks: [{ id: 'a', prompt: 'p' }, { id: 'n', prompt: 'p', shell: { network: ['registry.npmjs.org', entry] } }] })
        .catch((caught: unknown) => caught);
      expect(isFanoutError(error, 'PLAN_INVALID')).toBe(true);
      expect((error as Error).message).toBe(
        `plan: tasks[1].shell.network[1]: expected a host name such as api.example.com, or *.example.com for its subdomains (no scheme, port or path), got "${entry}"`,
      );
    }
  });
});

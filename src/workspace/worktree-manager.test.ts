import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { useTempRepos, type TempRepo } from './test-support/temp-repo.js';
import type { RunWorkspace, TaskWorktree } from '../contracts/workspace.js';
import { sparsePatterns } from './sparse-patterns.js';
import { createWorktreeManager } from './worktree-manager.js';

// Real git under a shared 2-core machine: each test makes dozens of git calls.
vi.setConfig({ testTimeout: 120_000 });

const makeRepo = useTempRepos();

function worktreeCount(repo: TempRepo): number {
  return repo.git('worktree', 'list', '--porcelain').split('\n').filter((line) => line.startsWith('worktree ')).length;
}

function fanoutBranches(repo: TempRepo): string[] {
  return repo.git('branch', '--format=%(refname:short)').split('\n').filter((name) => name.startsWith('fanout'));
}

async function expectCode(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isFanoutError(error)).toBe(true);
  expect(error).toMatchObject({ code });
  expect((error as Error).message).toMatch(pattern);
  expect((error as Error).message).not.toContain('\n');
}

async function startRun(repo: TempRepo, run = 'run-1'): Promise<RunWorkspace> {
  return createWorktreeManager({ home: repo.home }).startRun(run, repo.dir);
}

/** A new repository and a run in it whose one task `t` wrote `files`, committed them, and was merged. */
async function mergedRun(files: Record<string, string>): Promise<{ repo: TempRepo; workspace: RunWorkspace; task: TaskWorktree }> {
  const repo = makeRepo();
  const workspace = await startRun(repo);
  const task = await workspace.createTask('t');
  repo.write(files, task.cwd);
  await workspace.commitTask('t');
  await workspace.merge();
  return { repo, workspace, task };
}

describe('worktree manager: bad input leaves nothing behind', () => {
  it('refuses a directory outside any git repository', async () => {
    const repo = makeRepo();
    const outside = path.dirname(repo.dir);
    await expectCode(createWorktreeManager({ home: repo.home }).startRun('run-1', outside), 'WORKSPACE_INVALID', /is not inside a git repository/);
    expect(existsSync(path.join(repo.home, 'worktrees', 'run-1'))).toBe(false);
  });

  it('refuses a detached HEAD', async () => {
    const repo = makeRepo();
    repo.git('checkout', '-q', '--detach');
    await expectCode(startRun(repo), 'WORKSPACE_INVALID', /detached HEAD/);
  });

  it('refuses a run whose result branch exists', async () => {
    const repo = makeRepo();
    repo.git('branch', 'fanout/run-1');
    await expectCode(startRun(repo), 'WORKSPACE_INVALID', /branch fanout\/run-1 already exists/);
  });

  it('refuses an existing task branch without making a worktree or touching the branch', async () => {
    const repo = makeRepo();
    repo.git('branch', 'fanout-tasks/run-1/a');
    const before = repo.git('rev-parse', 'fanout-tasks/run-1/a');
    const workspace = await startRun(repo);
    await expectCode(workspace.createTask('a'), 'WORKSPACE_INVALID', /branch fanout-tasks\/run-1\/a already exists/);
    expect(worktreeCount(repo)).toBe(1);
    expect(repo.git('rev-parse', 'fanout-tasks/run-1/a')).toBe(before);
    expect(workspace.tasks()).toEqual([]);
  });

  it('refuses a task id git cannot use in a branch name', async () => {
    const repo = makeRepo();
    const workspace = await startRun(repo);
    await expectCode(workspace.createTask('a..b'), 'WORKSPACE_INVALID', /task id "a..b" cannot name a git branch/);
    expect(fanoutBranches(repo)).toEqual([]);
  });
});

describe('worktree manager: inspect', () => {
  it('says whether a directory can hold worktrees, in one line', () => {
    const repo = makeRepo();
    const manager = createWorktreeManager({ home: repo.home });
    expect(manager.inspect(repo.dir)).toMatchObject({ ok: true, root: repo.dir, branch: 'main' });
    expect(manager.inspect(path.dirname(repo.dir))).toEqual({ ok: false, problem: `${path.dirname(repo.dir)} is not inside a git repository` });
    repo.git('checkout', '-q', '--detach');
    expect(manager.inspect(repo.dir)).toEqual({ ok: false, problem: `${repo.dir} has a detached HEAD; check out a branch first (git switch <branch>)` });
  });
});

describe('worktree manager: merging', () => {
  it('merges parallel writes to different files into fanout/<run> without touching the user tree', async () => {
    const repo = makeRepo({ 'README.md': '# test\n', 'src/shared.ts': 'export const x = 1;\n' });
    const head = repo.git('rev-parse', 'HEAD');
    const workspace = await startRun(repo);
    const tasks = await Promise.all(['a', 'b', 'c', 'd'].map((task) => workspace.createTask(task)));
    for (const task of tasks) repo.write({ [`src/${task.task}.ts`]: `export const ${task.task} = 1;\n` }, task.cwd);
    const commits = await Promise.all(tasks.map((task) => workspace.commitTask(task.task)));
    expect(commits.every((commit) => commit.committed)).toBe(true);
    expect(commits[0]?.changes).toEqual([{ path: 'src/a.ts', kind: 'added', added: 1, removed: 0 }]);
    expect(repo.git('log', '-1', '--format=%s', 'fanout-tasks/run-1/a')).toBe('fanout run-1: task a');

    const result = await workspace.merge();
    expect(result.merged).toEqual(['a', 'b', 'c', 'd']);
    expect(result.conflicts).toEqual([]);
    expect(repo.git('ls-tree', '-r', '--name-only', 'fanout/run-1').split('\n')).toEqual(
      ['README.md', 'src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts', 'src/shared.ts'],
    );
    expect(repo.git('rev-parse', 'HEAD')).toBe(head);
    expect(repo.git('status', '--porcelain')).toBe('');
    expect(existsSync(path.join(repo.dir, 'src/a.ts'))).toBe(false);
    expect(await workspace.diff()).toContain('+export const d = 1;');
    // Disjoint files: one merge commit with the base and every task as parents.
    expect(repo.git('log', '-1', '--format=%P%n%s', 'fanout/run-1').split('\n')).toEqual([
      [head, ...tasks.map((task) => repo.git('rev-parse', task.branch))].join(' '),
      'fanout run-1: merge tasks a, b, c, d',
    ]);
  });

  it('merges disjoint deletions and additions in one commit, and one by one when a path is under another task\'s', async () => {
    const repo = makeRepo({ 'README.md': '# test\n', 'old/x.ts': 'x\n', 'keep.ts': 'k\n' });
    const workspace = await startRun(repo);
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((task) => workspace.createTask(task)));
    rmSync(path.join(a?.cwd ?? '', 'old'), { recursive: true });
    repo.write({ 'new.ts': 'n\n' }, b?.cwd);
    repo.write({ 'keep.ts': 'k2\n' }, c?.cwd);
    for (const task of ['a', 'b', 'c']) await workspace.commitTask(task);
    const result = await workspace.merge();
    expect(result).toMatchObject({ merged: ['a', 'b', 'c'], conflicts: [] });
    expect(repo.git('ls-tree', '-r', '--name-only', 'fanout/run-1').split('\n')).toEqual(['README.md', 'keep.ts', 'new.ts']);
    expect(repo.git('show', 'fanout/run-1:keep.ts')).toBe('k2');

    const other = await startRun(repo, 'run-2');
    const [file, under] = await Promise.all(['file', 'under'].map((task) => other.createTask(task)));
    repo.write({ 'lib': 'a file\n' }, file?.cwd);
    repo.write({ 'lib/y.ts': 'y\n' }, under?.cwd);
    for (const task of ['file', 'under']) await other.commitTask(task);
    const second = await other.merge();
    expect(second.merged).toEqual(['file']);
    expect(second.conflicts.map((conflict) => [conflict.task, conflict.kind])).toEqual([['under', 'file/directory']]);
  });

  it('reports two tasks editing the same lines as a conflict with both tasks and the hunks, and keeps both branches', async () => {
    const repo = makeRepo({ 'config.ts': 'export const port = 80;\nexport const host = "a";\n' });
    const workspace = await startRun(repo);
    const one = await workspace.createTask('one');
    const two = await workspace.createTask('two');
    repo.write({ 'config.ts': 'export const port = 8080;\nexport const host = "a";\n' }, one.cwd);
    repo.write({ 'config.ts': 'export const port = 9090;\nexport const host = "a";\n', 'other.ts': 'x\n' }, two.cwd);
    await workspace.commitTask('one');
    await workspace.commitTask('two');

    const result = await workspace.merge();
    expect(result.merged).toEqual(['one']);
    expect(result.conflicts).toEqual([
      {
        file: 'config.ts',
        task: 'two',
        withTasks: ['one'],
        kind: 'contents',
        message: 'Merge conflict in config.ts',
        hunks: [{ line: 1, ours: 'export const port = 8080;', theirs: 'export const port = 9090;' }],
      },
    ]);
    expect(repo.git('show', 'fanout/run-1:config.ts')).toContain('8080');

    const cleaned = await workspace.clean();
    expect(cleaned.kept.map((branch) => branch.branch)).toEqual(['fanout-tasks/run-1/two', 'fanout/run-1']);
    expect(fanoutBranches(repo).sort()).toEqual(['fanout-tasks/run-1/two', 'fanout/run-1']);
    expect(repo.git('show', 'fanout-tasks/run-1/two:config.ts')).toContain('9090');
    expect(worktreeCount(repo)).toBe(1);
  });

  it('merges a conflicting task with a resolver whose answers pass the checks, keeping file modes', async () => {
    const repo = makeRepo({ 'config.ts': 'export const port = 80;\n', 'run.sh': '#!/bin/sh\necho 0\n' });
    chmodSync(path.join(repo.dir, 'run.sh'), 0o755);
    repo.git('commit', '-q', '-a', '-m', 'executable');
    const workspace = await startRun(repo);
    const one = await workspace.createTask('one');
    const two = await workspace.createTask('two');
    repo.write({ 'config.ts': 'export const port = 8080;\n', 'run.sh': '#!/bin/sh\necho 1\n' }, one.cwd);
    repo.write({ 'config.ts': 'export const port = 9090;\n', 'run.sh': '#!/bin/sh\necho 2\n' }, two.cwd);
    await workspace.commitTask('one');
    await workspace.commitTask('two');
    const asked: Array<{ file: string; base: string | undefined; ours: string; theirs: string; marked: boolean }> = [];
    const result = await workspace.merge({
      resolve: async ({ conflict, base, ours, theirs, merged }) => {
        asked.push({ file: conflict.file, base, ours, theirs, marked: merged.includes('<<<<<<<') });
        return conflict.file === 'config.ts' ? 'export const port = 8080;\nexport const altPort = 9090;\n' : '#!/bin/sh\necho 1\necho 2\n';
      },
    });
    expect(result).toMatchObject({ merged: ['one', 'two'], conflicts: [], resolved: [{ file: 'config.ts', task: 'two', withTasks: ['one'] }, { file: 'run.sh', task: 'two', withTasks: ['one'] }] });
    expect(asked.find((entry) => entry.file === 'config.ts')).toEqual({
      file: 'config.ts',
      base: 'export const port = 80;\n',
      ours: 'export const port = 8080;\n',
      theirs: 'export const port = 9090;\n',
      marked: true,
    });
    expect(repo.git('show', 'fanout/run-1:config.ts')).toBe('export const port = 8080;\nexport const altPort = 9090;');
    expect(repo.git('ls-tree', 'fanout/run-1', 'run.sh')).toMatch(/^100755 /);
    expect(repo.git('log', '-1', '--format=%P', 'fanout/run-1').split(' ')).toHaveLength(2);
    expect(repo.git('status', '--porcelain')).toBe('');
  });

  it('leaves a conflict reported with the reason when the resolver answer fails a check or the resolver fails', async () => {
    const repo = makeRepo({ 'config.json': '{"port": 80}\n', 'a.ts': 'export const a = 0;\n' });
    const workspace = await startRun(repo);
    const one = await workspace.createTask('one');
    const two = await workspace.createTask('two');
    repo.write({ 'config.json': '{"port": 8080}\n', 'a.ts': 'export const a = 1;\n' }, one.cwd);
    repo.write({ 'config.json': '{"port": 9090}\n', 'a.ts': 'export const a = 2;\n' }, two.cwd);
    await workspace.commitTask('one');
    await workspace.commitTask('two');
    const result = await workspace.merge({
      resolve: async ({ conflict }) => {
        if (conflict.file === 'a.ts') return 'export const a = 1;\n';
        return '{"port": 8080}\n{"port": 9090}\n';
      },
    });
    expect(result.merged).toEqual(['one']);
    expect(result.resolved).toBeUndefined();
    expect(result.conflicts.map((conflict) => [conflict.file, conflict.unresolved])).toEqual([
      ['a.ts', 'resolved, but not committed: config.json of the same task was not'],
      ['config.json', expect.stringMatching(/^the resolver's answer was not committed: it is not valid JSON \(/)],
    ]);
    expect(repo.git('show', 'fanout/run-1:config.json')).toBe('{"port": 8080}');
    expect(repo.git('show', 'fanout-tasks/run-1/two:config.json')).toBe('{"port": 9090}');

    const failing = await workspace.merge({ resolve: () => Promise.reject(new Error('model unreachable')) });
    expect(failing.conflicts.map((conflict) => conflict.unresolved)).toEqual(['the resolver failed: model unreachable', 'the resolver failed: model unreachable']);
  });

  it('builds a dependency chain on merged work', async () => {
    const repo = makeRepo();
    const workspace = await startRun(repo);
    const a = await workspace.createTask('a');
    const b = await workspace.createTask('b');
    repo.write({ 'lib/a.ts': 'export const a = 1;\n' }, a.cwd);
    repo.write({ 'lib/b.ts': 'export const b = 2;\n' }, b.cwd);
    await workspace.commitTask('a');
    await workspace.commitTask('b');
    const c = await workspace.createTask('c', { dependsOn: ['a', 'b'] });
    expect(readFileSync(path.join(c.cwd, 'lib/a.ts'), 'utf8')).toBe('export const a = 1;\n');
    expect(readFileSync(path.join(c.cwd, 'lib/b.ts'), 'utf8')).toBe('export const b = 2;\n');
    repo.write({ 'lib/a.ts': 'export const a = 10;\n', 'lib/c.ts': 'import { a } from "./a";\n' }, c.cwd);
    await workspace.commitTask('c');
    expect(await workspace.changes('c')).toEqual([
      { path: 'lib/a.ts', kind: 'changed', added: 1, removed: 1 },
      { path: 'lib/c.ts', kind: 'added', added: 1, removed: 0 },
    ]);
    const d = await workspace.createTask('d', { dependsOn: ['c'] });
    repo.write({ 'lib/d.ts': 'd\n' }, d.cwd);
    await workspace.commitTask('d');

    const result = await workspace.merge();
    expect(result.conflicts).toEqual([]);
    expect(result.merged).toEqual(['a', 'b', 'c', 'd']);
    expect(repo.git('show', 'fanout/run-1:lib/a.ts')).toBe('export const a = 10;');
    expect(repo.git('ls-tree', '-r', '--name-only', 'fanout/run-1', 'lib').split('\n')).toEqual(['lib/a.ts', 'lib/b.ts', 'lib/c.ts', 'lib/d.ts']);
  });

  it('runs tasks where the run started in a subdirectory', async () => {
    const repo = makeRepo({ 'pkg/index.ts': 'x\n' });
    const workspace = await createWorktreeManager({ home: repo.home }).startRun('run-1', path.join(repo.dir, 'pkg'));
    const task = await workspace.createTask('t');
    expect(readFileSync(path.join(task.cwd, 'index.ts'), 'utf8')).toBe('x\n');
  });
});

describe('worktree manager: lean worktrees', () => {
  it('checks out only the files of the globs given, and commits only what the task changed', async () => {
    const repo = makeRepo({ 'pkg/src/a.ts': 'a\n', 'pkg/src/b.ts': 'b\n', 'pkg/docs/x.md': 'x\n', 'other/y.ts': 'y\n', 'README.md': 'r\n' });
    const workspace = await createWorktreeManager({ home: repo.home }).startRun('run-1', path.join(repo.dir, 'pkg'));
    const task = await workspace.createTask('t', { only: ['src/a.ts', 'docs/**'] });
    const present = (file: string): boolean => existsSync(path.join(task.cwd, file));
    expect(['src/a.ts', 'docs/x.md'].map(present)).toEqual([true, true]);
    expect(['src/b.ts', '../other/y.ts', '../README.md'].map(present)).toEqual([false, false, false]);
    writeFileSync(path.join(task.cwd, 'docs/new.md'), 'new\n');
    writeFileSync(path.join(task.cwd, 'src/a.ts'), 'a2\n');
    const commit = await workspace.commitTask('t');
    // The files left out are not deletions: the branch still holds them.
    expect(commit.changes.map((change) => [change.path, change.kind])).toEqual([
      ['pkg/docs/new.md', 'added'],
      ['pkg/src/a.ts', 'changed'],
    ]);
    const merged = await workspace.merge();
    expect(repo.git('ls-tree', '-r', '--name-only', merged.branch).split('\n')).toEqual(['README.md', 'other/y.ts', 'pkg/docs/new.md', 'pkg/docs/x.md', 'pkg/src/a.ts', 'pkg/src/b.ts']);
    // Cleaning it commits nothing more (the files left out are not deletions) and leaves no worktree.
    const cleaned = await workspace.clean({ force: true });
    expect(cleaned.lost.map((branch) => branch.branch)).toEqual(['fanout/run-1']);
    expect(worktreeCount(repo)).toBe(1);
  });

  it('checks out everything for globs git cannot express', () => {
    expect(sparsePatterns(['src/{a,b}.ts'], '.')).toBeUndefined();
    expect(sparsePatterns([], '.')).toBeUndefined();
    expect(sparsePatterns(['src/**/*.ts', './README.md'], 'pkg')).toEqual(['/pkg/src/**/*.ts', '/pkg/README.md']);
  });
});

describe('worktree manager: apply', () => {
  it('refuses with uncommitted changes and changes nothing, then fast-forwards once they are committed', async () => {
    const { repo, workspace } = await mergedRun({ 'new.ts': 'n\n' });
    repo.write({ 'README.md': 'edited\n' });
    const head = repo.git('rev-parse', 'HEAD');
    await expectCode(workspace.apply(), 'WORKSPACE_INVALID', /has uncommitted changes \(README.md\); commit or stash them yourself/);
    expect(repo.git('rev-parse', 'HEAD')).toBe(head);
    expect(repo.git('stash', 'list')).toBe('');
    expect(readFileSync(path.join(repo.dir, 'README.md'), 'utf8')).toBe('edited\n');

    repo.git('checkout', '-q', 'README.md');
    const applied = await workspace.apply();
    expect(applied).toMatchObject({ branch: 'main', from: head, how: 'fast-forward' });
    expect(readFileSync(path.join(repo.dir, 'new.ts'), 'utf8')).toBe('n\n');
  });

  it('merges when the user branch moved since the run', async () => {
    const { repo, workspace } = await mergedRun({ 'new.ts': 'n\n' });
    repo.write({ 'mine.ts': 'm\n' });
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'mine');
    expect((await workspace.apply()).how).toBe('merge');
    expect(existsSync(path.join(repo.dir, 'new.ts'))).toBe(true);
    expect(existsSync(path.join(repo.dir, 'mine.ts'))).toBe(true);
  });
});

describe('worktree manager: cleanup', () => {
  it('leaves no worktree or branch after a successful, applied run', async () => {
    const { repo, workspace, task } = await mergedRun({ 'a.ts': 'a\n' });
    await workspace.apply();
    const cleaned = await workspace.clean();
    expect(cleaned.kept).toEqual([]);
    expect(cleaned.deletedBranches.sort()).toEqual(['fanout-tasks/run-1/t', 'fanout/run-1']);
    expect(worktreeCount(repo)).toBe(1);
    expect(fanoutBranches(repo)).toEqual([]);
    expect(existsSync(task.path)).toBe(false);
  });

  it('keeps the work of a failed or stopped task (committing what it left) until forced, saying what would be lost', async () => {
    const repo = makeRepo();
    const workspace = await startRun(repo);
    const task = await workspace.createTask('stopped');
    const idle = await workspace.createTask('idle');
    repo.write({ 'half.ts': 'one\ntwo\n' }, task.cwd);

    const preview = await workspace.clean({ dryRun: true });
    expect(preview.removedWorktrees.sort()).toEqual([idle.path, task.path].sort());
    expect(existsSync(task.path)).toBe(true);

    const kept = await workspace.clean();
    expect(kept.kept).toEqual([{ branch: 'fanout-tasks/run-1/stopped', task: 'stopped', changes: [{ path: 'half.ts', kind: 'added', added: 2, removed: 0 }] }]);
    expect(kept.deletedBranches).toEqual(['fanout-tasks/run-1/idle']);
    expect(worktreeCount(repo)).toBe(1);
    expect(repo.git('show', 'fanout-tasks/run-1/stopped:half.ts')).toBe('one\ntwo');

    const forced = await createWorktreeManager({ home: repo.home }).openRun('run-1').then((again) => again.clean({ force: true }));
    expect(forced.lost.map((branch) => branch.branch)).toEqual(['fanout-tasks/run-1/stopped']);
    expect(fanoutBranches(repo)).toEqual([]);
    expect(createWorktreeManager({ home: repo.home }).runs()).toEqual([]);
  });

  it('cleans after a crash from another process, even a worktree whose directory is gone', async () => {
    const repo = makeRepo();
    const first = await startRun(repo);
    const a = await first.createTask('a');
    await first.createTask('b');
    repo.write({ 'a.ts': 'a\n' }, a.cwd);
    await first.commitTask('a');
    // The crashed process never merged; a worktree directory was deleted by hand.
    rmSync(first.tasks()[1]?.path ?? '', { recursive: true, force: true });

    const manager = createWorktreeManager({ home: repo.home });
    expect(manager.runs()).toEqual(['run-1']);
    const again = await manager.openRun('run-1');
    expect((await again.createTask('a')).path).toBe(a.path);
    await again.merge();
    await again.apply();
    expect((await again.clean()).kept).toEqual([]);
    expect(worktreeCount(repo)).toBe(1);
    expect(fanoutBranches(repo)).toEqual([]);
  });

  it('leaves only the user worktree after 20 runs', { timeout: 300_000 }, async () => {
    const repo = makeRepo();
    const manager = createWorktreeManager({ home: repo.home });
    for (let run = 0; run < 20; run += 1) {
      const workspace = await manager.startRun(`run-${run}`, repo.dir);
      const task = await workspace.createTask('x');
      repo.write({ [`out/${run}.txt`]: `${run}\n` }, task.cwd);
      await workspace.commitTask('x');
      // Half the runs end merged, half with unmerged work that only --force removes.
      if (run % 2 === 0) await workspace.merge();
      await workspace.clean({ force: true });
    }
    expect(worktreeCount(repo)).toBe(1);
    expect(repo.git('worktree', 'list').split('\n')).toHaveLength(1);
  });
});

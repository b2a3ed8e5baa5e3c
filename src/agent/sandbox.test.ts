import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import { createSandbox, SandboxRoot } from './sandbox.js';
import { runTool, useTempDirs } from './test-support/temp-workspace.js';

const makeDir = useTempDirs();

function denial(resolve: () => unknown): string {
  let error: unknown;
  try {
    resolve();
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(FanoutError);
  expect((error as FanoutError).code).toBe('TOOL_DENIED');
  return (error as FanoutError).message;
}

describe('createSandbox', () => {
  it('resolves paths relative to cwd, normalizing them', async () => {
    const cwd = await makeDir({ 'src/a.ts': 'a' });
    const sandbox = createSandbox({ cwd, writes: [] });
    expect(sandbox.resolve('src/../src/./a.ts', 'read')).toEqual({
      absolute: path.join(cwd, 'src', 'a.ts'),
      relative: 'src/a.ts',
      realRelative: 'src/a.ts',
    });
    expect(sandbox.resolve('.', 'read')).toMatchObject({ absolute: cwd, relative: '.' });
    expect(sandbox.resolve('new/deep/file.txt', 'read')).toMatchObject({
      absolute: path.join(cwd, 'new', 'deep', 'file.txt'),
    });
  });

  it('names paths already in normal form as given and normalizes the others, refusing any that escape', async () => {
    const cwd = await makeDir();
    const sandbox = createSandbox({ cwd, writes: [] });
    const named = (requested: string): string => sandbox.named(requested);
    for (const plain of ['src/a.ts', 'a', '..hidden', 'a/..b', '...', '.git/config']) expect(named(plain)).toBe(plain);
    expect(['./a', 'a//b', 'a/', 'a/./b', 'a/b/../c', 'a/..', '.'].map(named)).toEqual(['a', 'a/b', 'a', 'a/b', 'a/c', '.', '.']);
    for (const escaping of ['..', '../a', 'a/../..', 'a/../../b', '/etc/passwd']) {
      expect(() => named(escaping)).toThrow(FanoutError);
    }
  });

  it('refuses absolute paths', async () => {
    const cwd = await makeDir({ 'a.txt': 'a' });
    const message = denial(() => createSandbox({ cwd, writes: ['**'] }).resolve(path.join(cwd, 'a.txt'), 'read'));
    expect(message).toContain('is absolute');
  });

  it('refuses paths that escape cwd through ..', async () => {
    const cwd = await makeDir();
    const sandbox = createSandbox({ cwd, writes: ['**'] });
    expect(denial(() => sandbox.resolve('../outside.txt', 'read'))).toContain('escapes the working directory');
    expect(denial(() => sandbox.resolve('a/../../outside.txt', 'write'))).toContain('"a/../../outside.txt"');
    expect(denial(() => sandbox.resolve('..', 'read'))).toContain('escapes');
    // A name that merely starts with dots stays inside.
    expect(sandbox.resolve('..hidden', 'read')).toMatchObject({ relative: '..hidden' });
  });

  it('refuses reads and writes through a symlink that leads outside cwd', async () => {
    const outside = await makeDir({ 'secret.txt': 'secret' });
    const cwd = await makeDir();
    await symlink(outside, path.join(cwd, 'out-dir'));
    await symlink(path.join(outside, 'secret.txt'), path.join(cwd, 'out-file'));
    const sandbox = createSandbox({ cwd, writes: ['**'] });
    expect(denial(() => sandbox.resolve('out-dir/secret.txt', 'read'))).toContain('through a symlink');
    expect(denial(() => sandbox.resolve('out-file', 'read'))).toContain('through a symlink');
    expect(denial(() => sandbox.resolve('out-file', 'write'))).toContain('through a symlink');
    // A file that does not exist yet is checked where it would be created.
    expect(denial(() => sandbox.resolve('out-dir/new/file.txt', 'write'))).toContain('through a symlink');
  });

  it('refuses a symlink whose target does not exist, since writing through it could create the target anywhere', async () => {
    const cwd = await makeDir();
    await symlink('/nonexistent-fanout-target/x', path.join(cwd, 'dangling'));
    const message = denial(() => createSandbox({ cwd, writes: ['**'] }).resolve('dangling', 'write'));
    expect(message).toContain('target does not exist');
  });

  it('follows symlinks that stay inside and checks the write scope where the file really is', async () => {
    const cwd = await makeDir({ 'src/a.ts': 'a' });
    await symlink(path.join(cwd, 'src'), path.join(cwd, 'alias'));
    expect(createSandbox({ cwd, writes: ['src/**'] }).resolve('alias/a.ts', 'write')).toEqual({
      absolute: path.join(cwd, 'src', 'a.ts'),
      relative: 'alias/a.ts',
      realRelative: 'src/a.ts',
    });
    const message = denial(() => createSandbox({ cwd, writes: ['alias/**'] }).resolve('alias/a.ts', 'write'));
    expect(message).toContain('"alias/a.ts" (resolves to "src/a.ts")');
  });

  it('allows writes inside the write scope and names path and globs when refusing one outside', async () => {
    const cwd = await makeDir();
    const sandbox = createSandbox({ cwd, writes: ['src/**', 'docs/*.md'] });
    expect(sandbox.resolve('src/deep/new.ts', 'write')).toMatchObject({ relative: 'src/deep/new.ts' });
    expect(sandbox.resolve('src/.hidden', 'write')).toMatchObject({ relative: 'src/.hidden' });
    expect(sandbox.resolve('docs/guide.md', 'write')).toMatchObject({ relative: 'docs/guide.md' });
    const message = denial(() => sandbox.resolve('lib/x.ts', 'write'));
    expect(message).toBe('write to "lib/x.ts" refused: outside this task\'s write scope (allowed: src/**, docs/*.md)');
    // Reads are not limited by the write scope.
    expect(sandbox.resolve('lib/x.ts', 'read')).toMatchObject({ relative: 'lib/x.ts' });
  });

  it('refuses every write of a read-only sandbox', async () => {
    const cwd = await makeDir({ 'a.txt': 'a' });
    const sandbox = createSandbox({ cwd, writes: [] });
    expect(sandbox.resolve('a.txt', 'read')).toMatchObject({ relative: 'a.txt' });
    expect(denial(() => sandbox.resolve('a.txt', 'write'))).toContain('read-only');
  });

  it('works when cwd itself is reached through a symlink', async () => {
    const real = await makeDir({ 'src/a.ts': 'a' });
    const holder = await makeDir();
    await symlink(real, path.join(holder, 'link'));
    const sandbox = createSandbox({ cwd: path.join(holder, 'link'), writes: ['src/**'] });
    expect(sandbox.resolve('src/a.ts', 'write')).toMatchObject({
      absolute: path.join(real, 'src', 'a.ts'),
      realRelative: 'src/a.ts',
    });
  });

  it('resolves a shared root once: its sandboxes keep the boundary it had, a new root sees where the directory is now', async () => {
    const first = await makeDir({ 'a.txt': 'first' });
    const second = await makeDir({ 'a.txt': 'second' });
    const holder = await makeDir();
    const link = path.join(holder, 'link');
    await symlink(first, link);
    const root = new SandboxRoot(link);
    expect(createSandbox({ cwd: root, writes: [] }).resolve('a.txt', 'read')).toMatchObject({
      absolute: path.join(first, 'a.txt'),
    });

    await rm(link);
    await symlink(second, link);
    // The run's later tasks share its root: they are confined to where the directory was.
    const later = createSandbox({ cwd: root, writes: [] });
    expect(root.real()).toBe(first);
    expect(denial(() => later.resolve('a.txt', 'read'))).toContain('leads outside the working directory');
    // Another run (a new root), even in the same millisecond, resolves the directory again.
    expect(createSandbox({ cwd: new SandboxRoot(link), writes: [] }).resolve('a.txt', 'read')).toMatchObject({
      absolute: path.join(second, 'a.txt'),
    });
  });

  it('reports a missing working directory as the path check failing, and resolves it once it exists', async () => {
    const holder = await makeDir();
    const root = new SandboxRoot(path.join(holder, 'later'));
    const sandbox = createSandbox({ cwd: root, writes: [] });
    expect(() => sandbox.resolve('a.txt', 'read')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    await mkdir(path.join(holder, 'later'));
    expect(sandbox.resolve('a.txt', 'read')).toMatchObject({ realRelative: 'a.txt' });
  });

  it('refuses a symlink loop', async () => {
    const cwd = await makeDir();
    await mkdir(path.join(cwd, 'd'));
    await symlink(path.join(cwd, 'd', 'loop'), path.join(cwd, 'd', 'loop'));
    expect(denial(() => createSandbox({ cwd, writes: [] }).resolve('d/loop', 'read'))).toContain('symlink loop');
  });

  it('never lets a write into .git through, whatever the write scope says', async () => {
    const cwd = await makeDir({ '.git/config': '[core]', 'sub/.git/HEAD': 'ref', '.gitignore': 'x' });
    const sandbox = createSandbox({ cwd, writes: ['**'] });
    expect(denial(() => sandbox.resolve('.git/config', 'write'))).toBe(
      'write to ".git/config" refused: .git is never writable by subagents',
    );
    expect(denial(() => sandbox.resolve('sub/.git/HEAD', 'write'))).toContain('.git is never writable');
    expect(denial(() => sandbox.resolve('.GIT/new', 'write'))).toContain('.git is never writable');
    expect(denial(() => sandbox.resolve('.git', 'write'))).toContain('.git is never writable');
    // Reads are fine, and so are names that merely start with .git.
    expect(sandbox.resolve('.git/config', 'read')).toMatchObject({ relative: '.git/config' });
    expect(sandbox.resolve('.gitignore', 'write')).toMatchObject({ relative: '.gitignore' });
    expect(sandbox.resolve('.github/ci.yml', 'write')).toMatchObject({ relative: '.github/ci.yml' });
  });

  it('refuses a write that reaches .git through a symlink', async () => {
    const cwd = await makeDir({ '.git/hooks/pre-commit': '#!/bin/sh' });
    await symlink(path.join(cwd, '.git', 'hooks'), path.join(cwd, 'hooks'));
    const message = denial(() => createSandbox({ cwd, writes: ['**'] }).resolve('hooks/pre-commit', 'write'));
    expect(message).toBe(
      'write to "hooks/pre-commit" (resolves to ".git/hooks/pre-commit") refused: .git is never writable by subagents',
    );
  });

  it('refuses writes into a protected directory, named or reached through a symlink', async () => {
    const cwd = await makeDir({ '.fanout/runs.db': 'db', 'src/a.ts': 'a' });
    await symlink(path.join(cwd, '.fanout'), path.join(cwd, 'store'));
    const sandbox = createSandbox({ cwd, writes: ['**'], protectedPaths: [path.join(cwd, '.fanout')] });
    expect(denial(() => sandbox.resolve('.fanout/runs.db', 'write'))).toBe(
      'write to ".fanout/runs.db" refused: .fanout is a protected directory, never writable by subagents',
    );
    expect(denial(() => sandbox.resolve('.fanout/new/file', 'write'))).toContain('.fanout is a protected directory');
    expect(denial(() => sandbox.resolve('store/runs.db', 'write'))).toContain('.fanout is a protected directory');
    expect(sandbox.resolve('src/a.ts', 'write')).toMatchObject({ relative: 'src/a.ts' });
    expect(sandbox.resolve('.fanout/runs.db', 'read')).toMatchObject({ relative: '.fanout/runs.db' });
  });

  it('compares a protected directory where it really is', async () => {
    const cwd = await makeDir({ 'data/store/x': 'x' });
    const holder = await makeDir();
    await symlink(path.join(cwd, 'data'), path.join(holder, 'alias'));
    const sandbox = createSandbox({ cwd, writes: ['**'], protectedPaths: [path.join(holder, 'alias', 'store')] });
    expect(denial(() => sandbox.resolve('data/store/x', 'write'))).toContain('is a protected directory');
    expect(sandbox.resolve('data/other', 'write')).toMatchObject({ relative: 'data/other' });
  });

  it('turns a refused write_file or edit_file into a tool error and leaves the file alone', async () => {
    const cwd = await makeDir({ '.git/config': '[core]' });
    const write = await runTool('write_file', { path: '.git/config', content: 'evil' }, { cwd, writes: ['**'] });
    expect(write).toMatchObject({ isError: true, content: 'write to ".git/config" refused: .git is never writable by subagents' });
    const edit = await runTool('edit_file', { path: '.git/config', old_string: '[core]', new_string: 'x' }, { cwd, writes: ['**'] });
    expect(edit).toMatchObject({ isError: true, content: expect.stringContaining('.git is never writable') });
    expect(await readFile(path.join(cwd, '.git', 'config'), 'utf8')).toBe('[core]');
  });
});

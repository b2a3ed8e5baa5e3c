import { readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool, useTempDirs } from '../test-support/temp-workspace.js';

const makeDir = useTempDirs();

describe('write_file', () => {
  it('creates the file and its parent directories', async () => {
    const cwd = await makeDir();
    const result = await runTool('write_file', { path: 'src/deep/new.ts', content: 'héllo' }, { cwd, writes: ['src/**'] });
    expect(result).toMatchObject({ isError: false, content: 'Wrote 6 bytes to src/deep/new.ts' });
    expect(await readFile(path.join(cwd, 'src/deep/new.ts'), 'utf8')).toBe('héllo');
  });

  it('overwrites an existing file', async () => {
    const cwd = await makeDir({ 'a.txt': 'old' });
    await runTool('write_file', { path: 'a.txt', content: 'new' }, { cwd, writes: ['*.txt'] });
    expect(await readFile(path.join(cwd, 'a.txt'), 'utf8')).toBe('new');
  });

  it('refuses writes outside the write scope, and every write of a read-only task', async () => {
    const cwd = await makeDir({ 'a.txt': 'old' });
    const outside = await runTool('write_file', { path: 'lib/x.ts', content: 'x' }, { cwd, writes: ['src/**'] });
    expect(outside).toMatchObject({
      isError: true,
      content: 'write to "lib/x.ts" refused: outside this task\'s write scope (allowed: src/**)',
    });
    const readOnly = await runTool('write_file', { path: 'a.txt', content: 'x' }, { cwd, writes: [] });
    expect(readOnly.isError).toBe(true);
    expect(readOnly.content).toContain('read-only');
    expect(await readFile(path.join(cwd, 'a.txt'), 'utf8')).toBe('old');
  });

  it('refuses to write through a symlink that leads outside cwd', async () => {
    const outside = await makeDir({ 'target.txt': 'untouched' });
    const cwd = await makeDir();
    await symlink(outside, path.join(cwd, 'out'));
    const result = await runTool('write_file', { path: 'out/target.txt', content: 'pwned' }, { cwd, writes: ['**'] });
    expect(result.isError).toBe(true);
    expect(result.content).toContain('through a symlink');
    expect(await readFile(path.join(outside, 'target.txt'), 'utf8')).toBe('untouched');
  });

  it('requires string inputs', async () => {
    const cwd = await makeDir();
    const result = await runTool('write_file', { path: 'a.txt', content: 42 }, { cwd, writes: ['**'] });
    expect(result).toMatchObject({ isError: true, content: 'invalid input for write_file: /content must be string' });
  });
});

import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool, useTempDirs } from '../test-support/temp-workspace.js';
import { LIST_FILES_CAP } from './list-files.js';

const makeDir = useTempDirs();

describe('list_files', () => {
  it('lists files recursively and sorted, skipping .git and node_modules', async () => {
    const cwd = await makeDir({
      'b.txt': '',
      'a/z.ts': '',
      'a/b/c.ts': '',
      '.env': '',
      '.git/config': '',
      'node_modules/x/index.js': '',
      'a/node_modules/y.js': '',
    });
    expect((await runTool('list_files', {}, { cwd })).content).toBe(['.env', 'a/b/c.ts', 'a/z.ts', 'b.txt'].join('\n'));
    expect((await runTool('list_files', { path: 'a' }, { cwd })).content).toBe('a/b/c.ts\na/z.ts');
  });

  it('filters by a glob over cwd-relative paths, or over file names when it has no slash', async () => {
    const cwd = await makeDir({ 'src/a.ts': '', 'src/b.md': '', 'docs/c.md': '' });
    expect((await runTool('list_files', { pattern: '*.md' }, { cwd })).content).toBe('docs/c.md\nsrc/b.md');
    expect((await runTool('list_files', { pattern: 'src/**' }, { cwd })).content).toBe('src/a.ts\nsrc/b.md');
    expect((await runTool('list_files', { path: 'src', pattern: '*.py' }, { cwd })).content).toBe(
      'No files in "src" matching "*.py"',
    );
  });

  it('lists symlinks without following them out of cwd', async () => {
    const outside = await makeDir({ 'secret/inner.txt': '' });
    const cwd = await makeDir({ 'a.txt': '' });
    await symlink(path.join(outside, 'secret'), path.join(cwd, 'link'));
    expect((await runTool('list_files', {}, { cwd })).content).toBe('a.txt\nlink');
    expect((await runTool('list_files', { path: 'link' }, { cwd })).isError).toBe(true);
  });

  it('says when the list is capped', async () => {
    const cwd = await makeDir();
    await Promise.all(
      Array.from({ length: LIST_FILES_CAP + 5 }, (_, index) =>
        writeFile(path.join(cwd, `f${String(index).padStart(4, '0')}.txt`), ''),
      ),
    );
    const lines = (await runTool('list_files', {}, { cwd })).content.split('\n');
    expect(lines).toHaveLength(LIST_FILES_CAP + 1);
    expect(lines.at(-1)).toBe(`[capped: showing ${LIST_FILES_CAP} of ${LIST_FILES_CAP + 5} files in "."; narrow path or pattern]`);
  });

  it('refuses a directory outside cwd and reports a missing one', async () => {
    const cwd = await makeDir();
    expect((await runTool('list_files', { path: '..' }, { cwd })).isError).toBe(true);
    expect(await runTool('list_files', { path: 'none' }, { cwd })).toMatchObject({
      isError: true,
      content: '"none" does not exist',
    });
  });
});

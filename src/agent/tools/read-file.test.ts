import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool, useTempDirs } from '../test-support/temp-workspace.js';
import { READ_FILE_CAP_BYTES } from './read-file.js';

const makeDir = useTempDirs();

describe('read_file', () => {
  it('returns the text of a file', async () => {
    const cwd = await makeDir({ 'src/a.ts': 'export const a = 1;\n' });
    expect(await runTool('read_file', { path: 'src/a.ts' }, { cwd })).toMatchObject({
      toolUseId: 'call_1',
      content: 'export const a = 1;\n',
      isError: false,
    });
  });

  it('cuts large files and says so', async () => {
    const cwd = await makeDir();
    await writeFile(path.join(cwd, 'big.txt'), 'x'.repeat(READ_FILE_CAP_BYTES + 10));
    const result = await runTool('read_file', { path: 'big.txt' }, { cwd });
    expect(result.isError).toBe(false);
    expect(result.content.startsWith('x'.repeat(READ_FILE_CAP_BYTES))).toBe(true);
    expect(result.content).toContain(`[truncated: showing the first ${READ_FILE_CAP_BYTES} of ${READ_FILE_CAP_BYTES + 10} bytes of "big.txt"]`);
  });

  it('describes empty and binary files instead of returning their bytes', async () => {
    const cwd = await makeDir({ 'empty.txt': '' });
    await writeFile(path.join(cwd, 'image.bin'), Buffer.from([0x89, 0x50, 0x00, 0x01]));
    expect((await runTool('read_file', { path: 'empty.txt' }, { cwd })).content).toBe('"empty.txt" is empty');
    expect((await runTool('read_file', { path: 'image.bin' }, { cwd })).content).toContain('binary file (4 bytes)');
  });

  it('reports a missing file and a directory as tool errors', async () => {
    const cwd = await makeDir();
    await mkdir(path.join(cwd, 'src'));
    expect(await runTool('read_file', { path: 'nope.txt' }, { cwd })).toMatchObject({
      isError: true,
      content: '"nope.txt" does not exist',
    });
    expect(await runTool('read_file', { path: 'src' }, { cwd })).toMatchObject({
      isError: true,
      content: '"src" is a directory; use list_files to see its files',
    });
  });

  // The read is synchronous: opening a FIFO without a writer must not stall the process.
  it.skipIf(process.platform === 'win32')('refuses a FIFO at once instead of waiting for a writer', async () => {
    const cwd = await makeDir();
    execFileSync('mkfifo', [path.join(cwd, 'pipe')]);
    expect(await runTool('read_file', { path: 'pipe' }, { cwd })).toMatchObject({
      isError: true,
      content: '"pipe" is a FIFO, not a regular file; file tools open regular files only',
    });
  });

  it('refuses to read outside cwd, directly or through a symlink', async () => {
    const outside = await makeDir({ 'secret.txt': 'secret' });
    const cwd = await makeDir();
    await symlink(path.join(outside, 'secret.txt'), path.join(cwd, 'link.txt'));
    for (const target of ['../secret.txt', path.join(outside, 'secret.txt'), 'link.txt']) {
      const result = await runTool('read_file', { path: target }, { cwd });
      expect(result.isError).toBe(true);
      expect(result.content).not.toContain('secret\n');
      expect(result.content).not.toBe('secret');
    }
  });
});

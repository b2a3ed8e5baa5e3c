import { execFileSync, spawn } from 'node:child_process';
import { closeSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool, useTempDirs } from '../test-support/temp-workspace.js';
import { EDIT_FILE_CAP_BYTES, FD_DIRECTORY, openConfined, openInside, readDirectoryInside, readHead, type ConfinedFile } from './confined-file.js';

const makeDir = useTempDirs();

describe('file tools against hostile files', () => {
  it('refuses FIFOs for read, write, edit and grep without blocking', async () => {
    const cwd = await makeDir({ 'a.txt': 'fifo here' });
    execFileSync('mkfifo', [path.join(cwd, 'pipe')]);
    for (const [tool, input] of [
      ['read_file', { path: 'pipe' }],
      ['write_file', { path: 'pipe', content: 'x' }],
      ['edit_file', { path: 'pipe', old_string: 'a', new_string: 'b' }],
    ] as const) {
      expect(await runTool(tool, input, { cwd, writes: ['**'] })).toMatchObject({
        isError: true,
        content: '"pipe" is a FIFO, not a regular file; file tools open regular files only',
      });
    }
    expect((await runTool('grep', { pattern: 'fifo' }, { cwd })).content).toBe('a.txt:1: fifo here');
    expect((await runTool('grep', { pattern: 'x', path: 'pipe' }, { cwd })).content).toBe('No matches for /x/ in "pipe"');
  });

  it('refuses a device node', async () => {
    const cwd = await makeDir();
    try {
      execFileSync('mknod', [path.join(cwd, 'zero'), 'c', '1', '5'], { stdio: 'ignore' });
    } catch {
      return; // mknod needs privileges this machine may not give; the FIFO case covers the path.
    }
    expect(await runTool('read_file', { path: 'zero' }, { cwd })).toMatchObject({
      isError: true,
      content: '"zero" is a device, not a regular file; file tools open regular files only',
    });
  });

  it('refuses to write through a hard link, and leaves the other name alone', async () => {
    const outside = await makeDir({ 'secret.txt': 'original' });
    const cwd = await makeDir();
    linkSync(path.join(outside, 'secret.txt'), path.join(cwd, 'linked.txt'));
    for (const input of [
      { path: 'linked.txt', content: 'clobbered' },
    ]) {
      expect(await runTool('write_file', input, { cwd, writes: ['**'] })).toMatchObject({
        isError: true,
        content: 'write to "linked.txt" refused: the file has 2 hard links, so writing would change it under its other names too',
      });
    }
    expect((await runTool('edit_file', { path: 'linked.txt', old_string: 'original', new_string: 'x' }, { cwd, writes: ['**'] })).isError).toBe(true);
    expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('original');
    // Reading a hard-linked file is allowed: package managers link files into node_modules.
    expect((await runTool('read_file', { path: 'linked.txt' }, { cwd })).content).toBe('original');
  });

  it('caps the size of files write_file and edit_file handle', async () => {
    const cwd = await makeDir();
    writeFileSync(path.join(cwd, 'big.txt'), '');
    truncateSync(path.join(cwd, 'big.txt'), EDIT_FILE_CAP_BYTES + 1);
    const edit = await runTool('edit_file', { path: 'big.txt', old_string: 'a', new_string: 'b' }, { cwd, writes: ['**'] });
    expect(edit).toMatchObject({
      isError: true,
      content: `"big.txt" is too large (${EDIT_FILE_CAP_BYTES + 1} bytes); write_file and edit_file handle files up to ${EDIT_FILE_CAP_BYTES} bytes`,
    });
    const write = await runTool('write_file', { path: 'new.txt', content: 'x'.repeat(EDIT_FILE_CAP_BYTES + 1) }, { cwd, writes: ['**'] });
    expect(write.isError).toBe(true);
    // A huge file is read in part, never whole.
    expect((await runTool('read_file', { path: 'big.txt' }, { cwd })).content).toMatch(/binary file/);
  });

  it('never writes .claude, whatever the write scope says', async () => {
    const cwd = await makeDir({ '.claude/agents/helper.md': 'trusted' });
    for (const target of ['.claude/agents/helper.md', '.claude/agents/new.md', 'sub/.Claude/settings.json']) {
      const result = await runTool('write_file', { path: target, content: 'evil' }, { cwd, writes: ['**'] });
      expect(result.isError).toBe(true);
      expect(result.content).toContain('.claude is never writable by subagents');
    }
    expect(readFileSync(path.join(cwd, '.claude/agents/helper.md'), 'utf8')).toBe('trusted');
  });
});

describe('openConfined', () => {
  it('refuses a directory swapped for a symlink after the sandbox checked the path', async () => {
    const outside = await makeDir();
    const cwd = await makeDir({ 'src/a.txt': 'inside' });
    // What a racing process does between the sandbox's check and the open.
    renameSync(path.join(cwd, 'src'), path.join(cwd, 'src-old'));
    symlinkSync(outside, path.join(cwd, 'src'));
    expect(() => openConfined(cwd, 'src/a.txt', 'write')).toThrowError(
      expect.objectContaining({ code: 'TOOL_DENIED', message: 'path "src/a.txt" changed into a symlink while it was opened; refused' }),
    );
    expect(() => openConfined(cwd, 'src/a.txt', 'read')).toThrowError(expect.objectContaining({ code: 'TOOL_DENIED' }));
    // A file swapped for a symlink is refused too.
    rmSync(path.join(cwd, 'src'));
    mkdirSync(path.join(cwd, 'src'));
    symlinkSync(path.join(outside, 'x.txt'), path.join(cwd, 'src/a.txt'));
    expect(() => openConfined(cwd, 'src/a.txt', 'write')).toThrowError(expect.objectContaining({ code: 'TOOL_DENIED' }));
    expect(() => readFileSync(path.join(outside, 'x.txt'))).toThrow();
  });
});

describe.skipIf(FD_DIRECTORY === undefined)('openInside (the quick read path)', () => {
  it('opens regular files that really lie inside, through symlinks that stay inside', async () => {
    const cwd = await makeDir({ 'src/a.txt': 'inside' });
    symlinkSync(path.join(cwd, 'src'), path.join(cwd, 'alias'));
    symlinkSync(path.join(cwd, 'src/a.txt'), path.join(cwd, 'link.txt'));
    for (const relative of ['src/a.txt', 'alias/a.txt', 'link.txt']) expect(readAll(openInside(cwd, relative, FD_DIRECTORY))).toBe('inside');
  });

  it('declines what it cannot open inside, leaving it to the sandbox and openConfined', async () => {
    const outside = await makeDir({ 'secret.txt': 'secret', 'dir/secret.txt': 'secret' });
    const cwd = await makeDir({ 'src/a.txt': 'inside' });
    symlinkSync(path.join(outside, 'dir'), path.join(cwd, 'out'));
    symlinkSync(path.join(outside, 'secret.txt'), path.join(cwd, 'secret-link.txt'));
    execFileSync('mkfifo', [path.join(cwd, 'pipe')]);
    // A symlinked directory in the middle leading out, a final symlink out, a directory, a FIFO (without blocking), nothing.
    for (const relative of ['out/secret.txt', 'secret-link.txt', 'src', 'pipe', 'missing.txt']) {
      expect(openInside(cwd, relative, FD_DIRECTORY)).toBeUndefined();
    }
  });

  it('declines a file in a sibling directory whose name starts with the name of cwd', async () => {
    const cwd = await makeDir({ 'src/a.txt': 'inside' });
    const sibling = `${cwd}-sibling`;
    mkdirSync(sibling);
    try {
      writeFileSync(path.join(sibling, 'secret.txt'), 'secret');
      symlinkSync(path.join(sibling, 'secret.txt'), path.join(cwd, 'near.txt'));
      expect(openInside(cwd, 'near.txt', FD_DIRECTORY)).toBeUndefined();
    } finally {
      rmSync(sibling, { recursive: true, force: true });
    }
  });

  it('declines everything where descriptors have no paths; openConfined then reads', async () => {
    const cwd = await makeDir({ 'src/a.txt': 'inside' });
    expect(openInside(cwd, 'src/a.txt', undefined)).toBeUndefined();
    expect(readAll(openConfined(cwd, 'src/a.txt', 'read'))).toBe('inside');
  });

  it('keeps reading the file it checked when its directory is swapped for a symlink after the open', async () => {
    const outside = await makeDir({ 'a.txt': 'secret' });
    const cwd = await makeDir({ 'src/a.txt': 'inside' });
    const file = openInside(cwd, 'src/a.txt', FD_DIRECTORY);
    renameSync(path.join(cwd, 'src'), path.join(cwd, 'src-old'));
    symlinkSync(outside, path.join(cwd, 'src'));
    expect(readAll(file)).toBe('inside');
    expect(openInside(cwd, 'src/a.txt', FD_DIRECTORY)).toBeUndefined();
  });
});

describe.skipIf(FD_DIRECTORY === undefined)('readDirectoryInside', () => {
  const names = async (realCwd: string, relative: string, fdDirectory = FD_DIRECTORY) =>
    (await readDirectoryInside(realCwd, relative, fdDirectory)).map((entry) => entry.name).sort();

  it('lists a directory only where it really is', async () => {
    const outside = await makeDir({ 'secret.txt': 'secret' });
    const cwd = await makeDir({ 'src/a.txt': 'inside', 'b.txt': 'b' });
    expect(await names(cwd, '.')).toEqual(['b.txt', 'src']);
    expect(await names(cwd, 'src')).toEqual(['a.txt']);
    symlinkSync(outside, path.join(cwd, 'out'));
    symlinkSync(path.join(cwd, 'src'), path.join(cwd, 'alias'));
    // A symlink leading out, one staying inside (listed under its real name only), a file, nothing.
    for (const relative of ['out', 'alias', 'b.txt', 'missing']) expect(await names(cwd, relative)).toEqual([]);
    // Swapped for a symlink after the walk saw a directory.
    renameSync(path.join(cwd, 'src'), path.join(cwd, 'src-old'));
    symlinkSync(outside, path.join(cwd, 'src'));
    expect(await names(cwd, 'src')).toEqual([]);
    // Where descriptors have no paths it lists by name (the documented gap).
    expect(await names(cwd, 'src-old', undefined)).toEqual(['a.txt']);
  });
});

function readAll(file: ConfinedFile | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readHead(file, 1024).toString('utf8');
  } finally {
    closeSync(file.fd);
  }
}

describe('read_file under a symlink-swap race', () => {
  it('reads nothing outside while another process keeps exchanging a directory and a symlink', { timeout: 60_000 }, async () => {
    const outside = await makeDir({ 'keep.txt': 'secret' });
    const cwd = await makeDir({ 'src/keep.txt': 'inside' });
    symlinkSync(outside, path.join(cwd, 'swap'));
    const swapper = await startSwapper(path.join(cwd, 'src'), path.join(cwd, 'swap'));
    if (swapper === undefined) return; // no python3 with renameat2 here
    const contents = new Map<string, number>();
    // At least 400 reads, and on until both outcomes were seen: on a loaded machine the swapper can win 400 in a row.
    const sawBoth = (): boolean => contents.has('inside') && contents.has('refused');
    try {
      for (let index = 0; index < 4000 && (index < 400 || !sawBoth()); index += 1) {
        const result = await runTool('read_file', { path: 'src/keep.txt' }, { cwd });
        const seen = result.isError ? 'refused' : result.content;
        contents.set(seen, (contents.get(seen) ?? 0) + 1);
      }
    } finally {
      swapper.kill('SIGKILL');
    }
    expect(contents.get('refused')).toBeGreaterThan(0); // the race really happened
    expect([...contents.keys()].sort()).toEqual(['inside', 'refused']);
  });
});

describe('write_file under a symlink-swap race', () => {
  it('lands no write outside while another process keeps exchanging a directory and a symlink', { timeout: 60_000 }, async () => {
    const outside = await makeDir();
    const cwd = await makeDir({ 'src/keep.txt': 'x' });
    symlinkSync(outside, path.join(cwd, 'swap'));
    const swapper = await startSwapper(path.join(cwd, 'src'), path.join(cwd, 'swap'));
    if (swapper === undefined) return; // no python3 with renameat2 here
    let refused = 0;
    try {
      for (let index = 0; index < 400; index += 1) {
        const result = await runTool('write_file', { path: `src/f${index}.txt`, content: 'payload' }, { cwd, writes: ['src/**'] });
        if (result.isError) refused += 1;
      }
    } finally {
      swapper.kill('SIGKILL');
    }
    expect(refused).toBeGreaterThan(0); // the race really happened
    expect(execFileSync('find', [outside, '-type', 'f'], { encoding: 'utf8' })).toBe('');
  });
});

describe('list_files and grep under a symlink-swap race', () => {
  it('list and read nothing outside while another process keeps exchanging a directory and a symlink', { timeout: 60_000 }, async () => {
    const outside = await makeDir({ 'secret.txt': 'secret outside' });
    const cwd = await makeDir({ 'src/keep.txt': 'inside', 'src/deep/more.txt': 'inside too' });
    symlinkSync(outside, path.join(cwd, 'swap'));
    const swapper = await startSwapper(path.join(cwd, 'src'), path.join(cwd, 'swap'));
    if (swapper === undefined) return; // no python3 with renameat2 here
    const seen = new Set<string>();
    try {
      for (let index = 0; index < 200; index += 1) {
        for (const line of (await runTool('list_files', {}, { cwd })).content.split('\n')) seen.add(line);
        for (const line of (await runTool('grep', { pattern: 'inside|outside' }, { cwd })).content.split('\n')) seen.add(line);
      }
    } finally {
      swapper.kill('SIGKILL');
    }
    expect(seen.has('swap/keep.txt')).toBe(true); // the race really happened: the directory was seen under both names
    expect([...seen].filter((line) => line.includes('secret'))).toEqual([]);
  });
});

/** A process exchanging two paths with renameat2(RENAME_EXCHANGE) in a tight loop, or undefined when it cannot. */
async function startSwapper(first: string, second: string): Promise<ReturnType<typeof spawn> | undefined> {
  const script = [
    'import ctypes, sys',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'a, b = sys.argv[1].encode(), sys.argv[2].encode()',
    'if libc.renameat2(-100, a, -100, b, 2) != 0: sys.exit(3)',
    'print("ready", flush=True)',
    'while True: libc.renameat2(-100, a, -100, b, 2)',
  ].join('\n');
  try {
    execFileSync('python3', ['-c', 'import ctypes; ctypes.CDLL(None).renameat2'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const swapper = spawn('python3', ['-c', script, first, second], { stdio: ['ignore', 'pipe', 'ignore'] });
  // Python starts slowly on a loaded machine: the writes begin once it is exchanging.
  await new Promise<void>((resolve, reject) => {
    swapper.stdout?.once('data', () => resolve());
    swapper.once('exit', (code) => reject(new Error(`swapper exited with ${String(code)}`)));
  });
  return swapper;
}

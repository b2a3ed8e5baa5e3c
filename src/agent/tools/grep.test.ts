import { renameSync, symlinkSync } from 'node:fs';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTool, useTempDirs } from '../test-support/temp-workspace.js';
import { compileLinearRegex } from '../../plan/linear-regex.js';
import { GREP_MATCH_CAP, GREP_PATTERN_CAP, GREP_SEARCHED_LINE_CAP, GREP_YIELD_CHARS, searchFiles } from './grep.js';

const makeDir = useTempDirs();

describe('grep', () => {
  it('prints file:line: text for matching lines, in path order', async () => {
    const cwd = await makeDir({
      'src/b.ts': 'const x = 1;\nfunction beta() {}\n',
      'src/a.ts': 'function alpha() {}\r\nconst y = 2;\n',
      'node_modules/m.js': 'function hidden() {}',
      'README.md': 'no code here',
    });
    const result = await runTool('grep', { pattern: 'function \\w+\\(' }, { cwd });
    expect(result).toMatchObject({ isError: false, content: 'src/a.ts:1: function alpha() {}\nsrc/b.ts:2: function beta() {}' });
    expect((await runTool('grep', { pattern: 'const', path: 'src/b.ts' }, { cwd })).content).toBe('src/b.ts:1: const x = 1;');
  });

  it('says when nothing matches, and rejects an invalid regex', async () => {
    const cwd = await makeDir({ 'a.txt': 'hello' });
    expect((await runTool('grep', { pattern: 'bye' }, { cwd })).content).toBe('No matches for /bye/ in "."');
    const invalid = await runTool('grep', { pattern: 'a(' }, { cwd });
    expect(invalid.isError).toBe(true);
    expect(invalid.content).toMatch(/^invalid regular expression \/a\(\/: /);
  });

  it('skips binary files and symlinks leading outside cwd', async () => {
    const outside = await makeDir({ 'secret.txt': 'needle outside' });
    const cwd = await makeDir({ 'a.txt': 'needle inside' });
    await writeFile(path.join(cwd, 'b.bin'), Buffer.from('needle\0binary'));
    await symlink(path.join(outside, 'secret.txt'), path.join(cwd, 'link.txt'));
    expect((await runTool('grep', { pattern: 'needle' }, { cwd })).content).toBe('a.txt:1: needle inside');
  });

  it('caps the matches and says so', async () => {
    const cwd = await makeDir({ 'many.txt': 'hit\n'.repeat(GREP_MATCH_CAP + 3) });
    const lines = (await runTool('grep', { pattern: 'hit' }, { cwd })).content.split('\n');
    expect(lines).toHaveLength(GREP_MATCH_CAP + 1);
    expect(lines[GREP_MATCH_CAP - 1]).toBe(`many.txt:${GREP_MATCH_CAP}: hit`);
    expect(lines.at(-1)).toBe(`[capped at ${GREP_MATCH_CAP} matches; narrow the pattern or path]`);
  });

  it('requires a pattern and refuses a path outside cwd', async () => {
    const cwd = await makeDir();
    expect(await runTool('grep', {}, { cwd })).toMatchObject({
      isError: true,
      content: "invalid input for grep: (root) must have required property 'pattern'",
    });
    expect((await runTool('grep', { pattern: 'x', path: '../' }, { cwd })).content).toContain('escapes');
  });

  it('refuses a pattern over the length cap', async () => {
    const cwd = await makeDir({ 'a.txt': 'a' });
    const long = await runTool('grep', { pattern: 'a'.repeat(GREP_PATTERN_CAP + 1) }, { cwd });
    expect(long).toMatchObject({
      isError: true,
      content: `pattern is ${GREP_PATTERN_CAP + 1} characters long; the limit is ${GREP_PATTERN_CAP}: use a shorter one`,
    });
    expect((await runTool('grep', { pattern: 'a'.repeat(GREP_PATTERN_CAP) }, { cwd })).isError).toBe(false);
  });

  it('searches only the first characters of a very long line, and shows the match cut', async () => {
    const early = `needle${'x'.repeat(GREP_SEARCHED_LINE_CAP)}`;
    const late = `${'x'.repeat(GREP_SEARCHED_LINE_CAP)}needle`;
    const cwd = await makeDir({ 'long.txt': `${early}\n${late}\n` });
    const lines = (await runTool('grep', { pattern: 'needle' }, { cwd })).content.split('\n');
    expect(lines).toEqual([`long.txt:1: needle${'x'.repeat(294)}…`]);
  });
});

describe('searchFiles', () => {
  /** A needle, then lines of filler: one and a half yields' worth of characters. */
  const bigFile = `needle first\n${'filler\n'.repeat(GREP_YIELD_CHARS / 4)}`;
  const needle = compileLinearRegex('needle');

  it('gives the event loop a turn as it searches, and stops there once its signal fired', async () => {
    const cwd = await makeDir({ 'a.txt': bigFile, 'b.txt': 'needle in b' });
    const task = new AbortController();
    // Runs at the first turn the search gives back: a time limit or an abort firing mid-search.
    setImmediate(() => task.abort());
    expect((await searchFiles(cwd, ['a.txt', 'b.txt'], needle, task.signal)).lines).toEqual(['a.txt:1: needle first']);
    expect((await searchFiles(cwd, ['a.txt', 'b.txt'], needle, new AbortController().signal)).lines).toEqual(['a.txt:1: needle first', 'b.txt:1: needle in b']);
  });

  it('reads nothing outside when a directory and a file become symlinks leading out in the middle of a grep', async () => {
    const outside = await makeDir({ 'b.txt': 'needle outside', 'secret.txt': 'needle secret' });
    const files = ['a.txt', 'sub/b.txt', 'z.txt'];
    const cwd = await makeDir({ 'a.txt': bigFile, 'sub/b.txt': 'needle in sub', 'z.txt': 'needle in z' });
    const signal = new AbortController().signal;
    // Untouched, every file is searched.
    expect((await searchFiles(cwd, files, needle, signal)).lines).toEqual(['a.txt:1: needle first', 'sub/b.txt:1: needle in sub', 'z.txt:1: needle in z']);
    // Swapped at the first turn the search gives back, after the walk and while a.txt is being searched.
    setImmediate(() => {
      renameSync(path.join(cwd, 'sub'), path.join(cwd, 'sub-old'));
      symlinkSync(outside, path.join(cwd, 'sub'));
      renameSync(path.join(cwd, 'z.txt'), path.join(cwd, 'z-old.txt'));
      symlinkSync(path.join(outside, 'secret.txt'), path.join(cwd, 'z.txt'));
    });
    expect((await searchFiles(cwd, files, needle, signal)).lines).toEqual(['a.txt:1: needle first']);
  });
});

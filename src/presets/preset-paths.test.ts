import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import picomatch from 'picomatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { escapeGlob, listPresetFiles, resolvePresetPaths, sampleFile } from './preset-paths.js';

let root: string;
let cwd: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'fanout-preset-paths-'));
  cwd = path.join(root, 'repo');
  for (const dir of ['src/auth', 'src/api', 'app/[id]', 'node_modules/x', '.git']) mkdirSync(path.join(cwd, dir), { recursive: true });
  for (const file of ['src/auth/b.ts', 'src/auth/a.ts', 'src/index.ts', 'README.md', 'node_modules/x/i.js', '.git/HEAD']) {
    writeFileSync(path.join(cwd, file), '');
  }
  mkdirSync(path.join(root, 'outside'));
  symlinkSync(path.join(root, 'outside'), path.join(cwd, 'escape'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(isFanoutError(error, 'OPTION_INVALID')).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('resolvePresetPaths', () => {
  it('normalizes paths relative to cwd, gives directory globs, and drops repeats', () => {
    expect(resolvePresetPaths(['./src/auth/', 'src/auth', 'README.md', '.'], cwd, false)).toEqual([
      { relative: 'src/auth', isDirectory: true, glob: 'src/auth/**' },
      { relative: 'README.md', isDirectory: false, glob: 'README.md' },
      { relative: '.', isDirectory: true, glob: '**' },
    ]);
  });

  it('escapes glob syntax in real names so the glob matches the directory', () => {
    const [entry] = resolvePresetPaths(['app/[id]'], cwd, true);
    expect(entry?.glob).toBe('app/\\[id\\]/**');
    expect(picomatch(entry?.glob ?? '')('app/[id]/page.ts')).toBe(true);
    expect(picomatch(entry?.glob ?? '')('app/i/page.ts')).toBe(false);
  });

  it('rejects a missing path, naming it', () => {
    expect(messageOf(() => resolvePresetPaths(['src/nope'], cwd, true))).toBe(
      `"src/nope" does not exist (looked for ${path.join(cwd, 'src/nope')})`,
    );
  });

  it('rejects a file where a directory is expected', () => {
    expect(messageOf(() => resolvePresetPaths(['src', 'README.md'], cwd, true))).toBe('"README.md" is not a directory');
  });

  it('rejects paths outside the working directory, lexically or through a symlink', () => {
    expect(messageOf(() => resolvePresetPaths(['..'], cwd, false))).toBe(`".." is outside the working directory ${cwd}`);
    expect(messageOf(() => resolvePresetPaths(['escape'], cwd, true))).toContain('"escape" leads outside the working directory');
  });
});

describe('escapeGlob', () => {
  it('leaves plain paths alone', () => {
    expect(escapeGlob('src/a-b_c.d')).toBe('src/a-b_c.d');
    expect(escapeGlob('a*{b}')).toBe('a\\*\\{b\\}');
  });
});

describe('listPresetFiles', () => {
  it('lists breadth-first in name order, skipping dot-directories and node_modules', () => {
    expect(listPresetFiles(cwd, '.', 10)).toEqual(['README.md', 'src/index.ts', 'src/auth/a.ts', 'src/auth/b.ts']);
    expect(listPresetFiles(cwd, 'src', 2)).toEqual(['src/index.ts', 'src/auth/a.ts']);
    expect(listPresetFiles(cwd, 'README.md', 5)).toEqual(['README.md']);
  });
});

describe('sampleFile', () => {
  it('prefers a file that is not a test', () => {
    expect(sampleFile(['a.test.ts', 'tests/b.ts', 'src/__tests__/c.ts', 'spec_d.py', 'src/e.ts'])).toBe('src/e.ts');
    expect(sampleFile(['src/contest.ts'])).toBe('src/contest.ts');
  });

  it('falls back to the first file, or none', () => {
    expect(sampleFile(['a.test.ts', 'b.spec.ts'])).toBe('a.test.ts');
    expect(sampleFile([])).toBeUndefined();
  });
});

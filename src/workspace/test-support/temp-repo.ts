import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/** A temporary git repository with one commit, and a fanout home beside it. */
export interface TempRepo {
  dir: string;
  home: string;
  /** Runs git in the repository and returns its trimmed stdout. */
  git(...args: string[]): string;
  /** Writes files (relative paths) under `dir` or another root. */
  write(files: Record<string, string>, root?: string): void;
}

const IDENTITY = { GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 'test@localhost', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 'test@localhost' };

/** Registers cleanup and returns a maker of temporary repositories holding `files` in their first commit. */
export function useTempRepos(): (files?: Record<string, string>) => TempRepo {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (files = { 'README.md': '# test\n' }) => {
    const top = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-repo-')));
    made.push(top);
    const dir = path.join(top, 'repo');
    mkdirSync(dir);
    const run = (...args: string[]): string =>
      execFileSync('git', args, { cwd: dir, env: { ...process.env, ...IDENTITY }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    const write = (entries: Record<string, string>, root = dir): void => {
      for (const [relative, content] of Object.entries(entries)) {
        mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
        writeFileSync(path.join(root, relative), content);
      }
    };
    run('init', '-q', '-b', 'main');
    write(files);
    run('add', '-A');
    run('commit', '-q', '-m', 'initial');
    return { dir, home: path.join(top, 'home'), git: run, write };
  };
}

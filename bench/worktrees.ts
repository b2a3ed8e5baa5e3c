/**
 * Worktree and shell-sandbox figures (issue 11), run on its own:
 *   node --import tsx bench/worktrees.ts
 * 20 tasks on a repository of 2,000 files: the time to make their 20
 * worktrees (one queue per repository, checkouts outside it), to merge 20
 * clean branches into fanout/<run>, and the median extra cost of one
 * sandboxed shell command over the same command unsandboxed (20 each).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_SHELL_OUTPUT_BYTES, runShellCommand, type ShellPolicy } from '../src/agent/index.js';
import { createWorktreeManager } from '../src/workspace/index.js';

const TASKS = 20;
const FILES = 2000;
const top = mkdtempSync(path.join(tmpdir(), 'fanout-bench-wt-'));
const repo = path.join(top, 'repo');
const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@l', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@l' };
const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, env, encoding: 'utf8' });
try {
  mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  for (let i = 0; i < FILES; i += 1) {
    const dir = path.join(repo, `src/m${i % 40}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `f${i}.ts`), `export const v${i} = ${i};\n`);
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  const workspace = await createWorktreeManager({ home: path.join(top, 'home') }).startRun('run-bench', repo);

  let at = performance.now();
  const tasks = await Promise.all(Array.from({ length: TASKS }, (_, i) => workspace.createTask(`t${i}`)));
  const createMs = performance.now() - at;
  for (const [i, task] of tasks.entries()) writeFileSync(path.join(task.cwd, `src/new-${i}.ts`), `export const n${i} = ${i};\n`);
  await Promise.all(tasks.map((task) => workspace.commitTask(task.task)));
  at = performance.now();
  const merged = await workspace.merge();
  const mergeMs = performance.now() - at;
  if (merged.merged.length !== TASKS || merged.conflicts.length > 0) throw new Error('merge was not clean');

  const policy: ShellPolicy = { cwd: tasks[0]!.cwd, writes: ['src/**'], hiddenPaths: [path.join(top, 'home')], network: [], timeoutMs: 10_000, maxOutputBytes: DEFAULT_SHELL_OUTPUT_BYTES, sandbox: 'bwrap' };
  const signal = new AbortController().signal;
  const timed = async (sandbox: ShellPolicy['sandbox']): Promise<number> => {
    const started = performance.now();
    await runShellCommand('ls src > /dev/null', { ...policy, sandbox }, { signal });
    return performance.now() - started;
  };
  const extra: number[] = [];
  for (let i = 0; i < 20; i += 1) extra.push((await timed('bwrap')) - (await timed('none')));
  extra.sort((a, b) => a - b);
  const median = ((extra[9] ?? 0) + (extra[10] ?? 0)) / 2;
  await workspace.clean({ force: true });
  console.log(JSON.stringify({ createWorktreesMs: Math.round(createMs), merge20Ms: Math.round(mergeMs), sandboxExtraMedianMs: Math.round(median * 10) / 10 }));
} finally {
  rmSync(top, { recursive: true, force: true });
}

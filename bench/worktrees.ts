/**
 * Worktree and shell-sandbox figures (issue 11), part of `npm run bench`
 * and runnable alone: `node --import tsx bench/worktrees.ts [--runs N]`.
 * 20 tasks on a repository of 2,000 files: the time to make their 20
 * worktrees, lean (each checks out only its scopes: a task without a shell
 * that names what it reads) and whole (a task with a shell); to merge 20
 * clean branches into fanout/<run>; and the median extra cost of one
 * sandboxed shell command over the same command unsandboxed (20 each).
 * Medians over `runs` rounds, each on a fresh repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_SHELL_OUTPUT_BYTES, runShellCommand, type ShellPolicy } from '../src/agent/index.js';
import { createWorktreeManager } from '../src/workspace/index.js';

const TASKS = 20;
const FILES = 2000;
const DIRS = 40;

/** One round's figures, ms. */
export interface WorktreeRound {
  leanCreateMs: number;
  wholeCreateMs: number;
  merge20Ms: number;
  sandboxExtraMs: number;
}

/** The medians of the rounds, and each round. */
export interface WorktreeFigures extends WorktreeRound {
  rounds: WorktreeRound[];
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

async function round(): Promise<WorktreeRound> {
  const top = mkdtempSync(path.join(tmpdir(), 'fanout-bench-wt-'));
  const repo = path.join(top, 'repo');
  const env = { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@l', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@l' };
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, env, encoding: 'utf8' });
  try {
    mkdirSync(repo);
    git('init', '-q', '-b', 'main');
    for (let i = 0; i < FILES; i += 1) {
      const dir = path.join(repo, `src/m${i % DIRS}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `f${i}.ts`), `export const v${i} = ${i};\n`);
    }
    git('add', '-A');
    git('commit', '-q', '-m', 'initial');
    const manager = createWorktreeManager({ home: path.join(top, 'home') });

    // Lean: each task reads one directory of 50 files and writes one new file.
    const lean = await manager.startRun('run-lean', repo);
    let at = performance.now();
    const tasks = await Promise.all(
      Array.from({ length: TASKS }, (_, i) => lean.createTask(`t${i}`, { only: [`src/m${i % DIRS}/**`, `src/new-${i}.ts`] })),
    );
    const leanCreateMs = performance.now() - at;
    for (const [i, task] of tasks.entries()) writeFileSync(path.join(task.cwd, `src/new-${i}.ts`), `export const n${i} = ${i};\n`);
    await Promise.all(tasks.map((task) => lean.commitTask(task.task)));
    at = performance.now();
    const merged = await lean.merge();
    const merge20Ms = performance.now() - at;
    if (merged.merged.length !== TASKS || merged.conflicts.length > 0) throw new Error('merge was not clean');

    const whole = await manager.startRun('run-whole', repo);
    at = performance.now();
    const wholeTasks = await Promise.all(Array.from({ length: TASKS }, (_, i) => whole.createTask(`t${i}`)));
    const wholeCreateMs = performance.now() - at;

    const policy: ShellPolicy = {
      cwd: wholeTasks[0]?.cwd ?? repo,
      writes: ['src/**'],
      hiddenPaths: [path.join(top, 'home')],
      network: [],
      timeoutMs: 10_000,
      maxOutputBytes: DEFAULT_SHELL_OUTPUT_BYTES,
      sandbox: 'bwrap',
    };
    const signal = new AbortController().signal;
    const timed = async (sandbox: ShellPolicy['sandbox']): Promise<number> => {
      const started = performance.now();
      await runShellCommand('ls src > /dev/null', { ...policy, sandbox }, { signal });
      return performance.now() - started;
    };
    const extra: number[] = [];
    for (let i = 0; i < 20; i += 1) extra.push((await timed('bwrap')) - (await timed('none')));
    await lean.clean({ force: true });
    await whole.clean({ force: true });
    return { leanCreateMs, wholeCreateMs, merge20Ms, sandboxExtraMs: median(extra) };
  } finally {
    rmSync(top, { recursive: true, force: true });
  }
}

/** Runs `runs` rounds and returns their medians (rounded: ms, the sandbox figure to 0.1 ms). */
export async function measureWorktrees(runs: number, log: (line: string) => void = () => undefined): Promise<WorktreeFigures> {
  const rounds: WorktreeRound[] = [];
  for (let i = 0; i < runs; i += 1) {
    const figures = await round();
    const rounded = {
      leanCreateMs: Math.round(figures.leanCreateMs),
      wholeCreateMs: Math.round(figures.wholeCreateMs),
      merge20Ms: Math.round(figures.merge20Ms),
      sandboxExtraMs: Math.round(figures.sandboxExtraMs * 10) / 10,
    };
    rounds.push(rounded);
    log(`  worktrees run ${i + 1}/${runs}: ${JSON.stringify(rounded)}`);
  }
  const of = (key: keyof WorktreeRound): number => median(rounds.map((item) => item[key]));
  return { leanCreateMs: of('leanCreateMs'), wholeCreateMs: of('wholeCreateMs'), merge20Ms: of('merge20Ms'), sandboxExtraMs: of('sandboxExtraMs'), rounds };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const at = process.argv.indexOf('--runs');
  const runs = at < 0 ? 3 : Number(process.argv[at + 1]);
  const figures = await measureWorktrees(runs, (line) => process.stderr.write(`${line}\n`));
  console.log(JSON.stringify(figures));
}

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plan } from '../contracts/plan.js';

/** The command that runs every test of the demo's result (the starter's `npm test`, without npm's start-up). */
export const DEMO_TEST_COMMAND = 'node --import tsx --test src/auth/*.test.ts test/*.test.ts';

/** Whether the demo's subagents can run the tests they write, and why not. */
export type DemoShell = { ok: true; nodeModules: string } | { ok: false; why: string };

/**
 * The demo's tests are TypeScript run through tsx (Node 20 cannot strip
 * types), and its subagents run them under bubblewrap: both must be here.
 * tsx comes with fanout's development dependencies (a checkout after
 * `npm ci`), not with an installed package.
 */
export function demoShell(sandbox: { available: boolean; problem: string }): DemoShell {
  if (!sandbox.available) return { ok: false, why: sandbox.problem.replace(/ or pass --no-sandbox$/, '') };
  let tsx: string;
  try {
    tsx = fileURLToPath(import.meta.resolve('tsx'));
  } catch {
    return { ok: false, why: 'tsx, which runs the TypeScript tests, comes only with a checkout of fanout (npm ci)' };
  }
  const at = tsx.lastIndexOf(`${sep}node_modules${sep}`);
  return at < 0 ? { ok: false, why: `tsx is not inside a node_modules directory (${tsx})` } : { ok: true, nodeModules: tsx.slice(0, at + '/node_modules'.length) };
}

/** The demo plan without the shell: no `shell`, and no scripted `bash` calls. */
export function withoutShell(plan: Plan): Plan {
  return {
    ...plan,
    tasks: plan.tasks.map(({ shell: _shell, ...task }) => {
      const script = task.sim?.script?.map((step) => (step.tools === undefined ? step : { ...step, tools: step.tools.filter((tool) => tool.name !== 'bash') }));
      return task.sim === undefined || script === undefined ? task : { ...task, sim: { ...task.sim, script } };
    }),
  };
}

/** Where the demo runs: a copy of the starter, a git repository when git is here. */
export interface DemoWorkspace {
  dir: string;
  /** Why it is not a git repository (git missing or failing); undefined when it is one. */
  notRepository: string | undefined;
}

/**
 * Copies the starter into a fresh directory under the system temp
 * directory and makes it a git repository with one commit on `main`, so
 * that each subagent gets its own worktree. With `nodeModules`, a
 * `node_modules` link to it is committed too: every worktree then resolves
 * tsx. It is the demo's own repository: nothing of the user's is touched.
 */
export function makeDemoWorkspace(starter: string, nodeModules: string | undefined): DemoWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-demo-'));
  cpSync(starter, dir, { recursive: true });
  if (nodeModules !== undefined) symlinkSync(nodeModules, join(dir, 'node_modules'), 'dir');
  const env = { ...process.env, GIT_AUTHOR_NAME: 'fanout demo', GIT_AUTHOR_EMAIL: 'demo@fanout.invalid', GIT_COMMITTER_NAME: 'fanout demo', GIT_COMMITTER_EMAIL: 'demo@fanout.invalid' };
  const git = (...args: string[]): void => {
    execFileSync('git', args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  };
  try {
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('-c', 'commit.gpgsign=false', 'commit', '-q', '--no-verify', '-m', 'auth-demo starter');
    return { dir, notRepository: undefined };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'git is not installed' : `git failed: ${String((error as { stderr?: unknown }).stderr ?? error).trim().split('\n')[0]}`;
    return { dir, notRepository: reason };
  }
}

/** Counts of a `node --test` run, from its TAP summary; undefined when it printed none. */
export function testCounts(output: string): { pass: number; fail: number } | undefined {
  const pass = /^# pass (\d+)$/m.exec(output)?.[1];
  const fail = /^# fail (\d+)$/m.exec(output)?.[1];
  return pass === undefined || fail === undefined ? undefined : { pass: Number(pass), fail: Number(fail) };
}

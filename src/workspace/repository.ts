import { realpathSync } from 'node:fs';
import path from 'node:path';
import { FanoutError } from '../contracts/errors.js';
import { git, type GitOptions } from './git.js';

/** A git repository as fanout's worktrees see it. */
export interface Repository {
  /** Top directory of the user's work tree (real path). */
  root: string;
  /** The repository's common git directory (real path): one per repository, shared by its worktrees. */
  commonDir: string;
}

/** Where HEAD of a repository is. */
export interface HeadState {
  /** The checked-out branch, without `refs/heads/`. */
  branch: string;
  /** Its commit. */
  commit: string;
}

type CallOptions = Pick<GitOptions, 'signal' | 'timeoutMs'>;

/**
 * The repository that holds `dir`. Throws `WORKSPACE_INVALID` when `dir` is
 * not inside a git work tree (a bare repository has no work tree either).
 */
export async function findRepository(dir: string, options: CallOptions = {}): Promise<Repository> {
  const result = await git(['rev-parse', '--is-inside-work-tree', '--show-toplevel', '--git-common-dir'], {
    ...options,
    cwd: dir,
    okCodes: [128],
  }).catch((error: unknown) => {
    if (error instanceof FanoutError && error.code === 'WORKSPACE_FAILED') return { code: 128, stdout: '', stderr: '' };
    throw error;
  });
  const [inside, root, common] = result.stdout.split('\n');
  if (result.code !== 0 || inside !== 'true' || root === undefined || common === undefined) {
    throw new FanoutError('WORKSPACE_INVALID', `${dir} is not inside a git repository; worktree isolation needs one (run \`git init\` there, or set isolation: none)`, { where: dir });
  }
  return { root: realpathSync.native(root), commonDir: realpathSync.native(path.resolve(dir, common)) };
}

/**
 * The branch and commit HEAD is on. Throws `WORKSPACE_INVALID` on a detached
 * HEAD (a result could not be applied to it) or before the first commit.
 */
export async function headState(repo: Repository, options: CallOptions = {}): Promise<HeadState> {
  const symbolic = await git(['symbolic-ref', '-q', '--short', 'HEAD'], { ...options, cwd: repo.root, okCodes: [1] });
  const branch = symbolic.stdout.trim();
  if (symbolic.code !== 0 || branch === '') {
    throw new FanoutError('WORKSPACE_INVALID', `${repo.root} has a detached HEAD; check out a branch first (git switch <branch>)`, { where: repo.root });
  }
  const commit = await git(['rev-parse', '-q', '--verify', 'HEAD^{commit}'], { ...options, cwd: repo.root, okCodes: [1] });
  if (commit.code !== 0) {
    throw new FanoutError('WORKSPACE_INVALID', `branch ${branch} of ${repo.root} has no commit yet; commit something first`, { where: repo.root });
  }
  return { branch, commit: commit.stdout.trim() };
}

/** True when the branch exists. */
export async function branchExists(repo: Repository, branch: string, options: CallOptions = {}): Promise<boolean> {
  const result = await git(['rev-parse', '-q', '--verify', `refs/heads/${branch}`], { ...options, cwd: repo.root, okCodes: [1] });
  return result.code === 0;
}

/** The commit a branch points at, or undefined when there is no such branch. */
export async function branchCommit(repo: Repository, branch: string, options: CallOptions = {}): Promise<string | undefined> {
  const result = await git(['rev-parse', '-q', '--verify', `refs/heads/${branch}^{commit}`], { ...options, cwd: repo.root, okCodes: [1] });
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** The commit of every branch under `prefix` (e.g. `fanout-tasks/<run>/`), by branch name: one git call for many branches. */
export async function branchCommits(repo: Repository, prefix: string, options: CallOptions = {}): Promise<Map<string, string>> {
  const result = await git(['for-each-ref', '--format=%(objectname) %(refname:lstrip=2)', `refs/heads/${prefix}`], { ...options, cwd: repo.root });
  const commits = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) commits.set(line.slice(space + 1), line.slice(0, space));
  }
  return commits;
}

/** True when `ancestor` is reachable from `descendant`. */
export async function isAncestor(repo: Repository, ancestor: string, descendant: string, options: CallOptions = {}): Promise<boolean> {
  const result = await git(['merge-base', '--is-ancestor', ancestor, descendant], { ...options, cwd: repo.root, okCodes: [1] });
  return result.code === 0;
}

/** Tracked files with uncommitted changes in a work tree (untracked files are not counted). */
export async function uncommittedFiles(dir: string, options: CallOptions = {}): Promise<string[]> {
  const result = await git(['status', '--porcelain=v1', '-z', '--untracked-files=no'], { ...options, cwd: dir });
  return statusFiles(result.stdout);
}

/** The paths of `git status --porcelain=v1 -z` output. */
export function statusFiles(stdout: string): string[] {
  return stdout
    .split('\0')
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3));
}

/**
 * Identity for the commits fanout makes: the user's when git has one, else
 * `fanout <fanout@localhost>` (a fresh CI machine has none, and a commit
 * without an identity fails).
 */
export async function commitIdentity(repo: Repository, options: CallOptions = {}): Promise<Record<string, string>> {
  const ident = await git(['var', 'GIT_COMMITTER_IDENT'], { ...options, cwd: repo.root, okCodes: [128] });
  if (ident.code === 0) return {};
  return {
    GIT_AUTHOR_NAME: 'fanout',
    GIT_AUTHOR_EMAIL: 'fanout@localhost',
    GIT_COMMITTER_NAME: 'fanout',
    GIT_COMMITTER_EMAIL: 'fanout@localhost',
  };
}

const REF_COMPONENT_PROBLEMS: ReadonlyArray<[RegExp, string]> = [
  [/^\./, 'starts with "."'],
  [/\.\./, 'contains ".."'],
  [/\.lock$/, 'ends with ".lock"'],
  [/\.$/, 'ends with "."'],
  [/^$/, 'is empty'],
  [/[\s~^:?*[\\\x00-\x1f\x7f]|@\{/, 'has a character git does not allow in branch names'],
];

/**
 * Throws `WORKSPACE_INVALID` when `name` cannot be one component of a git
 * branch name (run and task ids become `fanout-tasks/<run>/<task>`).
 */
export function checkRefComponent(name: string, what: string): void {
  for (const [pattern, problem] of REF_COMPONENT_PROBLEMS) {
    if (pattern.test(name) || name.includes('/')) {
      throw new FanoutError('WORKSPACE_INVALID', `${what} "${name}" cannot name a git branch: it ${name.includes('/') ? 'contains "/"' : problem}`);
    }
  }
}

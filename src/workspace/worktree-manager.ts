import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { FanoutError } from '../contracts/errors.js';
import { changedFiles, diffText } from './changes.js';
import { git, type GitOptions } from './git.js';
import { mergeSteps, type MergeStep } from './merge-branches.js';
import { RepoQueue } from './repo-queue.js';
import { sparsePatterns } from './sparse-patterns.js';
import {
  branchCommit,
  branchCommits,
  branchExists,
  checkRefComponent,
  commitIdentity,
  findRepository,
  headState,
  isAncestor,
  statusFiles,
  uncommittedFiles,
  type Repository,
} from './repository.js';
import { listRunRecords, readRunRecord, runDirectory, writeRunRecord, type RunRecord } from './run-record.js';
import type {
  CleanResult,
  ConflictResolver,
  MergeResult,
  RepositoryState,
  RunWorkspace,
  TaskCommit,
  TaskWorktree,
  WorktreeManager,
} from '../contracts/workspace.js';
import { uncommittedChanges } from '../contracts/workspace.js';

/** Options of {@link createWorktreeManager}. */
export interface WorktreeManagerOptions {
  /** fanout's home (`$FANOUT_HOME`); worktrees live in its `worktrees/` directory. */
  home: string;
  /** Most time one git command may take, ms. Default 60 s. */
  gitTimeoutMs?: number;
}

/** Creates a {@link WorktreeManager} over `$FANOUT_HOME/worktrees`. */
export function createWorktreeManager(options: WorktreeManagerOptions): WorktreeManager {
  const root = path.join(path.resolve(options.home), 'worktrees');
  const queue = new RepoQueue();
  const timeoutMs = options.gitTimeoutMs;
  const open = (record: RunRecord): RunWorkspace => runWorkspace(record, { root, queue, timeoutMs });
  return {
    root,
    async startRun(run, dir, callOptions = {}) {
      checkRefComponent(run, 'run id');
      const existing = readRunRecord(root, run);
      if (existing !== undefined) return open(existing);
      const call = { signal: callOptions.signal, timeoutMs };
      const repo = await findRepository(dir, call);
      const head = await headState(repo, call);
      if (await branchExists(repo, `fanout/${run}`, call)) {
        throw new FanoutError('WORKSPACE_INVALID', `branch fanout/${run} already exists in ${repo.root}; delete it or use another run`);
      }
      const subdir = path.relative(repo.root, realDir(dir)) || '.';
      const record: RunRecord = {
        version: 1,
        run,
        repo: repo.root,
        commonDir: repo.commonDir,
        subdir: subdir.split(path.sep).join('/'),
        baseBranch: head.branch,
        baseCommit: head.commit,
        tasks: {},
      };
      writeRunRecord(root, record);
      return open(record);
    },
    async openRun(run) {
      const record = readRunRecord(root, run);
      if (record === undefined) throw new FanoutError('NOT_FOUND', `run ${run} has no worktrees`);
      return open(record);
    },
    runs: () => listRunRecords(root),
    inspect: (dir, options = {}) => inspectRepository(dir, options.uncommitted === true),
  };
}

interface Shared {
  root: string;
  queue: RepoQueue;
  timeoutMs: number | undefined;
}

function runWorkspace(record: RunRecord, shared: Shared): RunWorkspace {
  const repo: Repository = { root: record.repo, commonDir: record.commonDir };
  const { run } = record;
  const resultBranch = `fanout/${run}`;
  const call = (signal: AbortSignal | undefined): Pick<GitOptions, 'signal' | 'timeoutMs'> => ({ signal, timeoutMs: shared.timeoutMs });
  const serial = <T>(operation: () => Promise<T>): Promise<T> => shared.queue.run(repo.commonDir, operation);
  const save = (): void => writeRunRecord(shared.root, record);
  let identity: Promise<Record<string, string>> | undefined;
  const env = (signal?: AbortSignal): Promise<Record<string, string>> => (identity ??= commitIdentity(repo, call(signal)));
  const taskOf = (task: string): TaskWorktree => {
    const found = record.tasks[task];
    if (found === undefined) throw new FanoutError('NOT_FOUND', `task ${task} of run ${run} has no worktree`);
    return found;
  };
  const withCwd = (entry: TaskWorktree): TaskWorktree & { cwd: string } => ({ ...entry, cwd: path.join(entry.path, record.subdir) });
  const tipOf = async (entry: TaskWorktree, signal?: AbortSignal): Promise<string> =>
    (await branchCommit(repo, entry.branch, call(signal))) ?? entry.base;
  /** The tips of many tasks' branches in one git call (a merge of 20 branches spent a third of its processes on them). */
  const tipsOf = async (entries: readonly TaskWorktree[], signal?: AbortSignal): Promise<string[]> => {
    const commits = await branchCommits(repo, `fanout-tasks/${run}/`, call(signal));
    return entries.map((entry) => commits.get(entry.branch) ?? entry.base);
  };

  const commitTask = async (task: string, signal?: AbortSignal, writes?: readonly string[]): Promise<TaskCommit> => {
    const entry = taskOf(task);
    let committed = false;
    let outside: string[] = [];
    if (existsSync(entry.path)) {
      const at = { ...call(signal), cwd: entry.path };
      await git(['add', '-A'], at);
      if (writes !== undefined) outside = await putBackOutside(writes, at);
      // Exit 1 is "nothing to commit".
      const commit = await git(['-c', 'commit.gpgsign=false', '-c', 'gc.auto=0', 'commit', '-q', '--no-verify', '-m', `fanout ${run}: task ${task}`], {
        ...at,
        env: await env(signal),
        okCodes: [1],
      });
      committed = commit.code === 0;
    }
    const commit = await tipOf(entry, signal);
    const changes = await changedFiles(repo.root, entry.base, commit, call(signal));
    return { commit, committed, changes, ...(outside.length > 0 ? { outside } : {}) };
  };

  /**
   * What a task changed outside its write scope (its shell may write
   * anywhere in the directories holding its globs) is put back as the
   * branch has it, staged and in the work tree: refused, never committed.
   * Returns those paths, relative to the run's directory.
   */
  const putBackOutside = async (writes: readonly string[], at: GitOptions): Promise<string[]> => {
    const staged = (await git(['diff', '--cached', '--name-only', '--no-renames', '-z'], at)).stdout.split('\0').filter(Boolean);
    const prefix = record.subdir === '.' ? '' : `${record.subdir}/`;
    const inScope = writes.length === 0 ? () => false : picomatch([...writes], { dot: true });
    const outside = staged.filter((file) => !file.startsWith(prefix) || !inScope(file.slice(prefix.length)));
    if (outside.length > 0) await git(['restore', '--source=HEAD', '--staged', '--worktree', '--', ...outside.map((file) => `:(literal)${file}`)], at);
    return outside.map((file) => path.relative(record.subdir, file).split(path.sep).join('/'));
  };

  const merge = async (order: readonly string[] | undefined, signal?: AbortSignal, resolve?: ConflictResolver): Promise<MergeResult> => {
    const entries = (order ?? Object.keys(record.tasks)).map(taskOf);
    const tips = await tipsOf(entries, signal);
    const steps: MergeStep[] = [];
    const unchanged: string[] = [];
    entries.forEach((entry, index) => {
      const commit = tips[index] ?? entry.base;
      if (commit === entry.base) unchanged.push(entry.task);
      else steps.push({ task: entry.task, commit, base: entry.base });
    });
    const merged = await mergeSteps(repo, record.baseCommit, steps, {
      ...call(signal),
      env: await env(signal),
      message: (task) => `fanout ${run}: merge task ${task}`,
      messageAll: (tasks) => `fanout ${run}: merge tasks ${tasks.join(', ')}`,
      ...(resolve === undefined ? {} : { resolve }),
    });
    return serial(async () => {
      await git(['update-ref', `refs/heads/${resultBranch}`, merged.commit], { ...call(signal), cwd: repo.root });
      record.merge = {
        branch: resultBranch,
        commit: merged.commit,
        merged: merged.merged,
        unchanged,
        conflicts: merged.conflicts,
        ...(merged.resolved.length > 0 ? { resolved: merged.resolved } : {}),
      };
      save();
      return record.merge;
    });
  };

  return {
    run,
    repo: repo.root,
    baseBranch: record.baseBranch,
    baseCommit: record.baseCommit,
    resultBranch,
    tasks: () => Object.values(record.tasks).map((entry) => ({ ...entry })),

    async createTask(task, options = {}) {
      checkRefComponent(task, 'task id');
      const { signal } = options;
      const dependsOn = [...(options.dependsOn ?? [])];
      const reused = record.tasks[task];
      if (reused !== undefined && reused.state === 'active' && existsSync(reused.path)) return withCwd(reused);
      let base = record.baseCommit;
      let baseConflicts: TaskWorktree['baseConflicts'];
      if (dependsOn.length > 0) {
        const entries = dependsOn.map(taskOf);
        const tips = await tipsOf(entries, signal);
        const steps: MergeStep[] = entries.map((entry, index) => ({ task: entry.task, commit: tips[index] ?? entry.base, base: entry.base }));
        const merged = await mergeSteps(repo, record.baseCommit, steps, {
          ...call(signal),
          env: await env(signal),
          message: (dependency) => `fanout ${run}: merge task ${dependency} as the base of ${task}`,
        });
        base = merged.commit;
        if (merged.conflicts.length > 0) baseConflicts = merged.conflicts;
      }
      const branch = `fanout-tasks/${run}/${task}`;
      const dir = path.join(runDirectory(shared.root, run), task);
      const entry: TaskWorktree = { task, branch, path: dir, base, dependsOn, state: 'active', ...(baseConflicts ? { baseConflicts } : {}) };
      // One git process per task in the repository's queue: git itself refuses an existing branch (and then made nothing).
      await serial(async () => {
        mkdirSync(path.dirname(dir), { recursive: true });
        // Recorded before git acts, so a crash in between still leaves a record for clean to follow.
        record.tasks[task] = entry;
        save();
        try {
          await git(['worktree', 'add', '--no-checkout', '-q', '-b', branch, dir, base], { ...call(signal), cwd: repo.root });
        } catch (error) {
          const taken = error instanceof FanoutError && /a branch named .* already exists/.test(error.message);
          // The branch that exists is not this task's: it stays as it is.
          if (!taken) await removeTaskState(repo, entry, { timeoutMs: shared.timeoutMs });
          delete record.tasks[task];
          save();
          if (taken) throw new FanoutError('WORKSPACE_INVALID', `branch ${branch} already exists in ${repo.root}; delete it or rename task ${task}`);
          throw error;
        }
      });
      // The checkout writes only inside the new worktree: it runs beside other tasks' worktree creation.
      try {
        const patterns = options.only === undefined ? undefined : sparsePatterns(options.only, record.subdir);
        // Lean: the patterns live in the worktree's own git directory and are applied once, for this checkout only.
        if (patterns !== undefined) writeFileSync(sparseFile(dir), `${patterns.join('\n')}\n`);
        await git([...(patterns === undefined ? [] : ['-c', 'core.sparseCheckout=true']), 'reset', '-q', '--hard', base], { ...call(signal), cwd: dir });
      } catch (error) {
        await serial(async () => {
          await removeTaskState(repo, entry, { timeoutMs: shared.timeoutMs });
          delete record.tasks[task];
          save();
        });
        throw error;
      }
      return withCwd(entry);
    },

    commitTask: (task, options = {}) => commitTask(task, options.signal, options.writes),

    async changes(task, options = {}) {
      const entry = taskOf(task);
      return changedFiles(repo.root, entry.base, await tipOf(entry, options.signal), call(options.signal));
    },

    async diff(task, options = {}) {
      if (task !== undefined) {
        const entry = taskOf(task);
        return diffText(repo.root, entry.base, await tipOf(entry, options.signal), call(options.signal));
      }
      const result = await branchCommit(repo, resultBranch, call(options.signal));
      if (result === undefined) throw new FanoutError('NOT_FOUND', `run ${run} has no merged result yet (fanout merge ${run})`);
      return diffText(repo.root, record.baseCommit, result, call(options.signal));
    },

    merge: (options = {}) => merge(options.order, options.signal, options.resolve),
    lastMerge: () => record.merge,

    async apply(options = {}) {
      const { signal } = options;
      const result = await branchCommit(repo, resultBranch, call(signal));
      if (result === undefined) throw new FanoutError('NOT_FOUND', `run ${run} has no merged result to apply (fanout merge ${run})`);
      return serial(async () => {
        const head = await headState(repo, call(signal));
        if (head.branch !== record.baseBranch) {
          throw new FanoutError('WORKSPACE_INVALID', `${repo.root} is on branch ${head.branch}; run ${run} started from ${record.baseBranch}: switch to it to apply`);
        }
        const dirty = await uncommittedFiles(repo.root, call(signal));
        if (dirty.length > 0) throw new FanoutError('WORKSPACE_INVALID', `${uncommittedChanges(repo.root, dirty)}; commit or stash them yourself, then apply again`);
        const at = { ...call(signal), cwd: repo.root };
        if (await isAncestor(repo, result, head.commit, call(signal))) {
          return { branch: head.branch, from: head.commit, to: head.commit, how: 'up-to-date' as const };
        }
        const fastForward = await isAncestor(repo, head.commit, result, call(signal));
        if (!fastForward) {
          const check = await git(['merge-tree', '--write-tree', '--name-only', '--no-messages', head.commit, result], { ...at, okCodes: [1] });
          if (check.code === 1) {
            const files = check.stdout.split('\n').slice(1).filter(Boolean);
            throw new FanoutError('WORKSPACE_INVALID', `${head.branch} moved since run ${run} and conflicts with its result in ${files.join(', ')}; merge ${resultBranch} yourself`);
          }
        }
        const args = fastForward
          ? ['merge', '-q', '--ff-only', result]
          : ['-c', 'commit.gpgsign=false', 'merge', '-q', '--no-ff', '--no-verify', '-m', `fanout ${run}: apply the result`, result];
        await git(args, { ...at, env: await env(signal) }).catch((error: unknown) => {
          throw new FanoutError('WORKSPACE_INVALID', `cannot apply run ${run}: ${(error as Error).message.replace(/^git merge failed: /, '')}`, { cause: error });
        });
        const to = (await branchCommit(repo, head.branch, call(signal))) ?? result;
        return { branch: head.branch, from: head.commit, to, how: fastForward ? ('fast-forward' as const) : ('merge' as const) };
      });
    },

    async clean(options = {}) {
      const { signal, force = false, dryRun = false } = options;
      const outcome: CleanResult = { removedWorktrees: [], deletedBranches: [], kept: [], lost: [] };
      for (const entry of Object.values(record.tasks)) {
        if (entry.state === 'active' && existsSync(entry.path) && !dryRun) await commitTask(entry.task, signal);
      }
      return serial(async () => {
        const userHead = await branchCommit(repo, record.baseBranch, call(signal));
        const result = await branchCommit(repo, resultBranch, call(signal));
        const inBranch = async (commit: string, tip: string | undefined): Promise<boolean> =>
          tip !== undefined && (await isAncestor(repo, commit, tip, call(signal)));
        // A task's work is safe once in the result or the user's branch; the result's once in the user's branch.
        const decide = async (branch: string, task: string | undefined, from: string, tip: string): Promise<boolean> => {
          if (tip === from || (await inBranch(tip, userHead)) || (task !== undefined && (await inBranch(tip, result)))) return true;
          const unmerged = { branch, task, changes: await changedFiles(repo.root, from, tip, call(signal)) };
          (force ? outcome.lost : outcome.kept).push(unmerged);
          return force;
        };
        const deletions: string[] = [];
        for (const entry of Object.values(record.tasks)) {
          if (existsSync(entry.path) || entry.state === 'active') outcome.removedWorktrees.push(entry.path);
          const tip = await branchCommit(repo, entry.branch, call(signal));
          if (tip !== undefined && (await decide(entry.branch, entry.task, entry.base, tip))) deletions.push(entry.branch);
        }
        if (result !== undefined && (await decide(resultBranch, undefined, record.baseCommit, result))) deletions.push(resultBranch);
        outcome.deletedBranches = deletions;
        if (dryRun) return outcome;
        for (const entry of Object.values(record.tasks)) {
          await removeWorktree(repo, entry.path, call(signal));
          entry.state = 'removed';
        }
        await git(['worktree', 'prune'], { ...call(signal), cwd: repo.root });
        if (deletions.length > 0) await git(['branch', '-q', '-D', ...deletions], { ...call(signal), cwd: repo.root });
        if (outcome.kept.length === 0) rmSync(runDirectory(shared.root, run), { recursive: true, force: true });
        else save();
        return outcome;
      });
    },
  };
}

/** Removes a task's worktree and its branch, whatever of them exists (undoing a failed creation). */
async function removeTaskState(repo: Repository, entry: TaskWorktree, options: Pick<GitOptions, 'timeoutMs'>): Promise<void> {
  await removeWorktree(repo, entry.path, options);
  await git(['worktree', 'prune'], { ...options, cwd: repo.root }).catch(() => undefined);
  if (await branchExists(repo, entry.branch, options).catch(() => false)) {
    await git(['branch', '-q', '-D', entry.branch], { ...options, cwd: repo.root }).catch(() => undefined);
  }
}

async function removeWorktree(repo: Repository, dir: string, options: Pick<GitOptions, 'signal' | 'timeoutMs'>): Promise<void> {
  if (existsSync(dir)) {
    await git(['worktree', 'remove', '--force', '--force', dir], { ...options, cwd: repo.root, okCodes: [128] });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sparse-checkout file of a worktree, in its own git directory (named by the `.git` file git wrote there). */
function sparseFile(dir: string): string {
  const pointer = readFileSync(path.join(dir, '.git'), 'utf8');
  const gitDir = path.resolve(dir, pointer.replace(/^gitdir:\s*/, '').trim());
  mkdirSync(path.join(gitDir, 'info'), { recursive: true });
  return path.join(gitDir, 'info', 'sparse-checkout');
}

function realDir(dir: string): string {
  try {
    return realpathSync.native(dir);
  } catch {
    return path.resolve(dir);
  }
}

/**
 * Whether `dir` is in a git repository with a branch checked out that has a
 * commit: one synchronous `git rev-parse` (a plan check is synchronous),
 * and with `uncommitted` one `git status` for the files `apply` would refuse.
 */
function inspectRepository(dir: string, uncommitted: boolean): RepositoryState {
  const sync = (args: string[]) =>
    spawnSync('git', args, { cwd: dir, encoding: 'utf8', timeout: 10_000, env: { ...process.env, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' } });
  const probe = sync(['rev-parse', '--show-toplevel', 'HEAD', '--abbrev-ref', 'HEAD']);
  const [root, commit, branch] = (probe.stdout ?? '').split('\n');
  if (probe.error !== undefined) return { ok: false, problem: `cannot run git: ${probe.error.message}` };
  if (root === undefined || root === '' || /not a git repository/.test(probe.stderr ?? '')) {
    return { ok: false, problem: `${dir} is not inside a git repository` };
  }
  if (probe.status !== 0 || commit === undefined || !/^[0-9a-f]{40,}$/.test(commit)) return { ok: false, problem: `${root} has no commit yet; commit something first` };
  if (branch === 'HEAD') return { ok: false, problem: `${root} has a detached HEAD; check out a branch first (git switch <branch>)` };
  if (!uncommitted) return { ok: true, root, branch: branch ?? '', commit };
  const status = sync(['-C', root, 'status', '--porcelain=v1', '-z', '--untracked-files=no']);
  if (status.status !== 0) return { ok: false, problem: `cannot read the status of ${root}: ${(status.stderr ?? '').trim() || status.error?.message}` };
  return { ok: true, root, branch: branch ?? '', commit, uncommitted: statusFiles(status.stdout ?? '') };
}

import { toFanoutError } from '../contracts/errors.js';
import type { FanoutEvent } from '../contracts/events.js';
import type { ConflictResolver, FileChange, RunWorkspace, WorktreeManager } from '../contracts/workspace.js';

/** What merging a run's worktrees gave: the run-merge event, less what every event has. */
export type RunMergeOutcome = Omit<Extract<FanoutEvent, { type: 'run-merge' }>, 'type' | 'runId' | 'at'>;

/**
 * The worktrees of one run as its execution uses them: opened on the
 * first task that needs one, a worktree per task (from its dependencies'
 * merged work), the task's work committed when it ends, and the branches of
 * the tasks that succeeded merged when the run ends (and applied to the
 * user's branch when asked).
 */
export class RunWorktrees {
  readonly #manager: WorktreeManager;
  readonly #runId: string;
  readonly #cwd: string;
  #workspace: Promise<RunWorkspace> | undefined;

  constructor(manager: WorktreeManager, runId: string, cwd: string) {
    this.#manager = manager;
    this.#runId = runId;
    this.#cwd = cwd;
  }

  /** Where worktrees live; hidden from every task's shell (other tasks' worktrees are there). */
  get root(): string {
    return this.#manager.root;
  }

  #open(): Promise<RunWorkspace> {
    return (this.#workspace ??= this.#manager.startRun(this.#runId, this.#cwd));
  }

  /**
   * Makes (or, on resume, finds) the task's worktree, lean when `only`
   * names the globs it reads and writes; returns the directory the task works in.
   */
  async enter(taskId: string, dependsOn: readonly string[], signal: AbortSignal, only?: readonly string[]): Promise<string> {
    const workspace = await this.#open();
    const made = new Set(workspace.tasks().map((task) => task.task));
    const created = await workspace.createTask(taskId, { dependsOn: dependsOn.filter((id) => made.has(id)), signal, ...(only === undefined ? {} : { only }) });
    return created.cwd;
  }

  /**
   * Commits what the task left in its worktree, but what it changed outside
   * `writes` (put back, listed in `outside`); returns what it changed.
   */
  async leave(taskId: string, writes: readonly string[]): Promise<{ changes: FileChange[]; outside: string[] }> {
    const workspace = await this.#open();
    const commit = await workspace.commitTask(taskId, { writes });
    return { changes: commit.changes, outside: commit.outside ?? [] };
  }

  /**
   * A resumed run: the worktrees its earlier attempts made, if any, are
   * opened now, so the branches of tasks kept from them are merged at the
   * end even when no task needs a new one.
   */
  reopen(): void {
    this.#workspace ??= this.#manager.openRun(this.#runId).catch(() => this.#manager.startRun(this.#runId, this.#cwd));
  }

  /** Whether any task of the run got a worktree. */
  get used(): boolean {
    return this.#workspace !== undefined;
  }

  /**
   * Merges the branches of `succeeded` (in that order: the plan's, so
   * dependencies first) into `fanout/<run>`, then applies the result to the
   * user's branch when `apply`; with `resolve`, conflicting files are given
   * to it first. Never throws: a failure is the outcome's `error`.
   */
  async finish(succeeded: readonly string[], apply: boolean, resolve?: ConflictResolver): Promise<RunMergeOutcome | undefined> {
    if (this.#workspace === undefined) return undefined;
    let workspace: RunWorkspace;
    try {
      workspace = await this.#workspace;
    } catch {
      return undefined;
    }
    const made = new Set(workspace.tasks().map((task) => task.task));
    try {
      const merge = await workspace.merge({ order: succeeded.filter((id) => made.has(id)), ...(resolve === undefined ? {} : { resolve }) });
      const outcome: RunMergeOutcome = {
        branch: merge.branch,
        commit: merge.commit,
        merged: merge.merged,
        conflicts: merge.conflicts,
        ...(merge.resolved === undefined ? {} : { resolved: merge.resolved }),
      };
      if (!apply) return outcome;
      try {
        await workspace.apply();
        return { ...outcome, applied: true };
      } catch (error) {
        return { ...outcome, applied: false, error: toFanoutError(error).message };
      }
    } catch (error) {
      return { branch: workspace.resultBranch, commit: workspace.baseCommit, merged: [], conflicts: [], error: toFanoutError(error).message };
    }
  }
}

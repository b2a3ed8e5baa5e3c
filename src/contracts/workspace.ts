/**
 * The workspace contract: git worktrees for coding tasks, as the engine
 * uses them. `workspace/` implements it; `compose.ts` injects it.
 */

/** One file a task added, changed or deleted, with its line counts. */
export interface FileChange {
  path: string;
  kind: 'added' | 'changed' | 'deleted';
  /** Lines added; undefined for a binary file. */
  added: number | undefined;
  /** Lines removed; undefined for a binary file. */
  removed: number | undefined;
}

/** A task's worktree and branch. */
export interface TaskWorktree {
  task: string;
  /** `fanout-tasks/<run>/<task>`. */
  branch: string;
  /** Absolute directory of the worktree. */
  path: string;
  /** The commit the worktree was created from. */
  base: string;
  /** Tasks whose merged work `base` holds. */
  dependsOn: string[];
  /**
   * `active` while its worktree exists, `removed` after cleanup left its
   * branch (or removed it too).
   */
  state: 'active' | 'removed';
  /** The dependencies whose branches conflicted when `base` was made (their work is not in it). */
  baseConflicts?: MergeConflict[];
}

/** One conflicting hunk: both sides as they stand in the file git wrote with conflict markers. */
export interface ConflictHunk {
  /** Line of the `<<<<<<<` marker in the merged file, 1-based. */
  line: number;
  /** The lines of the result so far (the tasks merged before). */
  ours: string;
  /** The lines of the task being merged. */
  theirs: string;
}

/** A file two tasks both changed in ways git cannot merge. */
export interface MergeConflict {
  file: string;
  /** The task whose branch could not be merged (its branch is kept). */
  task: string;
  /** The tasks merged before it that changed the same file. */
  withTasks: string[];
  /** git's kind of conflict: `content`, `modify/delete`, `add/add`, `rename/delete`, ... */
  kind: string;
  /** git's one-line description of it. */
  message: string;
  /** The conflicting hunks (empty for conflicts that are not about lines, such as modify/delete). */
  hunks: ConflictHunk[];
  /** Why a resolver (`--resolve`) was asked and its answer not committed: the conflict stands. */
  unresolved?: string;
}

/** A conflict a resolver settled: its answer passed the checks and is committed in the result. */
export interface ResolvedConflict {
  file: string;
  /** The task whose branch was merged with this file resolved. */
  task: string;
  withTasks: string[];
}

/** What a {@link ConflictResolver} is given for one conflicting file. */
export interface ConflictResolveRequest {
  conflict: MergeConflict;
  /** The file in the common ancestor of both sides; undefined when it did not exist there. */
  base: string | undefined;
  /** The file in the result so far (the tasks merged before). */
  ours: string;
  /** The file in the branch of the task being merged. */
  theirs: string;
  /** The file as git merged it, conflict markers included. */
  merged: string;
  signal?: AbortSignal;
}

/**
 * Settles one conflicting file: returns its whole resolved content. The
 * answer is checked (no conflict markers; TypeScript, JavaScript and JSON
 * files must parse) before it is committed; a throw or a failed check
 * leaves the conflict reported with the reason.
 */
export type ConflictResolver = (request: ConflictResolveRequest) => Promise<string>;

/** What merging a run's task branches into its result branch did. */
export interface MergeResult {
  /** `fanout/<run>`. */
  branch: string;
  /** The result branch's commit. */
  commit: string;
  /** Tasks whose work is in the result (in merge order). */
  merged: string[];
  /** Tasks without changes (nothing to merge). */
  unchanged: string[];
  /** Tasks left out because of conflicts, each conflicting file once. */
  conflicts: MergeConflict[];
  /** Conflicts a resolver settled (only when merging with one); their tasks are in `merged`. */
  resolved?: ResolvedConflict[];
}

/** Cancellation for one operation. */
export interface OperationOptions {
  signal?: AbortSignal;
}

/** A task's committed work. */
export interface TaskCommit {
  /** The branch tip after the commit (the base when the task changed nothing). */
  commit: string;
  /** True when this call made a commit. */
  committed: boolean;
  /** What the task changed against its base. */
  changes: FileChange[];
  /** Paths (relative to the run's directory) it changed outside its write scope: put back, not committed. */
  outside?: string[];
}

/** What `apply` did to the user's branch. */
export interface ApplyResult {
  branch: string;
  from: string;
  to: string;
  /** `fast-forward`, `merge`, or `up-to-date` when the branch already held the result. */
  how: 'fast-forward' | 'merge' | 'up-to-date';
}

/** A branch `clean` kept or deleted with work that is in no other branch. */
export interface UnmergedBranch {
  branch: string;
  /** The task, or undefined for the run's result branch. */
  task: string | undefined;
  changes: FileChange[];
}

/** What `clean` did. */
export interface CleanResult {
  /** Worktree directories removed. */
  removedWorktrees: string[];
  /** Branches deleted. */
  deletedBranches: string[];
  /** Branches kept because their work is not merged anywhere (only without `force`). */
  kept: UnmergedBranch[];
  /** Branches deleted with work that is in no other branch (only with `force`). */
  lost: UnmergedBranch[];
}

/** The worktrees of one run in one repository. */
export interface RunWorkspace {
  readonly run: string;
  /** Top of the user's work tree. */
  readonly repo: string;
  readonly baseBranch: string;
  readonly baseCommit: string;
  /** `fanout/<run>`. */
  readonly resultBranch: string;
  /** The task worktrees made so far. */
  tasks(): TaskWorktree[];
  /**
   * Makes the worktree of a task on branch `fanout-tasks/<run>/<task>`,
   * from the run's base commit or, with `dependsOn`, from a commit that
   * merges those tasks' committed branches onto it. Worktrees are made one
   * at a time per repository; the files are checked out outside that queue.
   * A task whose worktree already exists (a resumed run) gets it back.
   * With `only`, a lean worktree: just the files those globs (relative to
   * the run's working directory) match are checked out, the others stay in
   * the index untouched (git's skip-worktree), so its commit changes only
   * what the task changed; globs git cannot express (braces, extglobs)
   * mean a whole checkout.
   * Throws `WORKSPACE_INVALID` when the branch already exists, leaving
   * nothing behind.
   */
  createTask(task: string, options?: OperationOptions & { dependsOn?: readonly string[]; only?: readonly string[] }): Promise<TaskWorktree & { cwd: string }>;
  /**
   * Commits everything the task left in its worktree on its branch (message
   * naming run and task). With `writes`, what it changed outside those globs
   * is put back first and listed in `outside`: never committed.
   */
  commitTask(task: string, options?: OperationOptions & { writes?: readonly string[] }): Promise<TaskCommit>;
  /** What the task changed against its base, committed work only. */
  changes(task: string, options?: OperationOptions): Promise<FileChange[]>;
  /** The diff of a task's branch against its base, or (no task) of the result branch against the run's base. */
  diff(task?: string, options?: OperationOptions): Promise<string>;
  /**
   * Merges the task branches, in the order their worktrees were made (so
   * dependencies first) or the order given, into `fanout/<run>` without
   * touching any work tree. Conflicting tasks are left out and reported;
   * with `resolve`, each of a task's conflicting files (content conflicts)
   * is given to it first, and the task is merged with the answers when every
   * one passed the checks.
   */
  merge(options?: OperationOptions & { order?: readonly string[]; resolve?: ConflictResolver }): Promise<MergeResult>;
  /** The last merge, if any. */
  lastMerge(): MergeResult | undefined;
  /**
   * Moves the user's branch to the result: a fast-forward, or a merge when
   * the branch moved since. Refuses (`WORKSPACE_INVALID`, nothing changed)
   * on uncommitted changes, another branch checked out, or conflicts.
   */
  apply(options?: OperationOptions): Promise<ApplyResult>;
  /**
   * Removes the run's worktrees (committing what a task left uncommitted
   * first, so nothing is lost with them) and its merged branches; branches
   * with work that is nowhere else are kept unless `force`. `dryRun` says
   * what would happen and changes nothing.
   */
  clean(options?: OperationOptions & { force?: boolean; dryRun?: boolean }): Promise<CleanResult>;
}

/** Makes, merges and cleans the git worktrees of fanout's runs. */
export interface WorktreeManager {
  /** Where worktrees live: `$FANOUT_HOME/worktrees`. */
  readonly root: string;
  /**
   * Starts the worktrees of a run in the repository holding `dir` (or
   * returns them when the run already has some). Throws
   * `WORKSPACE_INVALID` when `dir` is not in a git repository, HEAD is
   * detached or unborn, the run id cannot name a branch, or `fanout/<run>`
   * exists. Makes no git change.
   */
  startRun(run: string, dir: string, options?: OperationOptions): Promise<RunWorkspace>;
  /** A run's worktrees; `NOT_FOUND` when the run has none. */
  openRun(run: string): Promise<RunWorkspace>;
  /** Runs that have worktrees or kept branches. */
  runs(): string[];
  /**
   * Whether `dir` can hold a run's worktrees (in a git repository, on a
   * branch with a commit), checked synchronously so that a plan check can
   * refuse before anything is recorded. With `uncommitted`, also the
   * tracked files with uncommitted changes (what `apply` refuses).
   */
  inspect(dir: string, options?: { uncommitted?: boolean }): RepositoryState;
}


/** What a directory offers for worktree isolation, found without changing anything. */
export type RepositoryState =
  | { ok: true; root: string; branch: string; commit: string; uncommitted?: string[] }
  | { ok: false; problem: string };

/** What the tasks of a run changed and what was refused: the change review of reports and status. */
export interface ChangeReview {
  /** Per task that ran in a worktree, the files it added, changed and deleted, in the order tasks ended. */
  tasks: Array<{ id: string; changes: FileChange[] }>;
  /** The merge into `fanout/<run>`, once the run ended. */
  merge?: { branch: string; commit: string; merged: string[]; conflicts: MergeConflict[]; resolved?: ResolvedConflict[]; applied?: boolean; error?: string };
  /** Writes and commands that were refused or failed (write_file, edit_file, bash), one line each. */
  refused: Array<{ id: string; tool: string; detail: string }>;
}


/** `<root> has uncommitted changes (a.ts, b.ts, c.ts, and 2 more)`: how every refusal of a dirty tree names it. */
export function uncommittedChanges(root: string, files: readonly string[]): string {
  const shown = files.slice(0, 3).join(', ') + (files.length > 3 ? `, and ${files.length - 3} more` : '');
  return `${root} has uncommitted changes (${shown})`;
}

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
}

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
}

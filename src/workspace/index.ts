/**
 * Git worktrees for coding subagents: one worktree and branch per task,
 * merged into a result branch without touching the user's work tree, with
 * conflicts reported per file and nothing lost on cleanup.
 */
export { hasConflictMarkers, parseConflictHunks } from './merge-branches.js';
export { findRepository, headState, type HeadState, type Repository } from './repository.js';
export type { ConflictHunk, FileChange, MergeConflict, MergeResult, TaskWorktree } from './types.js';
export {
  createWorktreeManager,
  type ApplyResult,
  type CleanResult,
  type OperationOptions,
  type RunWorkspace,
  type TaskCommit,
  type UnmergedBranch,
  type WorktreeManager,
  type WorktreeManagerOptions,
} from './worktree-manager.js';

/**
 * Git worktrees for coding subagents: one worktree and branch per task,
 * merged into a result branch without touching the user's work tree, with
 * conflicts reported per file and nothing lost on cleanup. Implements the
 * contract in contracts/workspace.ts.
 */
export { createWorktreeManager, type WorktreeManagerOptions } from './worktree-manager.js';

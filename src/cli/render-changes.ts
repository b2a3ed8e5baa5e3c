import type { ChangeReview, CleanResult, FileChange, MergeConflict, ResolvedConflict } from '../contracts/workspace.js';

/** `src/a.ts (added, +3)`, `src/b.ts (changed, +2 -1)`, `logo.png (changed, binary)`. */
export function renderChange(change: FileChange): string {
  if (change.added === undefined || change.removed === undefined) return `${change.path} (${change.kind}, binary)`;
  const counts = [change.added > 0 ? `+${change.added}` : '', change.removed > 0 ? `-${change.removed}` : ''].filter(Boolean).join(' ');
  return `${change.path} (${change.kind}${counts === '' ? '' : `, ${counts}`})`;
}

/** One line per task with changes: `  <task>: 2 files: a.ts (added, +3), b.ts (changed, +1 -1)`. */
export function renderTaskChanges(task: string, changes: readonly FileChange[]): string {
  if (changes.length === 0) return `  ${task}: no changes`;
  return `  ${task}: ${changes.length} file${changes.length === 1 ? '' : 's'}: ${changes.map(renderChange).join(', ')}`;
}

/** The conflict lines of a merge: per file, both tasks, the hunks' first lines. */
export function renderConflicts(conflicts: readonly MergeConflict[], run: string): string[] {
  return conflicts.map((conflict) => {
    const others = conflict.withTasks.length === 0 ? 'the result' : conflict.withTasks.join(', ');
    const hunks = conflict.hunks.map((hunk) => `line ${hunk.line}: ${firstLine(hunk.ours)} | ${firstLine(hunk.theirs)}`).join('; ');
    const unresolved = conflict.unresolved === undefined ? '' : `; not resolved: ${conflict.unresolved}`;
    return `  conflict in ${conflict.file} (${conflict.kind}): task ${conflict.task} vs ${others}${hunks === '' ? `: ${conflict.message}` : `: ${hunks}`}${unresolved}; kept branch fanout-tasks/${run}/${conflict.task}`;
  });
}

/** One line per conflict a resolver settled. */
export function renderResolved(resolved: readonly ResolvedConflict[]): string[] {
  return resolved.map((entry) => `  resolved ${entry.file}: task ${entry.task} vs ${entry.withTasks.length === 0 ? 'the result' : entry.withTasks.join(', ')} (checked, committed)`);
}

/** What `clean` did, and what it kept or deleted with unmerged work. */
export function renderClean(run: string, result: CleanResult): string[] {
  const lines = [`${run}: removed ${result.removedWorktrees.length} worktree${result.removedWorktrees.length === 1 ? '' : 's'}, deleted ${result.deletedBranches.length} branch${result.deletedBranches.length === 1 ? '' : 'es'}`];
  for (const kept of result.kept) {
    lines.push(`  kept ${kept.branch}: unmerged work in ${kept.changes.map(renderChange).join(', ') || 'no files'} (fanout clean ${run} --force deletes it)`);
  }
  for (const lost of result.lost) lines.push(`  deleted ${lost.branch} with unmerged work in ${lost.changes.map(renderChange).join(', ') || 'no files'}`);
  return lines;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

/**
 * The change review of a run: per task the files it changed, the refused
 * writes and commands, then where the merged result is and how to use it.
 */
export function renderChangeReview(review: ChangeReview, run: string): string[] {
  const lines = ['Changes', ...review.tasks.map((task) => renderTaskChanges(task.id, task.changes))];
  for (const refused of review.refused) lines.push(`  ${refused.id}: refused ${refused.tool}: ${firstLine(refused.detail)}`);
  const { merge } = review;
  if (merge === undefined) return lines;
  if (merge.error !== undefined && merge.applied !== false) {
    lines.push(`  merge failed: ${merge.error}`);
    return lines;
  }
  lines.push(`  merged ${merge.merged.length} task${merge.merged.length === 1 ? '' : 's'} into ${merge.branch}${merge.merged.length > 0 ? ` (${merge.merged.join(', ')})` : ''}`);
  lines.push(...renderResolved(merge.resolved ?? []), ...renderConflicts(merge.conflicts, run));
  if (merge.applied === true) lines.push(`  applied to your branch`);
  else if (merge.applied === false) lines.push(`  not applied: ${merge.error ?? 'refused'}`);
  else lines.push(`  review: fanout diff ${run} · apply: fanout apply ${run} · clean up: fanout clean ${run}`);
  return lines;
}

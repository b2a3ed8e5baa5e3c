import { toFanoutError } from '../contracts/errors.js';
import { checkResolution } from './check-resolution.js';
import { git, withTemporaryIndex, type GitOptions } from './git.js';
import type { ConflictResolver, MergeConflict } from '../contracts/workspace.js';

type Call = Pick<GitOptions, 'signal' | 'timeoutMs' | 'cwd'>;

/** One step's merge that conflicted: the result so far, the branch tip, and the tree git wrote (markers included). */
export interface ConflictedMerge {
  ours: string;
  theirs: string;
  tree: string;
  conflicts: readonly MergeConflict[];
}

/**
 * Asks `resolve` for every conflicting file of one step (all at once) and
 * checks each answer. Returns the tree with the answers in place of the
 * conflicted files when every file was settled; else the conflicts, each
 * with why it stands (`unresolved`). A branch is merged whole or not at all,
 * so one file that fails leaves the others of its step unresolved too.
 */
export async function resolveConflicts(
  merge: ConflictedMerge,
  resolve: ConflictResolver,
  call: Call,
): Promise<{ tree: string } | { conflicts: MergeConflict[] }> {
  const mergeBase = (await git(['merge-base', merge.ours, merge.theirs], { ...call, okCodes: [1] })).stdout.trim();
  const blob = async (commit: string, file: string): Promise<string | undefined> => {
    if (commit === '') return undefined;
    const shown = await git(['cat-file', 'blob', `${commit}:${file}`], { ...call, okCodes: [128] });
    return shown.code === 0 ? shown.stdout : undefined;
  };
  const answers = await Promise.all(
    merge.conflicts.map(async (conflict): Promise<{ content: string } | { reason: string }> => {
      const [base, ours, theirs, merged] = await Promise.all([
        blob(mergeBase, conflict.file),
        blob(merge.ours, conflict.file),
        blob(merge.theirs, conflict.file),
        blob(merge.tree, conflict.file),
      ]);
      if (conflict.hunks.length === 0 || ours === undefined || theirs === undefined || merged === undefined) {
        return { reason: `a ${conflict.kind} conflict is not about lines; resolve it by hand` };
      }
      try {
        const content = await resolve({ conflict, base, ours, theirs, merged, ...(call.signal === undefined ? {} : { signal: call.signal }) });
        const refused = await checkResolution(conflict.file, content);
        return refused === undefined ? { content } : { reason: `the resolver's answer was not committed: ${refused}` };
      } catch (error) {
        return { reason: `the resolver failed: ${toFanoutError(error).message}` };
      }
    }),
  );
  const failed = merge.conflicts.flatMap((conflict, index) => {
    const answer = answers[index];
    return answer !== undefined && 'reason' in answer ? [conflict.file] : [];
  });
  if (failed.length > 0) {
    return {
      conflicts: merge.conflicts.map((conflict, index) => {
        const answer = answers[index];
        const unresolved = answer !== undefined && 'reason' in answer ? answer.reason : `resolved, but not committed: ${failed.join(', ')} of the same task was not`;
        return { ...conflict, unresolved };
      }),
    };
  }
  const contents = answers.map((answer) => (answer as { content: string }).content);
  return { tree: await replaceFiles(merge.tree, merge.conflicts.map((conflict, index) => ({ file: conflict.file, content: contents[index] ?? '' })), call) };
}

/**
 * The tree `tree` with the given files' contents replaced (modes kept), made
 * in a temporary index of its own: no work tree and no real index is touched.
 */
async function replaceFiles(tree: string, files: ReadonlyArray<{ file: string; content: string }>, call: Call): Promise<string> {
  return withTemporaryIndex(call, async (at) => {
    await git(['read-tree', tree], at);
    for (const { file, content } of files) {
      const listed = (await git(['ls-tree', '-z', tree, '--', file], call)).stdout;
      const mode = /^(\d{6}) /.exec(listed)?.[1] ?? '100644';
      const blob = (await git(['hash-object', '-w', '--stdin'], { ...call, input: content })).stdout.trim();
      await git(['update-index', '--cacheinfo', `${mode},${blob},${file}`], at);
    }
    return (await git(['write-tree'], at)).stdout.trim();
  });
}

import { changedFiles } from './changes.js';
import { git, withTemporaryIndex, type GitOptions } from './git.js';
import type { Repository } from './repository.js';
import { resolveConflicts } from './resolve-conflicts.js';
import type { ConflictHunk, ConflictResolver, MergeConflict, ResolvedConflict } from '../contracts/workspace.js';

/** One branch to merge: the task it holds, its tip commit and the commit it started from. */
export interface MergeStep {
  task: string;
  commit: string;
  /** Where the task started: what it changed, against this, names who else touched a conflicting file. */
  base: string;
}

/** How {@link mergeSteps} runs. */
export interface MergeStepsOptions extends Pick<GitOptions, 'signal' | 'timeoutMs'> {
  /** Environment for `commit-tree` (commit identity). */
  env: Readonly<Record<string, string>>;
  /** The message of the merge commit that brings in `task`. */
  message(task: string): string;
  /** Settles a step's conflicting files (see {@link resolveConflicts}); without it a conflicting step is left out. */
  resolve?: ConflictResolver;
  /**
   * The message of one merge commit that brings in all `tasks` at once:
   * given, steps that change disjoint files are merged in one commit (see
   * {@link mergeDisjoint}).
   */
  messageAll?(tasks: readonly string[]): string;
}

/** The outcome of merging steps onto a start commit. */
export interface MergedSteps {
  commit: string;
  merged: string[];
  conflicts: MergeConflict[];
  /** Conflicts `resolve` settled. */
  resolved: ResolvedConflict[];
}

/**
 * Merges each step onto `start` in order, without a work tree: `git
 * merge-tree --write-tree` computes the merged tree in the object store and
 * `git commit-tree` records it as a merge commit, so neither the user's tree
 * nor any index moves. A step whose merge changes nothing (its work is
 * already in the result, as a dependency's is in its dependent's) makes no
 * commit; a step that conflicts is left out and reported, file by file,
 * unless `resolve` settles every one of its files (then it is merged with
 * the answers). Two git calls per clean step.
 */
export async function mergeSteps(repo: Repository, start: string, steps: readonly MergeStep[], options: MergeStepsOptions): Promise<MergedSteps> {
  const call = { signal: options.signal, timeoutMs: options.timeoutMs, cwd: repo.root };
  const disjoint = options.messageAll === undefined ? undefined : await mergeDisjoint(start, steps, options.messageAll, { ...call, env: options.env });
  if (disjoint !== undefined) return disjoint;
  let current = start;
  let currentTree = (await git(['rev-parse', `${start}^{tree}`], call)).stdout.trim();
  const merged: MergeStep[] = [];
  const conflicts: MergeConflict[] = [];
  const resolved: ResolvedConflict[] = [];
  for (const step of steps) {
    const result = await git(['merge-tree', '--write-tree', '-z', '--name-only', current, step.commit], { ...call, okCodes: [1] });
    const parsed = parseMergeTree(result.stdout);
    if (result.code === 0) {
      if (parsed.tree !== currentTree) {
        const commit = await git(['commit-tree', parsed.tree, '-p', current, '-p', step.commit, '-m', options.message(step.task)], {
          ...call,
          env: options.env,
        });
        current = commit.stdout.trim();
        currentTree = parsed.tree;
      }
      merged.push(step);
      continue;
    }
    const touched = await Promise.all(
      merged.map(async (earlier) => ({ task: earlier.task, files: new Set((await changedFiles(repo.root, earlier.base, earlier.commit, call)).map((change) => change.path)) })),
    );
    const found: MergeConflict[] = [];
    for (const file of parsed.files) {
      const info = parsed.messages.get(file);
      found.push({
        file,
        task: step.task,
        withTasks: touched.filter((entry) => entry.files.has(file)).map((entry) => entry.task),
        kind: info?.kind ?? 'contents',
        message: info?.message ?? `Merge conflict in ${file}`,
        hunks: await conflictHunks(parsed.tree, file, call),
      });
    }
    if (options.resolve === undefined) {
      conflicts.push(...found);
      continue;
    }
    const settled = await resolveConflicts({ ours: current, theirs: step.commit, tree: parsed.tree, conflicts: found }, options.resolve, call);
    if ('conflicts' in settled) {
      conflicts.push(...settled.conflicts);
      continue;
    }
    const commit = await git(['commit-tree', settled.tree, '-p', current, '-p', step.commit, '-m', options.message(step.task)], { ...call, env: options.env });
    current = commit.stdout.trim();
    currentTree = settled.tree;
    merged.push(step);
    resolved.push(...found.map(({ file, task, withTasks }) => ({ file, task, withTasks })));
  }
  return { commit: current, merged: merged.map((step) => step.task), conflicts, resolved };
}

const ZERO_OBJECT = '0'.repeat(40);

/**
 * The common case in one commit: when no two steps change the same path
 * (nor one a path under another's), merging them one by one could not
 * conflict and would give the tree of `start` with every step's changes
 * applied. That tree is built in a temporary index from one `diff-tree
 * --stdin` of all steps, and recorded as one merge commit whose parents are
 * `start` and every step: about 6 git processes instead of 2 per step.
 * Undefined (nothing written but objects) when the steps touch a common
 * path, when one started elsewhere than `start`, or when there are fewer
 * than two: then they are merged one by one.
 */
async function mergeDisjoint(
  start: string,
  steps: readonly MergeStep[],
  messageAll: (tasks: readonly string[]) => string,
  call: Pick<GitOptions, 'signal' | 'timeoutMs' | 'cwd' | 'env'>,
): Promise<MergedSteps | undefined> {
  // A step from another base (a dependent's, holding its dependencies' work) brings in more than its own diff.
  if (steps.length < 2 || steps.some((step) => step.base !== start)) return undefined;
  const { env, ...plain } = call;
  // A line `<tip> <base>` compares base to tip; its output starts with the tip (and is absent when nothing changed).
  const diff = await git(['diff-tree', '--stdin', '-r', '--no-renames', '-z'], { ...plain, input: steps.map((step) => `${step.commit} ${step.base}\n`).join('') });
  const fields = diff.stdout.split('\0');
  const owner = new Map<string, string>();
  const entries: string[] = [];
  let tip = '';
  for (let at = 0; at < fields.length; at += 1) {
    const field = fields[at] as string;
    if (!field.startsWith(':')) {
      tip = field;
      continue;
    }
    const file = fields[at + 1] as string;
    at += 1;
    if (owner.has(file)) return undefined;
    owner.set(file, tip);
    // `:<old mode> <new mode> <old object> <new object> <status>`
    const [, mode, , object, status] = field.slice(1).split(' ');
    entries.push(status === 'D' ? `0 ${ZERO_OBJECT}\t${file}\0` : `${mode} ${object}\t${file}\0`);
  }
  for (const file of owner.keys()) {
    for (let slash = file.indexOf('/'); slash > 0; slash = file.indexOf('/', slash + 1)) if (owner.has(file.slice(0, slash))) return undefined;
  }
  return withTemporaryIndex(plain, async (at) => {
    await git(['read-tree', start], at);
    await git(['update-index', '-z', '--index-info'], { ...at, input: entries.join('') });
    const tree = (await git(['write-tree'], at)).stdout.trim();
    const parents = steps.flatMap((step) => ['-p', step.commit]);
    const commit = await git(['commit-tree', tree, '-p', start, ...parents, '-m', messageAll(steps.map((step) => step.task))], { ...plain, ...(env === undefined ? {} : { env }) });
    return { commit: commit.stdout.trim(), merged: steps.map((step) => step.task), conflicts: [], resolved: [] };
  });
}

interface ParsedMergeTree {
  tree: string;
  files: string[];
  messages: Map<string, { kind: string; message: string }>;
}

/**
 * Reads `merge-tree --write-tree -z --name-only` output: the tree, the
 * conflicted files up to an empty field, then messages as
 * `<count> <path>... <type> <message>` fields.
 */
export function parseMergeTree(stdout: string): ParsedMergeTree {
  const fields = stdout.split('\0');
  const tree = (fields[0] ?? '').trim();
  const files: string[] = [];
  let at = 1;
  for (; at < fields.length && fields[at] !== ''; at += 1) files.push(fields[at] as string);
  at += 1;
  const messages = new Map<string, { kind: string; message: string }>();
  while (at < fields.length) {
    const count = Number(fields[at]);
    if (!Number.isInteger(count) || count < 1) break;
    const paths = fields.slice(at + 1, at + 1 + count);
    const type = fields[at + 1 + count] ?? '';
    const message = (fields[at + 2 + count] ?? '').trim();
    at += 3 + count;
    const kind = /^CONFLICT \(([^)]+)\)/.exec(type)?.[1];
    if (kind === undefined) continue;
    for (const file of paths) if (!messages.has(file)) messages.set(file, { kind, message: message.replace(/^CONFLICT \([^)]+\):\s*/, '') });
  }
  return { tree, files, messages };
}

async function conflictHunks(tree: string, file: string, call: Pick<GitOptions, 'signal' | 'timeoutMs' | 'cwd'>): Promise<ConflictHunk[]> {
  const blob = await git(['cat-file', 'blob', `${tree}:${file}`], { ...call, okCodes: [128] });
  return blob.code === 0 ? parseConflictHunks(blob.stdout) : [];
}

/**
 * The hunks between conflict markers in a file git wrote. The base section
 * of the `diff3`/`zdiff3` styles (after `|||||||`) is left out.
 */
export function parseConflictHunks(text: string): ConflictHunk[] {
  const hunks: ConflictHunk[] = [];
  const lines = text.split('\n');
  let open: { line: number; ours: string[]; theirs: string[]; side: 'ours' | 'base' | 'theirs' } | undefined;
  lines.forEach((line, index) => {
    if (line.startsWith('<<<<<<<')) {
      open = { line: index + 1, ours: [], theirs: [], side: 'ours' };
    } else if (open === undefined) {
      return;
    } else if (line.startsWith('|||||||')) {
      open.side = 'base';
    } else if (line === '=======' || line.startsWith('======= ')) {
      open.side = 'theirs';
    } else if (line.startsWith('>>>>>>>')) {
      hunks.push({ line: open.line, ours: open.ours.join('\n'), theirs: open.theirs.join('\n') });
      open = undefined;
    } else if (open.side !== 'base') {
      open[open.side].push(line);
    }
  });
  return hunks;
}

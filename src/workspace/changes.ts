import { git, type GitOptions } from './git.js';
import type { FileChange } from '../contracts/workspace.js';

type CallOptions = Pick<GitOptions, 'signal' | 'timeoutMs'>;

/**
 * The files changed between two commits, with line counts, from one `git
 * diff --raw --numstat`. Renames are shown as a deletion and an addition,
 * so that every path a task touched is named as it was and as it is.
 */
export async function changedFiles(cwd: string, from: string, to: string, options: CallOptions = {}): Promise<FileChange[]> {
  const result = await git(['diff', '--no-renames', '--raw', '--numstat', '-z', from, to], { ...options, cwd });
  const fields = result.stdout.split('\0');
  const kinds = new Map<string, FileChange['kind']>();
  const changes: FileChange[] = [];
  for (let at = 0; at < fields.length; at += 1) {
    const field = fields[at] as string;
    if (field.startsWith(':')) {
      const letter = field.slice(-1);
      kinds.set(fields[at + 1] as string, letter === 'A' ? 'added' : letter === 'D' ? 'deleted' : 'changed');
      at += 1;
      continue;
    }
    const match = /^(-|\d+)\t(-|\d+)\t(.+)$/s.exec(field);
    if (match === null) continue;
    const file = match[3] as string;
    changes.push({ path: file, kind: kinds.get(file) ?? 'changed', added: count(match[1] as string), removed: count(match[2] as string) });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The unified diff between two commits. */
export async function diffText(cwd: string, from: string, to: string, options: CallOptions = {}): Promise<string> {
  const result = await git(['diff', '--no-color', '--no-ext-diff', from, to], { ...options, cwd });
  return result.stdout;
}

function count(field: string): number | undefined {
  return field === '-' ? undefined : Number(field);
}

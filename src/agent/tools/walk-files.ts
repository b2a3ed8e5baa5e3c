import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { FanoutError } from '../../contracts/errors.js';
import type { ResolvedPath } from '../sandbox.js';

/** Directories never walked into: huge, and not what a task is about. */
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);

/** A file found by {@link walkFiles}. */
export interface WalkedFile {
  /** Path relative to the working directory, `/`-separated. */
  relative: string;
  absolute: string;
  /** Symlinks are listed but never followed, so a walk cannot leave the sandbox. */
  symlink: boolean;
}

/**
 * Every file under `start` (or `start` itself when it is a file), sorted by
 * path, skipping `.git` and `node_modules`. Unreadable directories are skipped.
 */
export async function walkFiles(start: ResolvedPath, signal: AbortSignal): Promise<WalkedFile[]> {
  if (!(await stat(start.absolute)).isDirectory()) {
    return [{ relative: start.realRelative, absolute: start.absolute, symlink: false }];
  }
  const files: WalkedFile[] = [];
  const pending = [{ absolute: start.absolute, relative: start.realRelative }];
  for (let directory = pending.pop(); directory !== undefined; directory = pending.pop()) {
    if (signal.aborted) throw new FanoutError('ABORTED', 'file walk aborted');
    const entries = await readdir(directory.absolute, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const relative = directory.relative === '.' ? entry.name : `${directory.relative}/${entry.name}`;
      const absolute = path.join(directory.absolute, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) pending.push({ absolute, relative });
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        files.push({ relative, absolute, symlink: entry.isSymbolicLink() });
      }
    }
  }
  return files.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
}

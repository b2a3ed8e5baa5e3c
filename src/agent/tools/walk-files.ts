import { stat } from 'node:fs/promises';
import { FanoutError } from '../../contracts/errors.js';
import type { ResolvedPath } from '../sandbox.js';
import { FD_DIRECTORY, readDirectoryInside } from './confined-file.js';

/** Directories never walked into: huge, and not what a task is about. */
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);

/** A file found by {@link walkFiles}. */
export interface WalkedFile {
  /** Path relative to the real working directory, `/`-separated. */
  relative: string;
  /** Symlinks are listed but never followed, so a walk cannot leave the sandbox. */
  symlink: boolean;
}

/**
 * Every file under `start` (or `start` itself when it is not a directory),
 * sorted by path, skipping `.git` and `node_modules`. Each directory is
 * listed only where it really is ({@link readDirectoryInside}), so a
 * directory swapped for a symlink during the walk lists nothing; unreadable
 * directories are skipped.
 */
export async function walkFiles(realCwd: string, start: ResolvedPath, signal: AbortSignal): Promise<WalkedFile[]> {
  if (!(await stat(start.absolute)).isDirectory()) return [{ relative: start.realRelative, symlink: false }];
  const files: WalkedFile[] = [];
  const pending = [start.realRelative];
  for (let directory = pending.pop(); directory !== undefined; directory = pending.pop()) {
    if (signal.aborted) throw new FanoutError('ABORTED', 'file walk aborted');
    for (const entry of await readDirectoryInside(realCwd, directory, FD_DIRECTORY)) {
      const relative = directory === '.' ? entry.name : `${directory}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) pending.push(relative);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        files.push({ relative, symlink: entry.isSymbolicLink() });
      }
    }
  }
  return files.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
}

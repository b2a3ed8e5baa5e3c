import { readdirSync } from 'node:fs';
import path from 'node:path';
import { compileGlobMatcher } from '../agent/index.js';
import type { Plan } from '../contracts/plan.js';
import { globsCanOverlap } from '../plan/index.js';

/** Directories not searched, as the file tools skip them. */
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);
/** Most directory entries looked at per glob: past it the glob counts as matching (no warning rather than a slow check). */
const MAX_ENTRIES_PER_GLOB = 20_000;
const GLOB_CHARACTERS = /[*?[{]/;

/** A `files` glob of a task that matches nothing in the working directory. */
export interface UnmatchedGlob {
  /** `tasks[1].files[0]` */
  field: string;
  taskId: string;
  glob: string;
}

/**
 * The `files` globs that match no file or directory under `cwd`: most
 * likely typos, since a task told to read `src/auht/**` reads nothing.
 * A glob another task may write is left out (its files may not exist yet);
 * `writes` globs are never checked (a task may create what they name).
 */
export function unmatchedFileGlobs(plan: Plan, cwd: string): UnmatchedGlob[] {
  const writes = plan.tasks.flatMap((task) => (task.writes ?? []).map((glob) => ({ taskId: task.id, glob })));
  const unmatched: UnmatchedGlob[] = [];
  plan.tasks.forEach((task, index) => {
    (task.files ?? []).forEach((glob, at) => {
      if (writes.some((write) => write.taskId !== task.id && globsCanOverlap(write.glob, glob))) return;
      if (!matchesSomething(cwd, glob)) unmatched.push({ field: `tasks[${index}].files[${at}]`, taskId: task.id, glob });
    });
  });
  return unmatched;
}

/** Whether a file or directory under `cwd` matches `glob`, searched from the glob's literal leading directories. */
function matchesSomething(cwd: string, glob: string): boolean {
  const normalized = path.posix.normalize(glob.replace(/^\.\//, '')).replace(/\/$/, '');
  const segments = normalized.split('/');
  const firstPattern = segments.findIndex((segment) => GLOB_CHARACTERS.test(segment));
  const base = (firstPattern < 0 ? segments : segments.slice(0, firstPattern)).join('/');
  let matches: (relative: string) => boolean;
  try {
    matches = compileGlobMatcher(normalized);
  } catch {
    return true; // the plan's own checks judge the glob
  }
  let budget = MAX_ENTRIES_PER_GLOB;
  const pending = [base === '' || base === '.' ? '' : base];
  for (let relative = pending.pop(); relative !== undefined; relative = pending.pop()) {
    let entries;
    try {
      entries = readdirSync(path.join(cwd, relative), { withFileTypes: true });
    } catch (error) {
      // A file where a directory was expected: the literal path itself is what the glob names.
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR' && relative !== '' && matches(relative)) return true;
      continue;
    }
    if (relative !== '' && matches(relative)) return true;
    for (const entry of entries) {
      if ((budget -= 1) < 0) return true;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (matches(child)) return true;
      if (entry.isDirectory() && !SKIPPED_DIRECTORIES.has(entry.name)) pending.push(child);
    }
  }
  return false;
}

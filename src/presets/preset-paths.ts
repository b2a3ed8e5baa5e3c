import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { FanoutError } from '../contracts/errors.js';

/** A path given to a preset, checked to exist inside the working directory. */
export interface PresetPath {
  /** Relative to the working directory, with `/` separators; `.` for the directory itself. */
  relative: string;
  isDirectory: boolean;
  /** The glob a task reads for it: `<dir>/**` for a directory, the file itself otherwise. */
  glob: string;
}

/**
 * Checks that every path exists and lies inside `cwd` (also after resolving
 * symlinks), and that it is a directory when `directoriesOnly`. Throws
 * FanoutError `OPTION_INVALID` with one line naming the first bad path.
 * Paths naming the same place are kept once, in the order first given.
 */
export function resolvePresetPaths(paths: readonly string[], cwd: string, directoriesOnly: boolean): PresetPath[] {
  const root = path.resolve(cwd);
  const realRoot = realpathSync(root);
  const seen = new Set<string>();
  const resolved: PresetPath[] = [];
  for (const given of paths) {
    const fail = (what: string): never => {
      throw new FanoutError('OPTION_INVALID', `"${given}" ${what}`, { where: given });
    };
    const absolute = path.resolve(root, given);
    const relative = relativeInside(root, absolute) ?? fail(`is outside the working directory ${root}`);
    let isDirectory = false;
    try {
      isDirectory = statSync(absolute).isDirectory();
    } catch {
      fail(`does not exist (looked for ${absolute})`);
    }
    if (relativeInside(realRoot, realpathSync(absolute)) === undefined) {
      fail(`leads outside the working directory ${root} through a symbolic link`);
    }
    if (directoriesOnly && !isDirectory) fail('is not a directory');
    if (seen.has(relative)) continue;
    seen.add(relative);
    const escaped = escapeGlob(relative);
    resolved.push({
      relative,
      isDirectory,
      glob: isDirectory ? (relative === '.' ? '**' : `${escaped}/**`) : escaped,
    });
  }
  return resolved;
}

/** Escapes glob syntax so that a real path (say `app/[id]`) matches only itself. */
export function escapeGlob(relativePath: string): string {
  return relativePath.replace(/[\\*?[\]{}()!+@]/g, (char) => `\\${char}`);
}

/**
 * Files under `relative` (a file or a directory), relative to `cwd`, in a
 * stable order (breadth-first, sorted by name), skipping dot-directories and
 * `node_modules`, at most `limit`. For the presets' simulated answers.
 */
export function listPresetFiles(cwd: string, relative: string, limit: number): string[] {
  const files: string[] = [];
  const queue = [relative];
  while (queue.length > 0 && files.length < limit) {
    const current = queue.shift() as string;
    let entries;
    try {
      entries = readdirSync(path.join(cwd, current), { withFileTypes: true });
    } catch {
      // Not a directory: the path is a file.
      files.push(current);
      continue;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const child = current === '.' ? entry.name : `${current}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules') queue.push(child);
      } else if (entry.isFile() && files.length < limit) {
        files.push(child);
      }
    }
  }
  return files;
}

/** The file a simulated agent reads first: the first one that is not a test, else the first one. */
export function sampleFile(files: readonly string[]): string | undefined {
  return files.find((file) => !/(^|[./_-])(test|spec)s?([./_-]|$)/i.test(file)) ?? files[0];
}

function relativeInside(root: string, absolute: string): string | undefined {
  const relative = path.relative(root, absolute);
  if (relative === '') return '.';
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

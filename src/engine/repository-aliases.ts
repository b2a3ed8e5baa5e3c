import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import path from 'node:path';
import type { Plan } from '../contracts/plan.js';

/** A path of the repository that leads to another file (see `AnalyzeOptions.aliases`). */
export interface PathAlias {
  path: string;
  real: string;
}

/** Git's mode of a symbolic link in the index. */
const SYMLINK_MODE = '120000';

/**
 * The tracked files under `cwd` reached through a tracked symbolic link
 * under another name, both relative to `cwd`: a link to a file gives one
 * alias, a link to a directory one per tracked file under it. Links leading
 * out of `cwd`, or to nothing tracked, give none. Empty when `cwd` is not in
 * a git repository, no task writes, or git cannot tell (one synchronous
 * `git ls-files`, as a plan check is synchronous).
 */
export function repositoryAliases(cwd: string, plan: Pick<Plan, 'tasks'>): PathAlias[] {
  if (!plan.tasks.some((task) => (task.writes ?? []).length > 0)) return [];
  const listed = spawnSync('git', ['ls-files', '-s', '-z'], {
    cwd,
    encoding: 'utf8',
    timeout: 10_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' },
  });
  if (listed.status !== 0 || typeof listed.stdout !== 'string') return [];
  const files: string[] = [];
  const links: string[] = [];
  for (const entry of listed.stdout.split('\0')) {
    // `<mode> <object> <stage>\t<path>`
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const file = entry.slice(tab + 1);
    files.push(file);
    if (entry.startsWith(`${SYMLINK_MODE} `)) links.push(file);
  }
  if (links.length === 0) return [];
  const tracked = new Set(files);
  const aliases: PathAlias[] = [];
  for (const link of links) {
    let target: string;
    try {
      target = readlinkSync(path.join(cwd, link));
    } catch {
      continue; // not checked out here
    }
    const real = path.relative(cwd, path.resolve(cwd, path.dirname(link), target)).split(path.sep).join('/');
    if (real === '' || real.startsWith('../') || real === '..' || path.isAbsolute(real)) continue;
    if (tracked.has(real)) {
      aliases.push({ path: link, real });
      continue;
    }
    const prefix = `${real}/`;
    for (const file of files) if (file.startsWith(prefix)) aliases.push({ path: `${link}/${file.slice(prefix.length)}`, real: file });
  }
  return aliases;
}

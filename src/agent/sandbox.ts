import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { FanoutError } from '../contracts/errors.js';

/** What a sandbox confines: the working directory and the globs the agent may write. */
export interface SandboxOptions {
  /**
   * Working directory; every path the agent names is resolved against it.
   * A run passes one {@link SandboxRoot} to all its tasks, so that the real
   * location of the directory is resolved once per run, not per agent.
   */
  cwd: string | SandboxRoot;
  /** Globs (relative to `cwd`, picomatch with dotfiles) the agent may write; `[]` means read-only. */
  writes: readonly string[];
  /**
   * Absolute directories no write may touch, whatever the write scope says
   * (fanout's store when it lives inside the workspace). `.git` is always
   * protected and needs no entry.
   */
  protectedPaths?: readonly string[];
}

/** A path the model named, checked against the sandbox. */
export interface ResolvedPath {
  /** Absolute location to operate on, with symlinks of its existing part resolved. */
  absolute: string;
  /** The path as the model named it, normalized, relative to cwd, with `/` separators (`.` for cwd). */
  relative: string;
  /** Where it really lives, relative to the real cwd, with `/` separators (`.` for cwd). */
  realRelative: string;
}

/** Confines the paths of one agent's tool calls to its working directory and write scope. */
export interface Sandbox {
  /** The working directory, absolute. */
  readonly cwd: string;
  /** The write scope globs. */
  readonly writes: readonly string[];
  /** Where the working directory really is (symlinks resolved); the base of `realRelative`. */
  realCwd(): string;
  /**
   * Resolves a path named by the model. Throws FanoutError `TOOL_DENIED` when
   * it is absolute, escapes cwd (through `..` or a symlink), or — for `write`
   * access — lies in a `.git` or `.claude` directory, in a protected directory, or
   * outside the write scope; a missing working directory throws the file
   * system's error. Synchronous: a few local syscalls cost far less than the
   * promise API's round trips through the thread pool when many agents call
   * tools at once, and a tool that needs no other wait answers within its turn.
   */
  resolve(requested: string, access: 'read' | 'write'): ResolvedPath;
  /**
   * The lexical part of {@link Sandbox.resolve}, without touching the file
   * system: the path as named, normalized, relative to cwd with `/`
   * separators. Throws FanoutError `TOOL_DENIED` when it is absolute or
   * escapes cwd through `..`. What it returns may still lead outside
   * through a symlink: a caller opening it checks where the file really is.
   */
  named(requested: string): string;
}

/**
 * A working directory and where it really is (symlinks resolved), resolved
 * at most once: the sandboxes of a run's tasks share one, so a run of 1,000
 * tasks makes one realpath call, not 1,000. The real location is resolved
 * at the first path check (so that creating a root never fails; a missing
 * directory surfaces as a tool error, and is looked up again next time) and
 * then kept: a directory moved or re-pointed during the run (which no
 * subagent can do: it cannot write outside it) does not move the boundary.
 */
export class SandboxRoot {
  /** The working directory, absolute, as named. */
  readonly cwd: string;
  #real: string | undefined;

  constructor(cwd: string) {
    this.cwd = path.resolve(cwd);
  }

  /** Where the working directory really is. Throws the file system's error when it does not exist. */
  real(): string {
    return (this.#real ??= realpathSync.native(this.cwd));
  }
}

/** Creates the {@link Sandbox} of one agent. */
export function createSandbox(options: SandboxOptions): Sandbox {
  const root = typeof options.cwd === 'string' ? new SandboxRoot(options.cwd) : options.cwd;
  return new AgentSandbox(root, options.writes, options.protectedPaths);
}

/** Most agents are read-only: they share one empty scope. */
const NO_WRITES: readonly string[] = Object.freeze([]);

/**
 * One agent's sandbox: a single object, made once per task, whose write
 * checks (the scope's compiled globs, the protected directories' absolute
 * paths) are prepared at the first write it checks, since most tasks read
 * only. Plain (TypeScript-private) fields, as in run-agent.ts.
 */
class AgentSandbox implements Sandbox {
  readonly cwd: string;
  readonly writes: readonly string[];
  private readonly root: SandboxRoot;
  private readonly protectedPaths: readonly string[] | undefined;
  private writeChecks: WriteChecks | undefined;

  constructor(root: SandboxRoot, writes: readonly string[], protectedPaths: readonly string[] | undefined) {
    this.cwd = root.cwd;
    this.root = root;
    this.writes = writes.length === 0 ? NO_WRITES : [...writes];
    this.protectedPaths = protectedPaths;
  }

  realCwd(): string {
    return this.root.real();
  }

  named(requested: string): string {
    if (isPlainRelative(requested)) return requested;
    if (path.isAbsolute(requested)) {
      throw denied(`path "${requested}" is absolute; use a path relative to the working directory`);
    }
    const relative = insideRelative(this.cwd, path.resolve(this.cwd, requested));
    if (relative === undefined) {
      throw denied(`path "${requested}" escapes the working directory`);
    }
    return relative;
  }

  resolve(requested: string, access: 'read' | 'write'): ResolvedPath {
    const relative = this.named(requested);
    const lexical = path.join(this.cwd, relative);
    const realCwd = this.root.real();
    const absolute = realLocation(lexical, relative);
    const realRelative = insideRelative(realCwd, absolute);
    if (realRelative === undefined) {
      throw denied(`path "${relative}" leads outside the working directory through a symlink`);
    }
    if (access === 'write') this.checkWrite(relative, realRelative, lexical, absolute);
    return { absolute, relative, realRelative };
  }

  /** Throws the refusal of a write to a resolved path, if any. */
  private checkWrite(relative: string, realRelative: string, lexical: string, absolute: string): void {
    const shown = realRelative === relative ? `"${relative}"` : `"${relative}" (resolves to "${realRelative}")`;
    const reserved = reservedSegment(relative) ?? reservedSegment(realRelative);
    if (reserved !== undefined) {
      throw denied(`write to ${shown} refused: ${reserved} is never writable by subagents${RESERVED_DIRECTORIES[reserved]}`);
    }
    const checks = (this.writeChecks ??= {
      inScope: this.writes.length === 0 ? () => false : picomatch([...this.writes], { dot: true }),
      guarded: (this.protectedPaths ?? []).map((dir) => path.resolve(dir)),
    });
    const guard = protectedDirectoryOf(checks.guarded, lexical, absolute);
    if (guard !== undefined) {
      const named = insideRelative(this.cwd, guard) ?? guard;
      throw denied(`write to ${shown} refused: ${named} is a protected directory, never writable by subagents`);
    }
    if (!checks.inScope(realRelative)) {
      throw denied(
        this.writes.length === 0
          ? `write to ${shown} refused: this task is read-only (no write scope)`
          : `write to ${shown} refused: outside this task's write scope (allowed: ${this.writes.join(', ')})`,
      );
    }
  }
}

/** What a sandbox checks a write against, prepared at its first write. */
interface WriteChecks {
  inScope: (realRelative: string) => boolean;
  /** The protected directories, absolute. */
  guarded: readonly string[];
}

/**
 * A relative path already in the form {@link Sandbox.named} returns (`/`
 * separators, no empty, `.` or `..` segment, no leading or trailing `/`):
 * it names a place inside cwd as it stands, so the common case skips
 * resolving it. Only where `/` is the separator: elsewhere every path is
 * normalized.
 */
const PLAIN_RELATIVE = path.sep === '/' ? /^(?!\.\.?(?:\/|$))[^/]+(?:\/(?!\.\.?(?:\/|$))[^/]+)*$/ : undefined;

function isPlainRelative(requested: string): boolean {
  return PLAIN_RELATIVE?.test(requested) === true;
}

/** Directories no subagent writes, wherever they are, and why where it is not obvious. */
const RESERVED_DIRECTORIES: Readonly<Record<string, string>> = {
  '.git': '',
  '.claude': ' (later runs load its agent definitions and settings as trusted instructions)',
};

/**
 * The reserved directory a path goes through, or undefined. Case-insensitive,
 * since on case-insensitive file systems `.GIT/config` is `.git/config`.
 */
function reservedSegment(relative: string): string | undefined {
  for (const segment of relative.split('/')) {
    const lower = segment.toLowerCase();
    if (Object.hasOwn(RESERVED_DIRECTORIES, lower)) return lower;
  }
  return undefined;
}

/**
 * The protected directory that contains (or is) the target, named or real
 * location alike, or undefined. Protected directories are compared where
 * they really are too, since they may be reached through a symlink.
 */
function protectedDirectoryOf(guarded: readonly string[], lexical: string, absolute: string): string | undefined {
  for (const dir of guarded) {
    if (insideRelative(dir, lexical) !== undefined || insideRelative(dir, absolute) !== undefined) return dir;
    if (insideRelative(realLocationOr(dir), absolute) !== undefined) return dir;
  }
  return undefined;
}

/** Where a protected directory really is, or the directory as named when that cannot be told. */
function realLocationOr(dir: string): string {
  try {
    return realLocation(dir, dir);
  } catch {
    return dir;
  }
}

/** `target` relative to `base` with `/` separators, or undefined when it is not inside `base`. */
function insideRelative(base: string, target: string): string | undefined {
  const relative = path.relative(base, target);
  if (relative === '') return '.';
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join('/');
}

/**
 * Resolves the symlinks of the deepest existing ancestor of `absolute` and
 * appends the part that does not exist yet, so that new files are checked
 * where they would really be created.
 */
function realLocation(absolute: string, shown: string): string {
  const missing: string[] = [];
  let existing = absolute;
  for (;;) {
    try {
      return path.join(realpathSync.native(existing), ...missing.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw denied(`path "${shown}" goes through a symlink loop`);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      // lstat sees a link whose target is missing; writing through it would create the target anywhere.
      if (exists(existing)) {
        throw denied(`path "${shown}" goes through a symlink whose target does not exist`);
      }
      const parent = path.dirname(existing);
      if (parent === existing) throw error;
      missing.push(path.basename(existing));
      existing = parent;
    }
  }
}

function exists(location: string): boolean {
  try {
    lstatSync(location);
    return true;
  } catch {
    return false;
  }
}

function denied(message: string): FanoutError {
  return new FanoutError('TOOL_DENIED', message);
}

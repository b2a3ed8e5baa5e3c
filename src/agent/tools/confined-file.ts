import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  readSync,
  writeSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { FanoutError } from '../../contracts/errors.js';
import { toolFailed } from './tool.js';

/** Largest file edit_file and write_file handle, bytes. */
export const EDIT_FILE_CAP_BYTES = 10 * 1024 * 1024;

const NONBLOCK = constants.O_NONBLOCK ?? 0;
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const DIRECTORY = constants.O_DIRECTORY ?? 0;

/**
 * Linux names every open descriptor in /proc/self/fd; a path through it is
 * `openat(fd, name)`, which Node does not offer. Elsewhere the walk opens
 * each component by its full path with O_NOFOLLOW (see docs/architecture.md).
 */
const FD_PATHS = existsSync('/proc/self/fd');

/**
 * Linux's O_PATH (Node's fs.constants lacks it): a descriptor that names a
 * file without opening it, so no device driver's open runs and no FIFO waits.
 */
const O_PATH = 0o10000000;

/** Where {@link openInside} finds the real path of a descriptor; undefined where it cannot. */
export const FD_DIRECTORY = FD_PATHS && process.platform === 'linux' ? '/proc/self/fd' : undefined;

/**
 * A file inside the sandbox, open. Reads and writes are synchronous on
 * purpose: the descriptor is a regular file (checked), so no call can block
 * for long, and no call takes one of libuv's four pool threads.
 */
export interface ConfinedFile {
  readonly fd: number;
  readonly stats: Stats;
}

/**
 * Opens `relative` (a real path relative to `realCwd`, as the sandbox
 * resolved it) so that no symlink or swapped directory can redirect it: each
 * directory is opened with O_NOFOLLOW relative to the descriptor of its
 * parent, from `realCwd` down, and held open while the next is looked up.
 * A symlink appearing anywhere on the way, at any moment, fails the call.
 * Only regular files are opened: anything else (FIFO, socket, device) is
 * refused after an `lstat`, and again after the open, which is non-blocking
 * so that a FIFO swapped in between cannot stall it. For `write`, missing
 * directories are created, the file is created when missing, and a file
 * with more than one hard link is refused (a write through it would change
 * the file under its other names, which may lie outside the sandbox).
 */
export function openConfined(realCwd: string, relative: string, access: 'read' | 'write' | 'edit'): ConfinedFile {
  const segments = relative === '.' ? [] : relative.split('/');
  const name = segments.pop();
  if (name === undefined) throw toolFailed(`"${relative}" is a directory; use list_files to see its files`);
  const directory = openDirectories(realCwd, segments, access !== 'read', relative);
  let fd: number | undefined;
  try {
    const target = childPath(directory.fd, directory.path, name);
    const existing = lstatOrUndefined(target);
    if (existing !== undefined) refuseUnlessRegular(existing, relative);
    const mode = access === 'read' ? constants.O_RDONLY : access === 'edit' ? constants.O_RDWR : constants.O_WRONLY | constants.O_CREAT;
    fd = openSync(target, mode | NOFOLLOW | NONBLOCK, 0o666);
    const stats = fstatSync(fd);
    refuseUnlessRegular(stats, relative);
    if (access !== 'read' && stats.nlink > 1) {
      throw new FanoutError(
        'TOOL_DENIED',
        `write to "${relative}" refused: the file has ${stats.nlink} hard links, so writing would change it under its other names too`,
      );
    }
    return { fd, stats };
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    throw symlinkRefusal(error, relative);
  } finally {
    if (directory.fd !== undefined) closeSync(directory.fd);
  }
}

/**
 * The quick way to open a file for reading, for the common case: a regular
 * file that really lies inside `realCwd`. The kernel looks `relative` up
 * from `realCwd` once, symlinks followed, into an O_PATH descriptor (nothing
 * is opened yet); the descriptor is then checked — a regular file, whose
 * real path (the kernel's, read from `fdDirectory`) is inside `realCwd` — and
 * the file opened for reading through it. The check is on the very file
 * that is read, so no symlink or swap on the way, before or after the
 * lookup, can lead the read outside; about a third of {@link openConfined}'s
 * system calls. Returns undefined whenever it cannot open that way (no
 * `fdDirectory`, a missing file, a symlink leading out, a directory, FIFO
 * or device, any error): the caller then resolves the path through the
 * sandbox and {@link openConfined}, which refuse or explain.
 * (`relative` must have passed the sandbox's lexical check, `Sandbox.named`.)
 */
export function openInside(realCwd: string, relative: string, fdDirectory: string | undefined): ConfinedFile | undefined {
  if (fdDirectory === undefined) return undefined;
  let located: number;
  try {
    // Joined as is: `relative` is already normal (Sandbox.named), and `path.join` would walk it again.
    located = openSync(`${realCwd}/${relative}`, O_PATH);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(located);
    if (!stats.isFile() || !isInside(realCwd, readlinkSync(`${fdDirectory}/${located}`))) return undefined;
    return { fd: openSync(`${fdDirectory}/${located}`, constants.O_RDONLY | NONBLOCK), stats };
  } catch {
    return undefined;
  } finally {
    closeSync(located);
  }
}

/**
 * The entries of the directory `relative` (a real path relative to
 * `realCwd`, `.` for `realCwd` itself), listed only if the directory really
 * is at that place: it is looked up into an O_PATH descriptor, whose real
 * path (the kernel's, from `fdDirectory`) must be exactly `realCwd/relative`
 * — so no symlink or swapped directory on the way can lead the listing
 * elsewhere — and listed through that descriptor. Anything else (gone,
 * moved, not a directory, unreadable) lists nothing. Without `fdDirectory`
 * the directory is listed by name (see docs/architecture.md).
 */
export async function readDirectoryInside(realCwd: string, relative: string, fdDirectory: string | undefined): Promise<Dirent[]> {
  const location = path.join(realCwd, relative);
  try {
    if (fdDirectory === undefined) return await readdir(location, { withFileTypes: true });
    const located = openSync(location, O_PATH | DIRECTORY);
    try {
      const through = `${fdDirectory}/${located}`;
      return readlinkSync(through) === location ? await readdir(through, { withFileTypes: true }) : [];
    } finally {
      closeSync(located);
    }
  } catch {
    return [];
  }
}

/** Whether `real` (an absolute real path) lies strictly inside the directory `realCwd`. */
function isInside(realCwd: string, real: string): boolean {
  // A real path ends in `/` only at the root; compared in place rather than against a joined `${realCwd}/`, built anew on every read.
  if (realCwd.endsWith('/')) return real.length > realCwd.length && real.startsWith(realCwd);
  return real.length > realCwd.length + 1 && real.charCodeAt(realCwd.length) === SLASH && real.startsWith(realCwd);
}

const SLASH = 0x2f;

/** Reads at most `limit` bytes from the start of an open file. */
export function readHead(file: ConfinedFile, limit: number): Buffer {
  const buffer = Buffer.allocUnsafe(Math.min(file.stats.size, limit));
  let filled = 0;
  while (filled < buffer.length) {
    const read = readSync(file.fd, buffer, filled, buffer.length - filled, filled);
    if (read === 0) break;
    filled += read;
  }
  // Only the bytes read are returned, so the pool's uninitialised memory never leaks.
  return filled === buffer.length ? buffer : buffer.subarray(0, filled);
}

/** Replaces the whole content of an open file. */
export function replaceContent(file: ConfinedFile, content: Buffer): void {
  ftruncateSync(file.fd, 0);
  let written = 0;
  while (written < content.length) written += writeSync(file.fd, content, written, content.length - written, written);
}

/** Throws a tool error when `bytes` exceeds what edit_file and write_file handle. */
export function checkEditableSize(bytes: number, relative: string): void {
  if (bytes > EDIT_FILE_CAP_BYTES) {
    throw toolFailed(
      `"${relative}" is too large (${bytes} bytes); write_file and edit_file handle files up to ${EDIT_FILE_CAP_BYTES} bytes`,
    );
  }
}

interface OpenDirectory {
  /** Descriptor of the directory (Linux), or undefined where paths are used. */
  fd: number | undefined;
  /** Its path, for platforms without /proc/self/fd and for messages. */
  path: string;
}

function openDirectories(realCwd: string, segments: readonly string[], create: boolean, relative: string): OpenDirectory {
  let current: OpenDirectory = { fd: FD_PATHS ? openSync(realCwd, constants.O_RDONLY | DIRECTORY) : undefined, path: realCwd };
  try {
    for (const segment of segments) {
      const next = childPath(current.fd, current.path, segment);
      if (create) makeDirectory(next);
      const fd = openDirectory(next, relative);
      if (FD_PATHS) {
        if (current.fd !== undefined) closeSync(current.fd);
        current = { fd, path: path.join(current.path, segment) };
      } else {
        // Without descriptor paths the check is by name: no symlink right now (O_NOFOLLOW).
        closeSync(fd);
        current = { fd: undefined, path: path.join(current.path, segment) };
      }
    }
    return current;
  } catch (error) {
    if (current.fd !== undefined) closeSync(current.fd);
    throw symlinkRefusal(error, relative);
  }
}

function openDirectory(location: string, relative: string): number {
  try {
    return openSync(location, constants.O_RDONLY | DIRECTORY | NOFOLLOW);
  } catch (error) {
    // With O_DIRECTORY, Linux reports a symlink met under O_NOFOLLOW as ENOTDIR.
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR' && lstatOrUndefined(location)?.isSymbolicLink() === true) {
      throw symlinkDenied(relative);
    }
    throw error;
  }
}

function childPath(fd: number | undefined, directory: string, name: string): string {
  return fd === undefined ? path.join(directory, name) : `/proc/self/fd/${fd}/${name}`;
}

function makeDirectory(location: string): void {
  try {
    mkdirSync(location);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function lstatOrUndefined(location: string): Stats | undefined {
  try {
    return lstatSync(location);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function refuseUnlessRegular(stats: Stats, relative: string): void {
  if (stats.isFile()) return;
  if (stats.isDirectory()) throw toolFailed(`"${relative}" is a directory; use list_files to see its files`);
  if (stats.isSymbolicLink()) throw symlinkDenied(relative);
  const kind = stats.isFIFO() ? 'a FIFO' : stats.isSocket() ? 'a socket' : 'a device';
  throw notAFile(relative, kind);
}

function notAFile(relative: string, kind: string): FanoutError {
  return toolFailed(`"${relative}" is ${kind}, not a regular file; file tools open regular files only`);
}

function symlinkDenied(relative: string): FanoutError {
  return new FanoutError('TOOL_DENIED', `path "${relative}" changed into a symlink while it was opened; refused`);
}

/** ELOOP from O_NOFOLLOW: a symlink appeared on the way. */
function symlinkRefusal(error: unknown, relative: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ELOOP' ? symlinkDenied(relative) : error;
}

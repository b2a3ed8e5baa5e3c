import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { defineTool, stringInputs, toolFailed } from './tool.js';

/**
 * Non-blocking, so that opening a FIFO returns at once instead of stalling
 * the main thread until a writer shows up; regular files ignore the flag.
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Largest part of a file read_file returns. */
export const READ_FILE_CAP_BYTES = 256 * 1024;

/**
 * `read_file {path}`: the text of one file, cut at {@link READ_FILE_CAP_BYTES}.
 * The read is synchronous: open, stat and one read of at most the cap block
 * for microseconds, far less than the promise API's trips through the thread
 * pool cost the main thread when many agents read at once.
 */
export const readFileTool = defineTool<{ path: string }>(
  {
    name: 'read_file',
    description: `Read a text file. Paths are relative to the working directory. Files larger than ${READ_FILE_CAP_BYTES / 1024} KiB are cut, and the result says so.`,
    inputSchema: stringInputs({ path: 'File path, relative to the working directory.' }, ['path']),
  },
  async ({ path }, { sandbox }) => {
    const file = await sandbox.resolve(path, 'read');
    const fd = openSync(file.absolute, OPEN_FLAGS);
    try {
      const stats = fstatSync(fd);
      if (stats.isDirectory()) {
        throw toolFailed(`"${file.relative}" is a directory; use list_files to see its files`);
      }
      if (!stats.isFile()) throw toolFailed(`"${file.relative}" is not a regular file; read_file reads files only`);
      const { size } = stats;
      // Every byte shown is one read into it, so the pool's uninitialised memory never leaks.
      const buffer = Buffer.allocUnsafe(Math.min(size, READ_FILE_CAP_BYTES));
      const bytesRead = readSync(fd, buffer, 0, buffer.length, 0);
      const head = buffer.subarray(0, bytesRead);
      if (head.includes(0)) return `"${file.relative}" is a binary file (${size} bytes); its content is not shown`;
      if (size === 0) return `"${file.relative}" is empty`;
      const text = head.toString('utf8');
      return size > bytesRead
        ? `${text}\n\n[truncated: showing the first ${bytesRead} of ${size} bytes of "${file.relative}"]`
        : text;
    } finally {
      closeSync(fd);
    }
  },
);

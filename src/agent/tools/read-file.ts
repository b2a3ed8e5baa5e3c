import { closeSync } from 'node:fs';
import { FD_DIRECTORY, openConfined, openInside, readHead, type ConfinedFile } from './confined-file.js';
import { defineTool, stringInputs } from './tool.js';

/** Largest part of a file read_file returns. */
export const READ_FILE_CAP_BYTES = 256 * 1024;

/**
 * `read_file {path}`: the text of one regular file, cut at
 * {@link READ_FILE_CAP_BYTES}. A file inside cwd is opened by
 * {@link openInside}; anything else (missing, outside, not a regular file)
 * goes through the sandbox's checks and {@link openConfined}, which refuse
 * or explain. The read is synchronous: open, stat and one
 * read of at most the cap block for microseconds on a regular file (the
 * only kind opened), far less than the promise API's trips through the
 * thread pool cost the main thread when many agents read at once.
 */
export const readFileTool = defineTool<{ path: string }>(
  {
    name: 'read_file',
    description: `Read a text file. Paths are relative to the working directory. Files larger than ${READ_FILE_CAP_BYTES / 1024} KiB are cut, and the result says so.`,
    inputSchema: stringInputs({ path: 'File path, relative to the working directory.' }, ['path']),
  },
  // Not async: every way of opening is synchronous, so the answer comes within the call, in the executor's turn.
  ({ path }, { sandbox }) => {
    const relative = sandbox.named(path);
    const realCwd = sandbox.realCwd();
    const file = openInside(realCwd, relative, FD_DIRECTORY);
    if (file !== undefined) return described(file, relative);
    return described(openConfined(realCwd, sandbox.resolve(path, 'read').realRelative, 'read'), relative);
  },
  { withinTurn: true },
);

/** The tool's answer for `file`, opened for reading, which it closes; `relative` names it. */
function described(file: ConfinedFile, relative: string): string {
  try {
    const { size } = file.stats;
    const head = readHead(file, READ_FILE_CAP_BYTES);
    if (head.includes(0)) return `"${relative}" is a binary file (${size} bytes); its content is not shown`;
    if (size === 0) return `"${relative}" is empty`;
    const text = head.toString('utf8');
    return size > head.length ? `${text}\n\n[truncated: showing the first ${head.length} of ${size} bytes of "${relative}"]` : text;
  } finally {
    closeSync(file.fd);
  }
}

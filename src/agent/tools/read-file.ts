import { open } from 'node:fs/promises';
import { defineTool, stringInputs, toolFailed } from './tool.js';

/** Largest part of a file read_file returns. */
export const READ_FILE_CAP_BYTES = 256 * 1024;

/** `read_file {path}`: the text of one file, cut at {@link READ_FILE_CAP_BYTES}. */
export const readFileTool = defineTool<{ path: string }>(
  {
    name: 'read_file',
    description: `Read a text file. Paths are relative to the working directory. Files larger than ${READ_FILE_CAP_BYTES / 1024} KiB are cut, and the result says so.`,
    inputSchema: stringInputs({ path: 'File path, relative to the working directory.' }, ['path']),
  },
  async ({ path }, { sandbox }) => {
    const file = await sandbox.resolve(path, 'read');
    const handle = await open(file.absolute, 'r');
    try {
      const stats = await handle.stat();
      if (stats.isDirectory()) {
        throw toolFailed(`"${file.relative}" is a directory; use list_files to see its files`);
      }
      const { size } = stats;
      const buffer = Buffer.alloc(Math.min(size, READ_FILE_CAP_BYTES));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      const head = buffer.subarray(0, bytesRead);
      if (head.includes(0)) return `"${file.relative}" is a binary file (${size} bytes); its content is not shown`;
      if (size === 0) return `"${file.relative}" is empty`;
      const text = head.toString('utf8');
      return size > bytesRead
        ? `${text}\n\n[truncated: showing the first ${bytesRead} of ${size} bytes of "${file.relative}"]`
        : text;
    } finally {
      await handle.close();
    }
  },
);

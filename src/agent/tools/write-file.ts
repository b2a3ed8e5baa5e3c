import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineTool, stringInputs } from './tool.js';

/** `write_file {path, content}`: creates or replaces a file, and its parent directories. */
export const writeFileTool = defineTool<{ path: string; content: string }>(
  {
    name: 'write_file',
    description:
      "Create or overwrite a file with the given content; parent directories are created. Only paths inside this task's write scope may be written.",
    inputSchema: stringInputs(
      {
        path: 'File path, relative to the working directory.',
        content: 'The complete new content of the file.',
      },
      ['path', 'content'],
    ),
  },
  async ({ path: requested, content }, { sandbox }) => {
    const file = await sandbox.resolve(requested, 'write');
    await mkdir(path.dirname(file.absolute), { recursive: true });
    await writeFile(file.absolute, content, 'utf8');
    return `Wrote ${Buffer.byteLength(content, 'utf8')} bytes to ${file.relative}`;
  },
);

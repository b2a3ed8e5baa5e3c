import { closeSync } from 'node:fs';
import { checkEditableSize, openConfined, replaceContent } from './confined-file.js';
import { defineTool, stringInputs } from './tool.js';

/**
 * `write_file {path, content}`: creates or replaces a regular file, and its
 * parent directories, through {@link openConfined} (no symlink, swapped
 * directory or hard link can redirect the write).
 */
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
  // Not async: the checks and the write are synchronous, so the answer comes within the call.
  ({ path: requested, content }, { sandbox }) => {
    const resolved = sandbox.resolve(requested, 'write');
    const bytes = Buffer.from(content, 'utf8');
    checkEditableSize(bytes.length, resolved.relative);
    const file = openConfined(sandbox.realCwd(), resolved.realRelative, 'write');
    try {
      replaceContent(file, bytes);
    } finally {
      closeSync(file.fd);
    }
    return `Wrote ${bytes.length} bytes to ${resolved.relative}`;
  },
  { withinTurn: true },
);

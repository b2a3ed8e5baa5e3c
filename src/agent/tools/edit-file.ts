import { closeSync } from 'node:fs';
import { checkEditableSize, openConfined, readHead, replaceContent } from './confined-file.js';
import { defineTool, stringInputs, toolFailed } from './tool.js';

/** `edit_file {path, old_string, new_string}`: replaces the one occurrence of `old_string`. */
export const editFileTool = defineTool<{ path: string; old_string: string; new_string: string }>(
  {
    name: 'edit_file',
    description:
      "Replace text in a file. old_string must occur exactly once in the file; include enough surrounding text to make it unique. Only paths inside this task's write scope may be edited.",
    inputSchema: stringInputs(
      {
        path: 'File path, relative to the working directory.',
        old_string: 'The exact text to replace; must occur exactly once.',
        new_string: 'The text to put in its place.',
      },
      ['path', 'old_string', 'new_string'],
    ),
  },
  // Not async: the checks and the edit are synchronous, so the answer comes within the call.
  ({ path, old_string: oldString, new_string: newString }, { sandbox }) => {
    if (oldString === '') throw toolFailed('old_string is empty; give the exact text to replace');
    const resolved = sandbox.resolve(path, 'write');
    const file = openConfined(sandbox.realCwd(), resolved.realRelative, 'edit');
    try {
      checkEditableSize(file.stats.size, resolved.relative);
      const text = readHead(file, file.stats.size).toString('utf8');
      const edited = replaceOnce(text, oldString, newString, resolved.relative);
      checkEditableSize(Buffer.byteLength(edited, 'utf8'), resolved.relative);
      replaceContent(file, Buffer.from(edited, 'utf8'));
    } finally {
      closeSync(file.fd);
    }
    return `Edited ${resolved.relative}: replaced 1 occurrence`;
  },
  { withinTurn: true },
);

/** `text` with the one occurrence of `oldString` replaced; a tool error when there is not exactly one. */
function replaceOnce(text: string, oldString: string, newString: string, relative: string): string {
  const at = text.indexOf(oldString);
  if (at === -1) throw toolFailed(`old_string not found in "${relative}"; read the file and copy the text exactly`);
  const count = countOccurrences(text, oldString);
  if (count > 1) {
    throw toolFailed(`old_string occurs ${count} times in "${relative}"; include more surrounding text so it occurs exactly once`);
  }
  // Slicing, not String.replace, so `$&` and friends in new_string stay literal.
  return text.slice(0, at) + newString + text.slice(at + oldString.length);
}

function countOccurrences(text: string, part: string): number {
  let count = 0;
  for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, at + part.length)) count += 1;
  return count;
}

import { compileGlobMatcher } from './glob-matcher.js';
import { defineTool, stringInputs } from './tool.js';
import { walkFiles } from './walk-files.js';

/** Most paths list_files returns. */
export const LIST_FILES_CAP = 1000;

/** `list_files {path?, pattern?}`: files under a directory, recursive and sorted. */
export const listFilesTool = defineTool<{ path?: string; pattern?: string }>(
  {
    name: 'list_files',
    description: `List files recursively (sorted, relative to the working directory), skipping .git and node_modules. At most ${LIST_FILES_CAP} paths are returned.`,
    inputSchema: stringInputs(
      {
        path: 'Directory to list, relative to the working directory. Default: the working directory.',
        pattern:
          "Glob the returned paths must match, e.g. 'src/**/*.ts'; a pattern without '/' matches file names, e.g. '*.md'.",
      },
      [],
    ),
  },
  async ({ path = '.', pattern }, { sandbox, signal }) => {
    const directory = sandbox.resolve(path, 'read');
    const matches = pathMatcher(pattern);
    const files = (await walkFiles(sandbox.realCwd(), directory, signal)).filter((file) => matches(file.relative));
    const where = `"${directory.relative}"${pattern === undefined ? '' : ` matching "${pattern}"`}`;
    if (files.length === 0) return `No files in ${where}`;
    const lines = files.slice(0, LIST_FILES_CAP).map((file) => file.relative);
    if (files.length > LIST_FILES_CAP) {
      lines.push(`[capped: showing ${LIST_FILES_CAP} of ${files.length} files in ${where}; narrow path or pattern]`);
    }
    return lines.join('\n');
  },
);

/** A pattern without '/' matches file names; with one, whole relative paths. */
function pathMatcher(pattern: string | undefined): (relative: string) => boolean {
  if (pattern === undefined) return () => true;
  const matches = compileGlobMatcher(pattern);
  return pattern.includes('/') ? matches : (relative) => matches(relative.slice(relative.lastIndexOf('/') + 1));
}

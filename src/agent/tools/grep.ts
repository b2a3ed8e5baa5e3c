import { closeSync } from 'node:fs';
import { compileLinearRegex, type LinearRegex } from '../../plan/linear-regex.js';
import { FD_DIRECTORY, openConfined, openInside, readHead, type ConfinedFile } from './confined-file.js';
import { defineTool, stringInputs, toolFailed } from './tool.js';
import { walkFiles } from './walk-files.js';

/** Most matching lines grep returns. */
export const GREP_MATCH_CAP = 200;
/** Files larger than this are not searched. */
const GREP_FILE_CAP_BYTES = 1024 * 1024;
/** Longest line text shown per match. */
const GREP_LINE_CAP = 300;
/** Longest pattern accepted. */
export const GREP_PATTERN_CAP = 500;
/**
 * Characters of each line that are searched. Matching is linear in them
 * (RE2), so this and the file cap bound the work of one call.
 */
export const GREP_SEARCHED_LINE_CAP = 10_000;

/**
 * `grep {pattern, path?}`: lines matching a regular expression, as
 * `file:line: text`. The pattern runs in RE2 (linear time), since the
 * model writes it and the match runs on the event loop, which the search
 * gives back every {@link GREP_YIELD_CHARS} characters.
 */
export const grepTool = defineTool<{ pattern: string; path?: string }>(
  {
    name: 'grep',
    description: `Search files for a regular expression (RE2 syntax: like JavaScript's, without lookaround or backreferences); prints "file:line: text" for each matching line (at most ${GREP_MATCH_CAP}). Patterns are limited to ${GREP_PATTERN_CAP} characters; only the first ${GREP_SEARCHED_LINE_CAP} characters of each line are searched. Skips .git, node_modules, symlinks, binary files and files over 1 MiB.`,
    inputSchema: stringInputs(
      {
        pattern: "Regular expression (RE2 syntax), e.g. 'function \\w+\\('.",
        path: 'File or directory to search, relative to the working directory. Default: the working directory.',
      },
      ['pattern'],
    ),
  },
  async ({ pattern, path = '.' }, { sandbox, signal }) => {
    const regex = compileRegex(pattern);
    const start = sandbox.resolve(path, 'read');
    const realCwd = sandbox.realCwd();
    const files = (await walkFiles(realCwd, start, signal)).filter((file) => !file.symlink).map((file) => file.relative);
    const { lines, capped } = await searchFiles(realCwd, files, regex, signal);
    if (capped) return `${lines.join('\n')}\n[capped at ${GREP_MATCH_CAP} matches; narrow the pattern or path]`;
    return lines.length === 0 ? `No matches for /${pattern}/ in "${start.relative}"` : lines.join('\n');
  },
);

/**
 * Characters searched between two turns given back to the event loop: RE2
 * in JavaScript searches roughly 20–50 MB/s here, so the loop is held about
 * 5–15 ms at a time, and the call's time limit and the task's abort (which
 * fire from the loop) reach a grep over a large tree.
 */
export const GREP_YIELD_CHARS = 256 * 1024;

/**
 * The matching lines of `files` (real paths relative to `realCwd`), as
 * `file:line: text`, at most {@link GREP_MATCH_CAP}, `capped` when more
 * matched. Stops, with what it found, once `signal` fires.
 */
export async function searchFiles(
  realCwd: string,
  files: readonly string[],
  regex: LinearRegex,
  signal: AbortSignal,
): Promise<{ lines: string[]; capped: boolean }> {
  const lines: string[] = [];
  let sinceYield = 0;
  for (const relative of files) {
    if (signal.aborted) break;
    const text = readSearchable(realCwd, relative);
    if (text === undefined) continue;
    const fileLines = text.split(/\r?\n/);
    for (let index = 0; index < fileLines.length; index += 1) {
      const line = fileLines[index] ?? '';
      const searched = line.length <= GREP_SEARCHED_LINE_CAP ? line : line.slice(0, GREP_SEARCHED_LINE_CAP);
      sinceYield += searched.length;
      if (sinceYield >= GREP_YIELD_CHARS) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
        if (signal.aborted) return { lines, capped: false };
      }
      if (!regex.test(searched)) continue;
      if (lines.length === GREP_MATCH_CAP) return { lines, capped: true };
      lines.push(`${relative}:${index + 1}: ${line.length <= GREP_LINE_CAP ? line : `${line.slice(0, GREP_LINE_CAP)}…`}`);
    }
  }
  return { lines, capped: false };
}

function compileRegex(pattern: string): LinearRegex {
  if (pattern.length > GREP_PATTERN_CAP) {
    throw toolFailed(`pattern is ${pattern.length} characters long; the limit is ${GREP_PATTERN_CAP}: use a shorter one`);
  }
  try {
    return compileLinearRegex(pattern);
  } catch (error) {
    throw toolFailed(`invalid regular expression /${pattern}/: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The text of a file worth searching, or undefined for large, binary,
 * unreadable or irregular files (FIFOs, devices: never opened for reading)
 * and for files that do not really lie inside `realCwd` (a symlink swapped
 * in since the walk). Opened by {@link openInside}, one lookup per file;
 * where descriptors have no paths, by {@link openConfined}'s walk.
 */
function readSearchable(realCwd: string, relative: string): string | undefined {
  const file = openSearched(realCwd, relative);
  if (file === undefined) return undefined;
  try {
    if (file.stats.size > GREP_FILE_CAP_BYTES) return undefined;
    const content = readHead(file, GREP_FILE_CAP_BYTES);
    return content.includes(0) ? undefined : content.toString('utf8');
  } finally {
    closeSync(file.fd);
  }
}

function openSearched(realCwd: string, relative: string): ConfinedFile | undefined {
  if (FD_DIRECTORY !== undefined) return openInside(realCwd, relative, FD_DIRECTORY);
  try {
    return openConfined(realCwd, relative, 'read');
  } catch {
    return undefined;
  }
}

import { compileLinearRegex } from '../../plan/linear-regex.js';
import { braceDepth, classEnd, expandBraces, MAX_ALTERNATIVES, MAX_BRACE_DEPTH } from '../../plan/glob-syntax.js';
import { toolFailed } from './tool.js';

/** Longest glob a model may pass to list_files. */
export const GLOB_PATTERN_CAP = 500;

/**
 * A matcher of `/`-separated relative paths for a glob the model wrote,
 * dotfiles included: `*`, `?`, `[…]`, `**` as a whole segment, `{a,b}` and
 * `{1..3}`. It runs in RE2 (linear time): picomatch compiles a glob to a
 * backtracking RegExp, and `*a*a*a*a*a*b` against a long name pins the
 * event loop for minutes.
 */
export function compileGlobMatcher(glob: string): (relative: string) => boolean {
  if (glob.length > GLOB_PATTERN_CAP) throw toolFailed(`pattern is ${glob.length} characters long; the limit is ${GLOB_PATTERN_CAP}`);
  if (braceDepth(Array.from(glob)) > MAX_BRACE_DEPTH) throw toolFailed(`pattern nests braces more than ${MAX_BRACE_DEPTH} levels deep`);
  const alternatives = expandBraces(glob);
  if (alternatives.length > MAX_ALTERNATIVES) throw toolFailed(`pattern braces expand to more than ${MAX_ALTERNATIVES} alternatives`);
  const source = `^(?:${alternatives.map(globToRegex).join('|')})$`;
  try {
    const regex = compileLinearRegex(source);
    return (relative) => regex.test(relative);
  } catch (error) {
    throw toolFailed(`invalid pattern "${glob}": ${error instanceof Error ? error.message : String(error)}`);
  }
}

function globToRegex(glob: string): string {
  const segments = glob.split('/');
  let out = '';
  segments.forEach((segment, at) => {
    const last = at === segments.length - 1;
    if (segment === '**') {
      // Any number of whole segments, none included.
      out += last ? (at === 0 ? '.*' : '(?:/.*)?') : at === 0 ? '(?:[^/]*/)*' : '/(?:[^/]*/)*';
      return;
    }
    if (at > 0 && segments[at - 1] !== '**') out += '/';
    out += segmentToRegex(Array.from(segment));
  });
  return out;
}

function segmentToRegex(chars: readonly string[]): string {
  let out = '';
  for (let i = 0; i < chars.length; i += 1) {
    const char = chars[i] as string;
    if (char === '\\' && i + 1 < chars.length) out += escape(chars[++i] as string);
    else if (char === '*') out += '[^/]*';
    else if (char === '?') out += '[^/]';
    else if (char === '[') {
      const end = classEnd(chars, i);
      if (end === undefined) out += '\\[';
      else {
        const body = chars.slice(i + 1, end);
        const negated = body[0] === '!' || body[0] === '^';
        const members = (negated ? body.slice(1) : body).map((member) => (member === '\\' || member === ']' || member === '[' ? `\\${member}` : member)).join('');
        out += negated ? `[^/${members}]` : `[${members}]`;
        i = end;
      }
    } else out += escape(char);
  }
  return out;
}

function escape(char: string): string {
  return /[\\^$.|?*+()[\]{}]/.test(char) ? `\\${char}` : char;
}

/**
 * The text-level part of glob handling: balance checks, brace expansion and
 * character classes. Escapes (`\x`) are honoured everywhere; `{`, `}`, `,`
 * inside a character class are plain characters.
 */

/** A set of characters as code-point ranges; `negated` means "anything but these". */
export interface CharSet {
  negated: boolean;
  ranges: Array<[number, number]>;
}

/** Every character. */
export const ANY_CHAR: CharSet = { negated: true, ranges: [] };

/** More alternatives than this from braces is surely a mistake, and would make checks slow. */
export const MAX_ALTERNATIVES = 256;

const POSIX_CLASSES: Record<string, Array<[string, string]>> = {
  alpha: [['A', 'Z'], ['a', 'z']],
  digit: [['0', '9']],
  alnum: [['0', '9'], ['A', 'Z'], ['a', 'z']],
  upper: [['A', 'Z']],
  lower: [['a', 'z']],
  xdigit: [['0', '9'], ['A', 'F'], ['a', 'f']],
  word: [['0', '9'], ['A', 'Z'], ['a', 'z'], ['_', '_']],
  space: [[' ', ' '], ['\t', '\r']],
  blank: [[' ', ' '], ['\t', '\t']],
  punct: [['!', '/'], [':', '@'], ['[', '`'], ['{', '~']],
  cntrl: [['\x00', '\x1f'], ['\x7f', '\x7f']],
  graph: [['!', '~']],
  print: [[' ', '~']],
  ascii: [['\x00', '\x7f']],
};

/**
 * Most levels of nested braces: every level of a group that is not a list
 * doubles the readings kept (see {@link expandBraces}), so depth, not
 * length, is what makes expansion explode.
 */
export const MAX_BRACE_DEPTH = 8;

/** The deepest nesting of `{` in a glob, escapes and character classes skipped. */
export function braceDepth(chars: readonly string[]): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < chars.length; i += 1) {
    const char = chars[i];
    if (char === '\\') i += 1;
    else if (char === '[') i = classEnd(chars, i) ?? i;
    else if (char === '{') deepest = Math.max(deepest, (depth += 1));
    else if (char === '}') depth -= 1;
  }
  return deepest;
}

/** The first unbalanced bracket or brace (`[`, `]`, `{` or `}`), or undefined. */
export function findUnbalanced(chars: readonly string[]): string | undefined {
  let braces = 0;
  for (let i = 0; i < chars.length; i += 1) {
    const char = chars[i];
    if (char === '\\') i += 1;
    else if (char === '[') {
      const end = classEnd(chars, i);
      if (end === undefined) return '[';
      i = end;
    } else if (char === ']') return ']';
    else if (char === '{') braces += 1;
    else if (char === '}') {
      braces -= 1;
      if (braces < 0) return '}';
    }
  }
  return braces > 0 ? '{' : undefined;
}

/** Index of the `]` closing the class opened at `start`, or undefined. A class never spans `/`. */
export function classEnd(chars: readonly string[], start: number): number | undefined {
  let i = start + 1;
  if (chars[i] === '!' || chars[i] === '^') i += 1;
  if (chars[i] === ']') i += 1;
  for (; i < chars.length; i += 1) {
    const char = chars[i];
    if (char === '/') return undefined;
    if (char === ']') return i;
    if (char === '\\') i += 1;
    else if (char === '[' && chars[i + 1] === ':') {
      const close = chars.indexOf(']', i + 2);
      if (close !== -1 && chars[close - 1] === ':') i = close;
    }
  }
  return undefined;
}

/**
 * Expands `{a,b}` alternatives and `{1..3}` / `{a..c}` ranges. A brace group
 * that is neither stays literal in picomatch; both readings are kept so the
 * result covers either. Stops a little past {@link MAX_ALTERNATIVES}.
 */
export function expandBraces(glob: string): string[] {
  const chars = Array.from(glob);
  const open = findTopLevel(chars, 0, (char) => char === '{');
  if (open === undefined) return [glob];
  const close = findTopLevel(chars, open + 1, (char) => char === '}', true);
  if (close === undefined) return [glob];
  const prefix = chars.slice(0, open).join('');
  const suffix = chars.slice(close + 1).join('');
  const body = chars.slice(open + 1, close);
  const parts = splitTopLevelCommas(body);
  const text = body.join('');
  const choices = parts.length > 1 ? parts : (expandRange(text) ?? [`\\{${text}\\}`, text]);
  const results = new Set<string>();
  for (const choice of choices) {
    for (const expanded of expandBraces(prefix + choice + suffix)) {
      results.add(expanded);
      if (results.size > MAX_ALTERNATIVES) return [...results];
    }
  }
  return [...results];
}

/**
 * Index of the first char at brace depth 0 (counted from `from`) satisfying
 * `matches`, skipping escapes and character classes. With `nested`, groups
 * opened after `from` are skipped over.
 */
function findTopLevel(
  chars: readonly string[],
  from: number,
  matches: (char: string) => boolean,
  nested = false,
): number | undefined {
  let depth = 0;
  for (let i = from; i < chars.length; i += 1) {
    const char = chars[i] as string;
    if (char === '\\') i += 1;
    else if (char === '[') i = classEnd(chars, i) ?? i;
    else if (depth === 0 && matches(char)) return i;
    else if (nested && char === '{') depth += 1;
    else if (nested && char === '}') depth -= 1;
  }
  return undefined;
}

function splitTopLevelCommas(body: readonly string[]): string[] {
  const parts: string[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < body.length; i += 1) {
    const char = body[i];
    if (char === '\\') i += 1;
    else if (char === '[') i = classEnd(body, i) ?? i;
    else if (char === '{') depth += 1;
    else if (char === '}') depth -= 1;
    else if (char === ',' && depth === 0) {
      parts.push(body.slice(start, i).join(''));
      start = i + 1;
    }
  }
  parts.push(body.slice(start).join(''));
  return parts;
}

/** `1..10`, `01..10`, `a..e`, with an optional `..step`; undefined when `body` is no range. */
function expandRange(body: string): string[] | undefined {
  const numeric = /^(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?$/.exec(body);
  const alpha = /^([A-Za-z])\.\.([A-Za-z])(?:\.\.(-?\d+))?$/.exec(body);
  const match = numeric ?? alpha;
  if (match === null) return undefined;
  const [, from = '', to = '', step] = match;
  const start = numeric ? Number(from) : (from.codePointAt(0) ?? 0);
  const end = numeric ? Number(to) : (to.codePointAt(0) ?? 0);
  const stride = Math.max(1, Math.abs(Number(step ?? 1)));
  // One past the limit is enough for the caller to reject the glob.
  const count = Math.min(Math.floor(Math.abs(end - start) / stride) + 1, MAX_ALTERNATIVES + 1);
  const direction = end >= start ? 1 : -1;
  const width = Math.max(from.length, to.length);
  const values: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const value = start + i * stride * direction;
    if (!numeric) values.push(escapeLiteral(String.fromCodePoint(value)));
    else {
      // Zero-padded ranges (`01..10`) pad in picomatch; keep both forms to stay sound.
      values.push(String(value));
      if (width > String(value).length) values.push(String(value).padStart(width, '0'));
    }
  }
  return values;
}

/** `char` written so that no glob syntax reads it as special. */
export function escapeLiteral(char: string): string {
  return /[A-Za-z0-9]/.test(char) ? char : `\\${char}`;
}

/** A set holding exactly `char`. */
export function singleChar(char: string): CharSet {
  const code = char.codePointAt(0) ?? 0;
  return { negated: false, ranges: [[code, code]] };
}

/** The characters matched by a class, given the text between `[` and `]`. */
export function parseClass(body: readonly string[]): CharSet {
  // Matchers disagree on `[!...]`: bash negates, picomatch 4 reads `!` as a
  // member. Either reading can match, so take the union of both: any character.
  if (body[0] === '!') return ANY_CHAR;
  let i = 0;
  const negated = body[0] === '^';
  if (negated) i = 1;
  const ranges: Array<[number, number]> = [];
  const readChar = (): number => {
    let char = body[i] as string;
    if (char === '\\' && i + 1 < body.length) char = body[++i] as string;
    i += 1;
    return char.codePointAt(0) ?? 0;
  };
  while (i < body.length) {
    if (body[i] === '[' && body[i + 1] === ':') {
      const close = body.indexOf(']', i + 2);
      if (close !== -1 && body[close - 1] === ':') {
        // An unknown class name might match anything: assume it does.
        const known = POSIX_CLASSES[body.slice(i + 2, close - 1).join('')];
        if (known === undefined) return ANY_CHAR;
        for (const [low, high] of known) ranges.push([low.codePointAt(0) ?? 0, high.codePointAt(0) ?? 0]);
        i = close + 1;
        continue;
      }
    }
    const low = readChar();
    if (body[i] === '-' && i + 1 < body.length) {
      i += 1;
      const high = readChar();
      ranges.push([Math.min(low, high), Math.max(low, high)]);
    } else ranges.push([low, low]);
  }
  return { negated, ranges };
}

/** True when some character is in both sets. */
export function charSetsIntersect(a: CharSet, b: CharSet): boolean {
  if (a.negated && b.negated) return true;
  if (!a.negated && !b.negated) {
    return a.ranges.some(([lowA, highA]) => b.ranges.some(([lowB, highB]) => lowA <= highB && lowB <= highA));
  }
  const [positive, negative] = a.negated ? [b, a] : [a, b];
  return positive.ranges.some((range) => !covered(range, negative.ranges));
}

/** True when every code point of `range` lies in one of `ranges`. */
function covered([low, high]: [number, number], ranges: ReadonlyArray<[number, number]>): boolean {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  let next = low;
  for (const [from, to] of sorted) {
    if (from > next) break;
    next = Math.max(next, to + 1);
    if (next > high) return true;
  }
  return next > high;
}

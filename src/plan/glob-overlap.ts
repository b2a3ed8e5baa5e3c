import { FanoutError } from '../contracts/errors.js';
import {
  ANY_CHAR,
  braceDepth,
  type CharSet,
  charSetsIntersect,
  classEnd,
  expandBraces,
  findUnbalanced,
  MAX_ALTERNATIVES,
  MAX_BRACE_DEPTH,
  parseClass,
  singleChar,
} from './glob-syntax.js';

/**
 * Decides whether two globs can match a common path, without a file system.
 * The answer is sound: "false" only when no path can match both. Where
 * picomatch reads a glob more loosely than the plain rules (classes that
 * also match their own text, `**` inside a segment crossing `/`, extglobs,
 * dotfiles), the model matches more paths than picomatch, never fewer.
 */

/**
 * A pattern for one path segment, as a small automaton: state 0 is the
 * start, `accept` the end; `*` is a self-loop.
 */
interface SegmentAutomaton {
  edges: Array<Array<{ set: CharSet; to: number }>>;
  accept: number;
}

/**
 * One path segment of a pattern: `**` (any number of segments) or a pattern
 * for exactly one; `literal` is its name when it has no wildcards (the common
 * case, compared as a plain string).
 */
type SegmentPattern = { globstar: true } | { globstar: false; automaton: SegmentAutomaton; literal?: string };

/** A glob prepared for overlap checks: its alternatives, each a list of segment patterns. */
export interface CompiledGlob {
  readonly source: string;
  readonly alternatives: readonly SegmentPattern[][];
}

const GLOBSTAR: SegmentPattern = { globstar: true };

/** True when some path can match both globs. Throws `PLAN_INVALID` for an invalid glob. */
export function globsCanOverlap(a: string, b: string): boolean {
  return compiledGlobsOverlap(compileGlob(a), compileGlob(b));
}

/** {@link globsCanOverlap} for globs compiled once with {@link compileGlob}. */
export function compiledGlobsOverlap(a: CompiledGlob, b: CompiledGlob): boolean {
  for (const left of a.alternatives) {
    for (const right of b.alternatives) if (pathPatternsIntersect(left, right)) return true;
  }
  return false;
}

/**
 * Validates and compiles a glob relative to the working directory. Throws
 * FanoutError `PLAN_INVALID` (`invalid glob "x": <problem>`) when it is empty,
 * negated, absolute, unbalanced, or escapes the working directory with `..`.
 */
export function compileGlob(glob: string): CompiledGlob {
  const fail = (problem: string): never => {
    throw new FanoutError('PLAN_INVALID', `invalid glob ${JSON.stringify(glob)}: ${problem}`);
  };
  if (glob.trim() === '') fail('empty');
  if (/^!(?!\()/.test(glob)) fail('negated globs are not supported; list the paths to include');
  const unbalanced = findUnbalanced(Array.from(glob));
  if (unbalanced !== undefined) fail(`unbalanced "${unbalanced}"`);
  if (braceDepth(Array.from(glob)) > MAX_BRACE_DEPTH) fail(`braces nested more than ${MAX_BRACE_DEPTH} levels deep`);
  const alternatives: SegmentPattern[][] = [];
  for (const expanded of expandBraces(glob)) {
    if (isAbsolute(expanded)) fail('absolute paths are not allowed; use a path relative to the working directory');
    const segments = normalizeSegments(expanded.split('/'));
    if (typeof segments === 'string') fail(segments);
    else alternatives.push(...withInnerGlobstars(segments).map(compileSegments));
    if (alternatives.length > MAX_ALTERNATIVES) fail(`braces expand to more than ${MAX_ALTERNATIVES} alternatives`);
  }
  return { source: glob, alternatives };
}

function isAbsolute(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:/.test(path);
}

/** Resolves `.`, `..` and empty segments; returns a problem text when that is impossible. */
function normalizeSegments(raw: string[]): string[] | string {
  const segments: string[] = [];
  for (const segment of raw) {
    if (segment === '' || segment === '.') continue;
    if (segment !== '..') {
      segments.push(segment);
      continue;
    }
    const parent = segments.pop();
    if (parent === undefined) return '".." escapes the working directory';
    if (parent === '**') return '".." after "**" may escape the working directory';
  }
  if (segments.length === 0) return 'names the working directory itself; use "**" for every file in it';
  return segments;
}

/**
 * picomatch lets a `**` inside a segment (`**.ts`, `**{a,b}`) cross `/`. Such
 * a segment `P**Q` is read both as one segment `P*Q` and as `P*` + `**` + `*Q`.
 */
function withInnerGlobstars(segments: string[]): string[][] {
  let variants: string[][] = [[]];
  for (const segment of segments) {
    const at = segment === '**' ? -1 : unescapedIndex(segment, '**');
    const before = segment.slice(0, at);
    const after = segment.slice(at + 2);
    const readings = at === -1 ? [[segment]] : [[`${before}*${after}`], [`${before}*`, '**', `*${after}`]];
    variants = variants.flatMap((variant) => readings.map((reading) => [...variant, ...reading]));
  }
  return variants;
}

function compileSegments(segments: string[]): SegmentPattern[] {
  const patterns: SegmentPattern[] = [];
  for (const segment of segments) {
    // An extglob group spanning "/" could match any number of segments.
    if (parenDepth(segment) !== 0) return [GLOBSTAR];
    // An extglob segment such as `*(a)` may also match nothing and vanish with its "/".
    const pattern: SegmentPattern =
      segment === '**' || unescapedIndex(segment, '(') !== -1
        ? GLOBSTAR
        : {
            globstar: false,
            automaton: segmentAutomaton(Array.from(segment)),
            ...(/^[^*?[\]{}()\\!@+|]+$/.test(segment) ? { literal: segment } : {}),
          };
    const previous = patterns[patterns.length - 1];
    if (!(pattern.globstar && previous?.globstar)) patterns.push(pattern);
  }
  return patterns;
}

/** Net depth of unescaped parentheses in a segment (0 when balanced). */
function parenDepth(segment: string): number {
  let depth = 0;
  for (let i = 0; i < segment.length; i += 1) {
    if (segment[i] === '\\') i += 1;
    else if (segment[i] === '(') depth += 1;
    else if (segment[i] === ')') depth -= 1;
  }
  return depth;
}

/** Index of the first unescaped occurrence of `needle`, or -1. */
function unescapedIndex(segment: string, needle: string): number {
  for (let i = 0; i < segment.length; i += 1) {
    if (segment[i] === '\\') i += 1;
    else if (segment.startsWith(needle, i)) return i;
  }
  return -1;
}

function segmentAutomaton(chars: string[]): SegmentAutomaton {
  const edges: SegmentAutomaton['edges'] = [[]];
  let current = 0;
  const addState = (): number => edges.push([]) - 1;
  const step = (from: number, set: CharSet, to: number): void => {
    edges[from]?.push({ set, to });
  };
  for (let i = 0; i < chars.length; i += 1) {
    const char = chars[i] as string;
    if (char === '*') {
      if (!edges[current]?.some((edge) => edge.to === current)) step(current, ANY_CHAR, current);
      continue;
    }
    const next = addState();
    const end = char === '[' ? classEnd(chars, i) : undefined;
    if (char === '?') step(current, ANY_CHAR, next);
    else if (end !== undefined) {
      step(current, parseClass(chars.slice(i + 1, end)), next);
      // picomatch also lets a class match its own text, e.g. `[id]` the name "[id]".
      let at = current;
      for (const literal of chars.slice(i, end)) {
        const following = addState();
        step(at, singleChar(literal), following);
        at = following;
      }
      step(at, singleChar(']'), next);
      i = end;
    } else {
      // A trailing backslash escapes nothing and stands for itself.
      const literal = char === '\\' && i + 1 < chars.length ? (chars[++i] as string) : char;
      step(current, singleChar(literal), next);
    }
    current = next;
  }
  return { edges, accept: current };
}

/**
 * Whether two path patterns can match a common path: a walk over the product
 * of both patterns, where state (i, j) means a common prefix of the path took
 * pattern `a` to segment i and `b` to segment j.
 */
function pathPatternsIntersect(a: readonly SegmentPattern[], b: readonly SegmentPattern[]): boolean {
  const width = b.length + 1;
  const seen = new Uint8Array((a.length + 1) * width);
  const pending = [0];
  seen[0] = 1;
  // Hot loop (pairs of tasks × pairs of globs): no closures, plain pushes.
  const next: number[] = [];
  for (let state = pending.pop(); state !== undefined; state = pending.pop()) {
    const i = Math.floor(state / width);
    const j = state % width;
    if (i === a.length && j === b.length) return true;
    const x = a[i];
    const y = b[j];
    next.length = 0;
    // A `**` may match no more segments...
    if (x?.globstar) next.push(state + width);
    if (y?.globstar) next.push(state + 1);
    if (x !== undefined && y !== undefined) {
      // ...or take one more segment matched by the other side; two single segments must share a name.
      if (x.globstar && !y.globstar) next.push(state + 1);
      else if (!x.globstar && y.globstar) next.push(state + width);
      else if (!x.globstar && !y.globstar && segmentsIntersect(x, y)) next.push(state + width + 1);
    }
    for (const following of next) {
      if (seen[following] === 0) {
        seen[following] = 1;
        pending.push(following);
      }
    }
  }
  return false;
}

function segmentsIntersect(
  a: Extract<SegmentPattern, { globstar: false }>,
  b: Extract<SegmentPattern, { globstar: false }>,
): boolean {
  if (a.literal !== undefined && b.literal !== undefined) return a.literal === b.literal;
  return automataIntersect(a.automaton, b.automaton);
}

/** Whether two segment patterns match a common name: a walk over the product automaton. */
function automataIntersect(a: SegmentAutomaton, b: SegmentAutomaton): boolean {
  const width = b.edges.length;
  const seen = new Uint8Array(a.edges.length * width);
  const pending = [0];
  seen[0] = 1;
  for (let state = pending.pop(); state !== undefined; state = pending.pop()) {
    const i = Math.floor(state / width);
    const j = state % width;
    if (i === a.accept && j === b.accept) return true;
    for (const x of a.edges[i] ?? []) {
      for (const y of b.edges[j] ?? []) {
        const next = x.to * width + y.to;
        if (seen[next] === 0 && charSetsIntersect(x.set, y.set)) {
          seen[next] = 1;
          pending.push(next);
        }
      }
    }
  }
  return false;
}

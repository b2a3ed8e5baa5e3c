import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { compileGlob, globsCanOverlap } from './glob-overlap.js';

describe('globsCanOverlap', () => {
  it.each([
    ['src/**', 'src/a/b.ts', true],
    ['src/*.ts', 'src/a/b.ts', false],
    ['*.md', 'README.md', true],
    ['src/a/**', 'src/b/**', false],
    ['src/**/x.ts', 'src/**/y.ts', false],
    ['src/{a,b}/*.ts', 'src/b/z.ts', true],
    ['src/{a,b}/*.ts', 'src/c/z.ts', false],
    ['**/*.test.ts', 'src/**/*.ts', true],
    ['src/a?.ts', 'src/ab.ts', true],
    ['src/a?.ts', 'src/abc.ts', false],
    ['[ab].ts', 'c.ts', false],
    ['[ab].ts', '[bc].ts', true],
    ['[a-c].ts', '[d-f].ts', false],
    ['[^a].ts', 'a.ts', false],
    ['[^a].ts', 'b.ts', true],
    ['[^ab].ts', '[ab].ts', false],
    ['[^ab].ts', '[a-c].ts', true],
    ['[^a].ts', '[^b].ts', true],
    // picomatch reads `[!a]` as "! or a", bash as "not a": both readings count.
    ['[!a].ts', 'a.ts', true],
    ['[!a].ts', 'b.ts', true],
    ['[!a].ts', 'b.md', false],
    // picomatch also lets a class match its own text (Next.js routes like `[slug]`).
    ['[ab]', '\\[ab\\]', true],
    ['app/[slug]/page.tsx', 'app/\\[slug\\]/page.tsx', true],
    ['app/[slug]/page.tsx', 'app/\\[id\\]/page.tsx', false],
    // picomatch lets `**` inside a segment cross "/".
    ['**.ts', 'src/a/b.ts', true],
    ['src/**{a,b}', 'src/x/a', true],
    // An extglob segment may match nothing at all.
    ['x/**/*(a)', 'x', true],
    ['[[:digit:]].ts', '7.ts', true],
    ['[[:digit:]].ts', 'x.ts', false],
    ['./src/a.ts', 'src/a.ts', true],
    ['src//a.ts', 'src/./a.ts', true],
    ['src/a/../b.ts', 'src/b.ts', true],
    ['src/', 'src/**', true],
    ['a*b*c', '*x*', true],
    ['a*b', '*c', false],
    ['*', 'a/b', false],
    ['**', 'a/b/c', true],
    ['a/**/b/**/c', 'a/c', false],
    ['a/**/b/**/c', 'a/x/b/c', true],
    ['a/**/**/b', 'a/b', true],
    ['*.{ts,js}', 'x.md', false],
    ['{src,lib}/{a,b}.ts', 'lib/b.ts', true],
    ['{1..3}.ts', '2.ts', true],
    ['{1..3}.ts', '4.ts', false],
    ['{01..10}.txt', '07.txt', true],
    ['{a..c}.ts', 'b.ts', true],
    ['{a}.ts', 'a.ts', true],
    ['{a}.ts', '\\{a\\}.ts', true],
    ['src/\\*.ts', 'src/x.ts', false],
    ['src/\\*.ts', 'src/*.ts', true],
    ['src/(group)/page.tsx', 'src/x/page.tsx', true],
    ['src/@(a|b).ts', 'src/c.ts', true],
  ])('%s ~ %s → %s (both ways)', (a, b, expected) => {
    expect(globsCanOverlap(a, b)).toBe(expected);
    expect(globsCanOverlap(b, a)).toBe(expected);
  });

  it('is sound: whenever picomatch matches one path with both globs, the answer is true', () => {
    const random = seededRandom(20240611);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const segmentParts = [
      ...['a', 'b', 'ab', 'x', '.a', 'a*', '*b', '*', '?', '**', '..', 'a\\*'],
      ...['[ab]', '[!a]', '[^a]', '[a-b]', '[[:alpha:]]', '\\[a\\]', '[a]'],
      ...['{a,b}', '{a,x}*', '{a,{b,c}}', 'c{,a}', '{a..b}'],
      ...['@(a|b)', '*(a)', '?(b)', '+(a|b)', '!(a)', '(a|b)'],
    ];
    const randomGlob = (): string =>
      Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
        random() < 0.2 ? '**' : Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(segmentParts)).join(''),
      ).join('/');
    const names = ['a', 'b', 'ab', 'ba', 'x', 'aab', '.a', 'xa', 'a*', 'c', 'ca', '[a]', '(a|b)'];
    const paths: string[] = [];
    for (const first of names) {
      paths.push(first);
      for (const second of names) {
        paths.push(`${first}/${second}`);
        for (const third of ['a', 'b', '.a', '[a]']) paths.push(`${first}/${second}/${third}`);
      }
    }
    let overlapsSeen = 0;
    for (let round = 0; round < 1000; round += 1) {
      const a = randomGlob();
      const b = randomGlob();
      const matchA = picomatch(a, { dot: true });
      const matchB = picomatch(b, { dot: true });
      const witness = paths.find((path) => matchA(path) && matchB(path));
      // Random globs may be invalid here (`..` escaping, `{,a}/x` absolute): those are not the point.
      if (witness === undefined || !isValid(a) || !isValid(b)) continue;
      overlapsSeen += 1;
      expect({ a, b, witness, overlap: globsCanOverlap(a, b) }).toEqual({ a, b, witness, overlap: true });
    }
    expect(overlapsSeen).toBeGreaterThan(100);
  });
});

describe('compileGlob', () => {
  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['/etc/passwd', 'absolute paths are not allowed'],
    ['C:/work/x.ts', 'absolute paths are not allowed'],
    ['{/etc,src}/x', 'absolute paths are not allowed'],
    ['../x.ts', '".." escapes the working directory'],
    ['src/../../x.ts', '".." escapes the working directory'],
    ['**/../x.ts', '".." after "**" may escape the working directory'],
    ['src/[ab.ts', 'unbalanced "["'],
    ['src/[a/b].ts', 'unbalanced "["'],
    ['src/ab].ts', 'unbalanced "]"'],
    ['src/{a,b.ts', 'unbalanced "{"'],
    ['src/a,b}.ts', 'unbalanced "}"'],
    ['!src/**', 'negated globs are not supported'],
    ['.', 'names the working directory itself'],
    ['src/..', 'names the working directory itself'],
    ['{1..1000}.ts', 'braces expand to more than 256 alternatives'],
  ])('rejects %j: %s', (glob, problem) => {
    const message = `invalid glob ${JSON.stringify(glob)}: ${problem}`;
    expect(() => compileGlob(glob)).toThrow(
      expect.objectContaining({ name: 'FanoutError', code: 'PLAN_INVALID', message: expect.stringContaining(message) }),
    );
  });

  it('accepts escaped brackets and braces as literals', () => {
    expect(compileGlob('src/\\[id\\]/\\{x\\}.ts').alternatives).toHaveLength(1);
  });

  it('expands braces into alternatives', () => {
    expect(compileGlob('x/{a,b}/[c-d]/{1..2}').alternatives).toHaveLength(4);
  });
});

function isValid(glob: string): boolean {
  try {
    compileGlob(glob);
    return true;
  } catch {
    return false;
  }
}

/** A small deterministic generator (mulberry32), so a failure always reproduces. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

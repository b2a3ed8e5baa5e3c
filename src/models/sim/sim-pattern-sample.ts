/**
 * A short string that matches a JSON Schema `pattern`, for the simulated
 * model's structured answers. It understands the regular expressions schemas
 * use in practice (literals, classes, escapes, groups, alternation,
 * quantifiers, anchors) and takes the shortest choice each time; the result
 * is checked against the pattern, so an expression it cannot follow
 * (backreferences, lookarounds) gives `undefined`, never a wrong sample.
 */
export function samplePattern(pattern: string): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
  let sample: string;
  try {
    sample = new PatternSampler(pattern).alternation();
  } catch {
    return undefined;
  }
  return regex.test(sample) ? sample : undefined;
}

class Unsupported extends Error {}

/** Characters tried, in order, for a negated class or `\W`-like escapes. */
const FALLBACK_CHARS = ['a', '0', 'A', '-', '_', ' ', 'z', '9', '.', 'x'];

class PatternSampler {
  #at = 0;
  readonly #source: string;

  constructor(source: string) {
    this.#source = source;
  }

  /** `a|b|c`: the first alternative. */
  alternation(): string {
    const first = this.#sequence();
    while (this.#peek() === '|') {
      this.#at++;
      this.#sequence();
    }
    return first;
  }

  #sequence(): string {
    let out = '';
    while (this.#at < this.#source.length && this.#peek() !== '|' && this.#peek() !== ')') {
      const atom = this.#atom();
      const times = this.#quantifier();
      out += atom.repeat(times);
    }
    return out;
  }

  #atom(): string {
    const char = this.#source[this.#at++] as string;
    switch (char) {
      case '^':
      case '$':
        return '';
      case '.':
        return 'a';
      case '(': {
        if (this.#source.startsWith('?:', this.#at)) this.#at += 2;
        else if (this.#source.startsWith('?<', this.#at) && !/^\?<[=!]/.test(this.#source.slice(this.#at))) {
          this.#at = this.#source.indexOf('>', this.#at) + 1;
        } else if (this.#peek() === '?') throw new Unsupported('lookaround');
        const inner = this.alternation();
        if (this.#source[this.#at++] !== ')') throw new Unsupported('unclosed group');
        return inner;
      }
      case '[':
        return this.#characterClass();
      case '\\':
        return this.#escape(false);
      default:
        return char;
    }
  }

  /** How many times the atom before is repeated: the least the quantifier allows. */
  #quantifier(): number {
    const char = this.#peek();
    let times = 1;
    if (char === '*' || char === '?') {
      this.#at++;
      times = 0;
    } else if (char === '+') {
      this.#at++;
    } else if (char === '{') {
      const match = /^\{(\d+)(,\d*)?\}/.exec(this.#source.slice(this.#at));
      if (match === null) return 1;
      this.#at += match[0].length;
      times = Number(match[1]);
    } else {
      return 1;
    }
    if (this.#peek() === '?') this.#at++;
    return times;
  }

  #characterClass(): string {
    const negated = this.#peek() === '^';
    if (negated) this.#at++;
    const members: Array<(c: string) => boolean> = [];
    let first: string | undefined;
    let start = true;
    while (this.#peek() !== ']' || start) {
      start = false;
      if (this.#at >= this.#source.length) throw new Unsupported('unclosed class');
      const char = this.#source[this.#at++] as string;
      const single = char === '\\' ? this.#classEscape() : { sample: char, test: (c: string) => c === char };
      if (this.#peek() === '-' && this.#source[this.#at + 1] !== ']' && single.single !== false) {
        this.#at++;
        const endChar = this.#source[this.#at++] as string;
        const end = endChar === '\\' ? this.#classEscape().sample : endChar;
        const low = single.sample.codePointAt(0) ?? 0;
        const high = end.codePointAt(0) ?? 0;
        members.push((c) => (c.codePointAt(0) ?? -1) >= low && (c.codePointAt(0) ?? -1) <= high);
        first ??= single.sample;
      } else {
        members.push(single.test);
        first ??= single.sample;
      }
    }
    this.#at++;
    if (!negated) return first ?? '';
    const outside = FALLBACK_CHARS.find((c) => !members.some((test) => test(c)));
    if (outside === undefined) throw new Unsupported('negated class');
    return outside;
  }

  #classEscape(): { sample: string; test: (c: string) => boolean; single?: false } {
    const char = this.#source[this.#at] as string;
    const shorthand = SHORTHANDS[char];
    if (shorthand !== undefined) {
      this.#at++;
      return { ...shorthand, single: false };
    }
    const literal = this.#escape(true);
    return { sample: literal, test: (c) => c === literal };
  }

  #escape(inClass: boolean): string {
    const char = this.#source[this.#at++];
    if (char === undefined) throw new Unsupported('trailing backslash');
    const shorthand = SHORTHANDS[char];
    if (shorthand !== undefined) return shorthand.sample;
    if (char === 'b' && !inClass) return '';
    if (/[1-9]|k/.test(char) || char === 'B') throw new Unsupported('backreference or boundary');
    const control = CONTROL_ESCAPES[char];
    if (control !== undefined) return control;
    if (char === 'u' || char === 'x') {
      const braced = /^\{([0-9a-fA-F]+)\}/.exec(this.#source.slice(this.#at));
      const hex = braced?.[1] ?? this.#source.slice(this.#at, this.#at + (char === 'u' ? 4 : 2));
      this.#at += braced?.[0].length ?? hex.length;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    if (char === 'p' || char === 'P') throw new Unsupported('unicode property');
    return char;
  }

  #peek(): string | undefined {
    return this.#source[this.#at];
  }
}

const SHORTHANDS: Record<string, { sample: string; test: (c: string) => boolean }> = {
  d: { sample: '0', test: (c) => /\d/.test(c) },
  D: { sample: 'a', test: (c) => /\D/.test(c) },
  w: { sample: 'a', test: (c) => /\w/.test(c) },
  W: { sample: '-', test: (c) => /\W/.test(c) },
  s: { sample: ' ', test: (c) => /\s/.test(c) },
  S: { sample: 'a', test: (c) => /\S/.test(c) },
};

const CONTROL_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', f: '\f', v: '\v', '0': '\0' };

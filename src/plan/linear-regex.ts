import { RE2JS } from 're2js';

/** A compiled regular expression whose matching time is linear in the input. */
export interface LinearRegex {
  /** True when the expression matches somewhere in `input`. */
  test(input: string): boolean;
  /** The pattern as given. */
  toString(): string;
}

/**
 * Compiles `pattern` with RE2 semantics (re2js, pure JavaScript): matching
 * takes time linear in the input whatever the pattern, so a pattern written
 * by a model or a plan (`(a+)+$`) cannot pin the event loop the way a
 * backtracking `RegExp` can. RE2 has no lookaround and no backreferences;
 * such a pattern throws an Error whose one-line message says so.
 */
export function compileLinearRegex(pattern: string, options: { ignoreCase?: boolean } = {}): LinearRegex {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern, options.ignoreCase === true ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    throw new Error(
      `${reason} (patterns use RE2 syntax, matched in linear time: no lookahead, lookbehind or backreferences)`,
    );
  }
  return { test: (input) => compiled.test(input), toString: () => pattern };
}

/** Characters of picomatch globs that git's patterns (gitignore syntax) do not have. */
const UNSUPPORTED = /[{}()!+@\\]/;

/**
 * git sparse-checkout patterns (non-cone, gitignore syntax, anchored at the
 * repository's top) for globs relative to `subdir` of it; undefined when
 * one cannot be expressed, so the caller checks out everything. `*`, `?`,
 * `[...]` and `**` mean the same in both; a pattern also matches what lies
 * under a directory it names, so the checkout is never narrower than the
 * globs. No globs: undefined too (git refuses a checkout of nothing).
 */
export function sparsePatterns(globs: readonly string[], subdir: string): string[] | undefined {
  if (globs.length === 0 || globs.some((glob) => UNSUPPORTED.test(glob))) return undefined;
  const prefix = subdir === '.' || subdir === '' ? '' : `${subdir.replace(/\/+$/, '')}/`;
  return globs.map((glob) => `/${prefix}${glob.replace(/^\.\//, '')}`);
}

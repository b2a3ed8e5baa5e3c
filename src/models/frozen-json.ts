/**
 * The JSON of `toWire(source)`, encoded once per frozen `source` and kept in
 * `cache`: a frozen object cannot change, so neither can its encoding. An
 * unfrozen source is encoded on every call. Providers use it for tool
 * definitions, which are the same frozen specs on every call of every task
 * and about half of each request body.
 */
export function frozenJson<T extends object>(cache: WeakMap<T, string>, source: T, toWire: (source: T) => unknown): string {
  const cached = cache.get(source);
  if (cached !== undefined) return cached;
  const json = JSON.stringify(toWire(source));
  if (Object.isFrozen(source)) cache.set(source, json);
  return json;
}

/**
 * Freezes `value` and everything reachable from it; returns it. The agent's
 * tool specs are shared by every request of every task: frozen, no one can
 * change them under another task.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

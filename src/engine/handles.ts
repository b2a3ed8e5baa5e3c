import { randomFillSync } from 'node:crypto';

// RFC 4648 base32, lower case: no characters that need escaping in a shell or a URL.
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

// Random bytes drawn in blocks: one RNG call per 4 KiB instead of one per handle (a run records 1,000s at once).
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

/** `count` random base32 characters from the crypto RNG (5 bits each). */
function randomBase32(count: number): string {
  if (poolAt + count > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  let text = '';
  for (let end = poolAt + count; poolAt < end; poolAt += 1) text += BASE32[(pool[poolAt] as number) & 31];
  return text;
}

/**
 * A new run id: `run-<base36 ms time><8 random chars>`. Ids of one process
 * sort by creation time; the random part keeps them unique across processes.
 */
export function newRunId(now: number): string {
  return `run-${Math.max(0, Math.floor(now)).toString(36)}${randomBase32(8)}`;
}

/** A new task handle: `task-<12 random base32 chars>` (60 bits), unique across runs and processes. */
export function newTaskHandle(): string {
  return `task-${randomBase32(12)}`;
}

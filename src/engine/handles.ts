import { randomBytes } from 'node:crypto';

// RFC 4648 base32, lower case: no characters that need escaping in a shell or a URL.
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** `count` random base32 characters from the crypto RNG (5 bits each). */
function randomBase32(count: number): string {
  const bytes = randomBytes(count);
  let text = '';
  for (const byte of bytes) text += BASE32[byte & 31];
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

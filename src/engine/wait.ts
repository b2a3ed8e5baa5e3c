import { toFanoutError } from '../contracts/errors.js';
import type { Clock } from '../contracts/clock.js';

/** How a wait ended: the thing finished, or the time ran out. */
export type WaitOutcome = 'done' | 'timeout';

/** What {@link untilSettled} waits on. */
export interface UntilSettledOptions {
  clock: Clock;
  pollMs: number;
  /** The in-process completion promise, when this process executes the thing (checked before each poll). */
  local: () => Promise<void> | undefined;
  /** Reads the store: `done`, or undefined to keep polling. */
  check: () => WaitOutcome | undefined;
  /** Give up after this many ms. */
  timeoutMs?: number;
  /** Rejects the wait with an `ABORTED` FanoutError when it fires. */
  signal?: AbortSignal;
}

/**
 * Waits for something that finishes in this process (its promise) or in
 * another one (polling the store every `pollMs` on the injected clock),
 * bounded by an optional timeout and signal. Leaves no timer behind.
 */
export async function untilSettled(options: UntilSettledOptions): Promise<WaitOutcome> {
  const { clock, pollMs, signal } = options;
  const cleanup = new AbortController();
  const never = new Promise<never>(() => {});
  const deadline =
    options.timeoutMs === undefined
      ? never
      : clock.sleep(options.timeoutMs, cleanup.signal).then(
          () => 'timeout' as const,
          () => never,
        );
  let onAbort: (() => void) | undefined;
  const aborted =
    signal === undefined
      ? never
      : new Promise<never>((_, reject) => {
          onAbort = () => reject(toFanoutError(signal.reason ?? new Error('aborted'), 'ABORTED'));
          if (signal.aborted) onAbort();
          else signal.addEventListener('abort', onAbort, { once: true });
        });
  try {
    for (;;) {
      const pending = options.local();
      if (pending !== undefined) return await Promise.race([pending.then(() => 'done' as const), deadline, aborted]);
      const checked = options.check();
      if (checked !== undefined) return checked;
      const poll = clock.sleep(pollMs, cleanup.signal).then(
        () => undefined,
        () => undefined,
      );
      const outcome = await Promise.race([poll, deadline, aborted]);
      if (outcome === 'timeout') return outcome;
    }
  } finally {
    cleanup.abort();
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

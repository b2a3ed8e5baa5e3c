import type { Fanout, OutputResult } from '../index.js';

/** How {@link waitForTasks} reports while it waits. */
export type ProgressReporter = (progress: { done: number; total: number; message: string }) => void;

/** What {@link waitForTasks} found. */
export interface WaitOutcome {
  /** Every handle with its latest result, in the order asked for. */
  results: OutputResult[];
  /** True when the wait ended on its time limit rather than on the mode. */
  timedOut: boolean;
}

/**
 * Waits for `handles` until one (`any`) or all (`all`) are done, `timeoutMs`
 * passes, or `signal` fires — whichever is first — and returns every
 * handle's latest state. The tasks may run in any process: the library's
 * blocking `output` reads the store. Unknown handles reject at once.
 */
export async function waitForTasks(
  fanout: Fanout,
  handles: readonly string[],
  options: { mode: 'any' | 'all'; timeoutMs: number; signal?: AbortSignal; onProgress?: ProgressReporter },
): Promise<WaitOutcome> {
  const stop = new AbortController();
  const abort = () => stop.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  const latest = new Map<string, OutputResult>();
  // Current state first: unknown handles fail here, before anything blocks.
  for (const handle of handles) latest.set(handle, await fanout.output(handle));
  const doneCount = () => [...latest.values()].filter((result) => result.done).length;
  const satisfied = () => (options.mode === 'any' ? doneCount() > 0 : doneCount() === handles.length);
  let timedOut = false;
  try {
    if (!satisfied()) {
      const timer = setTimeout(() => {
        timedOut = true;
        stop.abort();
      }, options.timeoutMs);
      try {
        await new Promise<void>((resolve) => {
          stop.signal.addEventListener('abort', () => resolve(), { once: true });
          for (const handle of handles) {
            if (latest.get(handle)?.done) continue;
            fanout.output(handle, { block: true, signal: stop.signal }).then(
              (result) => {
                if (stop.signal.aborted) return;
                latest.set(handle, result);
                options.onProgress?.({ done: doneCount(), total: handles.length, message: `${result.taskId} ${result.status}` });
                if (satisfied()) resolve();
              },
              // An aborted wait settles through the abort listener above.
              () => undefined,
            );
          }
        });
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    stop.abort();
    options.signal?.removeEventListener('abort', abort);
  }
  if (timedOut) {
    // The blocking reads were cut short: read each one's state once more.
    for (const handle of handles) if (!latest.get(handle)?.done) latest.set(handle, await fanout.output(handle));
  }
  return { results: handles.map((handle) => latest.get(handle) as OutputResult), timedOut: timedOut && !satisfied() };
}

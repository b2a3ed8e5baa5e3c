import { toFanoutError } from '../contracts/errors.js';
import type { Clock } from '../contracts/clock.js';
import type { StoredEvent } from '../contracts/events.js';
import type { RunStore } from '../contracts/run-store.js';

/** Whose events to read: a whole run, or the events naming one task of it. */
export interface EventScope {
  runId: string;
  /** A task handle: only events naming it. Absent: every event of the run. */
  handle?: string;
}

/** A page of a scope's events, and the run seq read up to (filtered-out events included). */
export interface EventPage {
  events: StoredEvent[];
  lastSeq: number;
}

/** The scope's events with a run seq greater than `after`. */
export function readEventPage(store: RunStore, scope: EventScope, after: number): EventPage {
  const stored = store.listEvents(scope.runId, after);
  const lastSeq = stored.at(-1)?.seq ?? after;
  const { handle } = scope;
  if (handle === undefined) return { events: stored, lastSeq };
  return { events: stored.filter(({ event }) => 'handle' in event && event.handle === handle), lastSeq };
}

/** What {@link followEventLog} reads and waits with. */
export interface FollowEventLogOptions {
  store: RunStore;
  scope: EventScope;
  clock: Clock;
  pollMs: number;
  after: number;
  /** True once the scope can record no more events (the run or the task has ended); checked before each read. */
  ended: () => boolean;
  signal?: AbortSignal;
}

/**
 * Yields the scope's stored events, then polls the store for new ones until
 * `ended()` was true before a read (so the events recorded up to the end are
 * all yielded). Rejects with `ABORTED` when the signal fires.
 */
export async function* followEventLog(options: FollowEventLogOptions): AsyncGenerator<StoredEvent, void, undefined> {
  const { store, scope, clock, pollMs, signal } = options;
  let after = options.after;
  for (;;) {
    throwIfAborted(signal);
    const ended = options.ended();
    const page = readEventPage(store, scope, after);
    after = page.lastSeq;
    yield* page.events;
    if (ended) return;
    try {
      await clock.sleep(pollMs, signal);
    } catch (error) {
      throw toFanoutError(signal?.reason ?? error, 'ABORTED');
    }
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw toFanoutError(signal.reason ?? new Error('aborted'), 'ABORTED');
}

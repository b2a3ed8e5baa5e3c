import type { RunStore } from '../contracts/run-store.js';
import type { FanoutEvent } from '../contracts/events.js';

/** A subscriber to engine events. */
export type FanoutEventListener = (event: FanoutEvent) => void;

/**
 * Event types handed to listeners but not stored: a `todo-update` restates a
 * task-start or task-end (or a synthesis event) that is stored, and storing
 * it too cost a fifth of a 1,000-task run's store writes.
 */
const LISTENER_ONLY: ReadonlySet<FanoutEvent['type']> = new Set(['todo-update']);

/**
 * Where every engine event goes: appended to the store (so other processes
 * and later readers see it; see LISTENER_ONLY for the exception) and handed
 * to this process's listeners.
 * Events carry ids, counts and one-line messages only, never env or keys.
 */
export class EventHub {
  readonly #store: RunStore;
  readonly #listeners = new Set<FanoutEventListener>();
  /** Listeners of one run each (`onEvent` of spawn and start), by run id. */
  readonly #runListeners = new Map<string, FanoutEventListener>();

  constructor(store: RunStore) {
    this.#store = store;
  }

  /** Subscribes; returns the unsubscribe function. */
  on(listener: FanoutEventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Subscribes to the events of one run (at most one listener per run);
   * returns the unsubscribe function. Set before the run's first event, it
   * sees them all: no caller needs to hold early events back.
   */
  onRun(runId: string, listener: FanoutEventListener): () => void {
    this.#runListeners.set(runId, listener);
    return () => {
      if (this.#runListeners.get(runId) === listener) this.#runListeners.delete(runId);
    };
  }

  emit(event: FanoutEvent): void {
    if (!LISTENER_ONLY.has(event.type)) this.#store.appendEvent(event);
    const ofRun = this.#runListeners.get(event.runId);
    if (ofRun !== undefined) deliver(ofRun, event);
    for (const listener of this.#listeners) deliver(listener, event);
  }
}

function deliver(listener: FanoutEventListener, event: FanoutEvent): void {
  try {
    listener(event);
  } catch {
    // A failing progress view or logger must not break the run it watches.
  }
}

import type { RunStore } from '../contracts/run-store.js';
import type { FanoutEvent } from '../contracts/events.js';

/** A subscriber to engine events. */
export type FanoutEventListener = (event: FanoutEvent) => void;

/**
 * Where every engine event goes: appended to the store (so other processes
 * and later readers see it; `todo-update`s are not, see {@link EventHub.announce})
 * and handed to this process's listeners.
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

  /** Stores the event (but a `todo-update`, see {@link EventHub.announce}) and hands it to the listeners. */
  emit(event: FanoutEvent): void {
    if (event.type !== 'todo-update') this.#store.appendEvent(event);
    this.announce(event);
  }

  /**
   * Hands an event to this process's listeners only, unstored: what the
   * todo list says with a `todo-update` restates a task-start or task-end
   * (or a synthesis event) that is stored, and storing it too cost a fifth
   * of a 1,000-task run's store writes. Its own path, so the code compiled
   * for the todo list's changes holds no store write.
   */
  announce(event: FanoutEvent): void {
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

import type { RunStore } from '../store/run-store.js';
import type { FanoutEvent } from './types.js';

/** A subscriber to engine events. */
export type FanoutEventListener = (event: FanoutEvent) => void;

/**
 * Where every engine event goes: appended to the store (so other processes
 * and later readers see it) and handed to this process's listeners.
 * Events carry ids, counts and one-line messages only, never env or keys.
 */
export class EventHub {
  readonly #store: RunStore;
  readonly #listeners = new Set<FanoutEventListener>();

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

  emit(event: FanoutEvent): void {
    this.#store.appendEvent(event);
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A failing progress view or logger must not break the run it watches.
      }
    }
  }
}

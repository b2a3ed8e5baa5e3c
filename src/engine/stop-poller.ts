import type { RunStore } from '../contracts/run-store.js';
import type { Clock } from '../contracts/clock.js';
import type { RunExecution } from './run-execution.js';

/**
 * The one timer of a process that honours stop requests recorded by other
 * processes and keeps its runs' leases: while any run executes here, every
 * `pollMs` (at most a lease renewal period) it renews the leases that are
 * due, reads the store's stop requests of those runs and applies them. It sleeps on the
 * injected clock and halts as soon as no run is left, so an idle process
 * holds no timer.
 */
export class StopPoller {
  readonly #store: RunStore;
  readonly #clock: Clock;
  readonly #pollMs: number;
  readonly #renewMs: number;
  readonly #executions: ReadonlyMap<string, RunExecution>;
  #halt: AbortController | undefined;

  constructor(store: RunStore, clock: Clock, pollMs: number, executions: ReadonlyMap<string, RunExecution>, renewMs: number) {
    this.#store = store;
    this.#clock = clock;
    this.#pollMs = pollMs;
    this.#renewMs = renewMs;
    this.#executions = executions;
  }

  /** Starts polling unless it already does. */
  ensureRunning(): void {
    if (this.#halt !== undefined) return;
    const halt = new AbortController();
    this.#halt = halt;
    void this.#loop(halt.signal);
  }

  /** Stops polling (until the next {@link StopPoller.ensureRunning}). */
  halt(): void {
    this.#halt?.abort();
    this.#halt = undefined;
  }

  /** Renews the leases that are due and applies every pending stop request of the runs executing here now. */
  pollOnce(): void {
    const now = this.#clock.now();
    for (const execution of this.#executions.values()) {
      execution.renewLease(now);
      execution.applyStopRequests(this.#store.listStopRequests(execution.runId, execution.createdAt));
    }
  }

  async #loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.#executions.size > 0) {
      try {
        await this.#clock.sleep(Math.min(this.#pollMs, this.#renewMs), signal);
      } catch {
        return;
      }
      try {
        this.pollOnce();
      } catch {
        // A store that is briefly unreadable (locked, busy) is read again at the next tick.
      }
    }
    if (this.#halt?.signal === signal) this.#halt = undefined;
  }
}

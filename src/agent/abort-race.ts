import { FanoutError } from '../contracts/errors.js';

/** The error an aborted agent run rejects with: the signal's reason when a FanoutError, else an `ABORTED` one. */
export function abortError(signal: AbortSignal): FanoutError {
  const reason: unknown = signal.reason;
  return reason instanceof FanoutError ? reason : new FanoutError('ABORTED', 'agent run aborted', { cause: reason });
}

/** Throws {@link abortError} once `signal` has fired. */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

/**
 * Races each model call and each turn's tool calls of one agent run against
 * its signal, so the run rejects as soon as the signal fires even if the
 * call ignores it. One
 * abort listener for the whole run rather than one per call: listeners on an
 * AbortSignal are not cheap, and a run makes many calls.
 */
export class AbortRace {
  readonly #signal: AbortSignal;
  #rejectCurrent: ((error: FanoutError) => void) | undefined;
  readonly #onAbort = (): void => this.#rejectCurrent?.(abortError(this.#signal));

  constructor(signal: AbortSignal) {
    this.#signal = signal;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Settles like `promise`, or rejects with the abort reason once the signal fires. */
  race<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#rejectCurrent = reject;
      if (this.#signal.aborted) this.#onAbort();
      promise.then(resolve, (error: unknown) => reject(this.#signal.aborted ? abortError(this.#signal) : error));
    });
  }

  /** Stops listening to the signal; the run is over. */
  release(): void {
    this.#rejectCurrent = undefined;
    this.#signal.removeEventListener('abort', this.#onAbort);
  }
}

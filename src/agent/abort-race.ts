import { FanoutError } from '../contracts/errors.js';

/** The error an aborted agent run rejects with: the signal's reason when a FanoutError, else an `ABORTED` one. */
export function abortError(signal: AbortSignal): FanoutError {
  const reason: unknown = signal.reason;
  return reason instanceof FanoutError ? reason : new FanoutError('ABORTED', 'agent run aborted', { cause: reason });
}

/**
 * Races each model call and each turn's tool calls of one agent run against
 * its signal, so the run rejects as soon as the signal fires even if the
 * call ignores it. One abort listener for the whole run rather than one per
 * call: listeners on an AbortSignal are not cheap, and a run makes many
 * calls. Plain (TypeScript-private) fields, as in run-agent.ts.
 */
export class AbortRace {
  /**
   * Whether the signal has fired, set by the listener: `abort()` runs its
   * listeners before it returns, so this is the signal's `aborted` wherever
   * the run looks, and the run's checks between turns read a field instead
   * of the signal's getter.
   */
  private fired: boolean;
  private readonly signal: AbortSignal;
  private rejectCurrent: ((error: FanoutError) => void) | undefined;
  private readonly onAbort = (): void => {
    this.fired = true;
    this.rejectCurrent?.(abortError(this.signal));
  };

  constructor(signal: AbortSignal) {
    this.signal = signal;
    this.fired = signal.aborted;
    // No `once`: the signal fires at most once, release() removes the listener, and Node reads no options this way.
    if (!this.fired) signal.addEventListener('abort', this.onAbort);
  }

  /** Throws {@link abortError} once the signal has fired. */
  throwIfAborted(): void {
    if (this.fired) throw abortError(this.signal);
  }

  /** Settles like `promise`, or rejects with the abort reason once the signal fires. */
  race<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.rejectCurrent = reject;
      if (this.fired) reject(abortError(this.signal));
      promise.then(resolve, (error: unknown) => reject(this.fired ? abortError(this.signal) : error));
    });
  }

  /** Stops listening to the signal; the run is over. */
  release(): void {
    this.rejectCurrent = undefined;
    this.signal.removeEventListener('abort', this.onAbort);
  }
}

import type { SimOptions } from '../../contracts/sim-options.js';

/** An injected failure: the HTTP status to answer with and the advised wait. */
export interface InjectedFault {
  status: number;
  /** Which failing call this is, from 1 to `fail.times`. */
  call: number;
  times: number;
  /** Undefined when the directive gave none; 429 and 529 answers then advise 0 ms. */
  retryAfterMs: number | undefined;
}

/**
 * Counts calls per conversation and fails the first `fail.times` of them.
 * Only conversations that ask for faults are counted, so the map stays as
 * small as the set of faulty conversations. Counts live as long as the
 * server: a client retrying the same conversation sees the faults run out.
 */
export class FaultInjector {
  private readonly calls = new Map<string, number>();

  /** Records one call of conversation `key`; returns the fault to answer with, if any. */
  check(key: string, fail: SimOptions['fail']): InjectedFault | undefined {
    if (fail === undefined || fail.times <= 0) return undefined;
    const made = this.calls.get(key) ?? 0;
    if (made >= fail.times) return undefined;
    this.calls.set(key, made + 1);
    return { status: fail.status, call: made + 1, times: fail.times, retryAfterMs: fail.retryAfterMs };
  }
}

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

/**
 * A failure the server injects at a rate, whatever the conversation: an
 * HTTP status (429, 500, 529), `reset` (the connection is destroyed without an
 * answer), `cut` (the answer's head and the start of its body are sent, then
 * the connection is destroyed) or `stall` (the answer's head is sent, then
 * nothing more).
 */
export type RandomFaultKind = 429 | 500 | 529 | 'reset' | 'cut' | 'stall';

/** The kinds {@link RandomFaults} picks from when none are named: the ones a client can get past by retrying. */
export const DEFAULT_RANDOM_FAULT_KINDS: readonly RandomFaultKind[] = [500, 529, 'reset'];

/** Server-wide faults at a rate. */
export interface RandomFaultOptions {
  /** Share of model calls that fail, from 0 to 1. */
  rate: number;
  /** What a failing call gets, picked in turn at random. @default [500, 529, 'reset'] */
  kinds?: readonly RandomFaultKind[];
  /** Seed of the pseudo-random sequence, so a run is reproducible. @default 1 */
  seed?: number;
}

/**
 * Picks which calls fail, from a seeded pseudo-random sequence
 * (mulberry32): the same seed fails the same calls in the same order.
 */
export class RandomFaults {
  readonly #rate: number;
  readonly #kinds: readonly RandomFaultKind[];
  #state: number;

  constructor(options: RandomFaultOptions) {
    this.#rate = options.rate;
    this.#kinds = options.kinds !== undefined && options.kinds.length > 0 ? options.kinds : DEFAULT_RANDOM_FAULT_KINDS;
    this.#state = (options.seed ?? 1) >>> 0;
  }

  /** The fault of the next call, if it fails. */
  next(): RandomFaultKind | undefined {
    if (this.#random() >= this.#rate) return undefined;
    return this.#kinds[Math.floor(this.#random() * this.#kinds.length)];
  }

  #random(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
}

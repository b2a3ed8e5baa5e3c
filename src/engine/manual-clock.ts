import type { Clock } from '../contracts/clock.js';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * A {@link Clock} that only moves when a test says so. `sleep` registers a
 * timer; {@link ManualClock.advance} moves time forward and fires due timers
 * in order, letting promise chains settle after each one, so timing logic
 * (timeouts, backoff, polling, reports) is tested without real waiting.
 * {@link ManualClock.jumpWall} moves the wall clock alone, as a suspend or an
 * NTP step does. The monotonic reading starts at 0, far from the wall clock,
 * so code that mixes the two readings fails its tests.
 */
export class ManualClock implements Clock {
  #wall: number;
  #monotonic = 0;
  #seq = 0;
  readonly #timers = new Set<Timer>();

  /** @param start the initial wall time, ms since the epoch. */
  constructor(start = 1_700_000_000_000) {
    this.#wall = start;
  }

  now(): number {
    return this.#wall;
  }

  monotonic(): number {
    return this.#monotonic;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        this.#timers.delete(timer);
        reject(signal?.reason);
      };
      const timer: Timer = {
        at: this.#monotonic + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#timers.add(timer);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Number of sleeps not yet fired nor aborted. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Deadlines of the pending sleeps, earliest first (on the {@link ManualClock.monotonic} reading). */
  get deadlines(): number[] {
    return [...this.#timers].map((timer) => timer.at).sort((a, b) => a - b);
  }

  /**
   * Moves time forward by `ms` (both readings), firing every timer that falls
   * due on the way (at its own time, earliest first) and letting the work it
   * triggers settle.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#monotonic + ms;
    await settle();
    for (;;) {
      const next = this.#earliest();
      if (next === undefined || next.at > target) break;
      this.#timers.delete(next);
      this.#moveTo(next.at);
      next.resolve();
      await settle();
    }
    this.#moveTo(target);
    await settle();
  }

  /**
   * Moves the wall clock alone by `ms` (forward, or backward when negative),
   * as a suspended machine, an NTP step or a resumed VM does: no timer fires,
   * and the monotonic reading stays.
   */
  jumpWall(ms: number): void {
    this.#wall += ms;
  }

  #moveTo(monotonic: number): void {
    if (monotonic <= this.#monotonic) return;
    this.#wall += monotonic - this.#monotonic;
    this.#monotonic = monotonic;
  }

  #earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.#timers) {
      if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    }
    return best;
  }
}

/**
 * Lets pending promise chains run: waits for a few macrotask turns, which
 * drains every microtask queued on the way.
 */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

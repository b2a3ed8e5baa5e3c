import type { RateLimitBucket } from '../contracts/model.js';

const MINUTE_MS = 60_000;
const RESET_PRECISION_MS = 1000;

/**
 * What an endpoint's latest answer said of one of its limits, kept current
 * between answers: it refills at the stated limit per minute up to the
 * level the reset time implies, and each call started takes from it. So
 * calls wait for the bucket before the server would refuse them. Without a
 * stated limit it cannot refill: empty, it waits for the reset time.
 */
export class StatedBucket {
  #level = 0;
  #capacity = 0;
  /** Units per ms; 0 when the limit is not stated. */
  #rate = 0;
  #at = 0;
  #resetAt = 0;

  /**
   * Takes what an answer received at `now` states. `now` and every time this
   * bucket is asked about are monotonic; the bucket's `resetAt` is the
   * server's wall-clock time, read against `wallNow` (the wall clock at `now`).
   */
  update(bucket: RateLimitBucket, now: number, wallNow: number): void {
    const resetInMs = Math.max(0, bucket.resetAt - wallNow);
    this.#level = bucket.remaining;
    this.#at = now;
    this.#resetAt = now + resetInMs;
    this.#rate = bucket.limit === undefined ? 0 : bucket.limit / MINUTE_MS;
    // Reset times come in whole seconds (RFC 3339): one more second's refill is within what the header can say.
    const full = bucket.remaining + this.#rate * (resetInMs + RESET_PRECISION_MS);
    // At least one call's worth, so that an empty bucket always refills enough for the next call.
    this.#capacity = bucket.limit === undefined ? bucket.remaining : Math.max(1, Math.min(bucket.limit, full));
  }

  /** What is left at `now`, as the last answer and the calls since imply. */
  level(now: number): number {
    if (this.#rate === 0) return now >= this.#resetAt ? Number.POSITIVE_INFINITY : this.#level;
    return Math.min(this.#capacity, this.#level + (now - this.#at) * this.#rate);
  }

  /** Takes `amount` for a call starting at `now`. */
  take(amount: number, now: number): void {
    const level = this.level(now);
    if (!Number.isFinite(level)) return;
    this.#level = level - amount;
    this.#at = now;
  }

  /** ms from `now` until the level reaches `need` (0 when it has). */
  msUntil(need: number, now: number): number {
    const level = this.level(now);
    if (level >= need) return 0;
    if (this.#rate === 0) return Math.max(1, this.#resetAt - now);
    return Math.max(1, Math.ceil((need - level) / this.#rate));
  }
}

/**
 * Amounts over a sliding minute (calls started, tokens used), for static
 * caps that must never be exceeded in any 60 seconds. Entries are kept in
 * time order and dropped as they age out: memory is bounded by the cap.
 */
export class SlidingMinute {
  readonly #at: number[] = [];
  readonly #amount: number[] = [];
  #head = 0;
  #sum = 0;

  /** Counts `amount` at `now` (times never go backwards). */
  add(amount: number, now: number): void {
    // Aged entries go here too: an endpoint without rpm/tpm caps never asks for the sum, and would keep every call.
    this.#expire(now);
    this.#at.push(now);
    this.#amount.push(amount);
    this.#sum += amount;
  }

  /** The sum of the last 60 seconds before `now`. */
  sum(now: number): number {
    this.#expire(now);
    return this.#sum;
  }

  /**
   * ms from `now` until the sum is at most `room` below `cap`, i.e. until
   * adding `room` keeps it within `cap`; Infinity when only calls in flight
   * could make room.
   */
  msUntilRoom(room: number, cap: number, now: number): number {
    this.#expire(now);
    let sum = this.#sum;
    for (let index = this.#head; sum + room > cap; index++) {
      if (index >= this.#at.length) return Number.POSITIVE_INFINITY;
      sum -= this.#amount[index] as number;
      if (sum + room <= cap) return Math.max(1, (this.#at[index] as number) + MINUTE_MS - now);
    }
    return 0;
  }

  #expire(now: number): void {
    while (this.#head < this.#at.length && (this.#at[this.#head] as number) <= now - MINUTE_MS) {
      this.#sum -= this.#amount[this.#head] as number;
      this.#head++;
    }
    // Dropping aged entries in bulk keeps each call O(1) amortized.
    if (this.#head > 1024 && this.#head * 2 > this.#at.length) {
      this.#at.splice(0, this.#head);
      this.#amount.splice(0, this.#head);
      this.#head = 0;
    }
  }
}

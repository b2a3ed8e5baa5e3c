/**
 * A first-in, first-out queue over an array and the index of its head:
 * taking from the front is O(1) amortized (Array#shift moves every entry
 * behind it, which a queue of 10,000 ready tasks or waiting calls cannot
 * afford per take), and taken entries are dropped in bulk.
 */
export class FifoQueue<T> {
  readonly #items: T[] = [];
  #head = 0;

  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest entry, left in the queue; undefined when it is empty. */
  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  /** Removes and returns the oldest entry; undefined when the queue is empty. */
  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head++];
    this.#compact();
    return item;
  }

  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
  }
}

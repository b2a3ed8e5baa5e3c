/**
 * Runs the operations given for one key one at a time, in the order given.
 * git's worktree and ref bookkeeping is not safe under concurrent commands
 * (`git worktree add` run concurrently in one repository fails for about a
 * third of the calls), so every command that changes a repository's
 * worktrees, branches or fanout's run records goes through the queue of
 * that repository (keyed by its common git directory).
 */
export class RepoQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `operation` after every operation queued before it for `key` has settled. */
  run<T>(key: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(operation, operation);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}

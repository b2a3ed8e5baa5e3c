import type Database from 'better-sqlite3';
import type { FanoutError } from '../contracts/errors.js';

/** A prepared statement of the store. */
export type Statement = Database.Statement<unknown[]>;

/** A queued write: a statement and its parameters, or a function that runs statements. */
type Write = readonly [Statement, unknown[]] | (() => void);

/** Flushes of every open write queue, run when the process exits normally. */
const exitFlushes = new Set<() => void>();

function flushAllOnExit(): void {
  for (const flush of exitFlushes) flush();
}

/**
 * The writes of one SQLite store, queued and applied in one transaction per
 * event-loop tick (scheduled with `setImmediate`) instead of one implicit
 * transaction per statement — what keeps a 1,000-task run cheap. The store
 * flushes it before every read (read-your-writes), on `flush()` and `close()`,
 * and a normal process exit flushes it through a `process.on('exit')` hook;
 * only a crash or SIGKILL loses anything, at most the last tick's writes.
 *
 * A write may name the row it changes (`rowKey`): a later write of the same
 * row in the same tick replaces it in place, one statement per row per tick.
 * Safe because the store never queues a statement that reads such rows.
 */
export class SqliteWriteQueue {
  readonly #applyBatch: Database.Transaction<(batch: Write[]) => void>;
  readonly #describeError: (action: string, error: unknown) => FanoutError;
  readonly #onApplied: (writes: number) => void;
  #pending: Write[] = [];
  readonly #rowSlots = new Map<string, number>();
  #scheduled: NodeJS.Immediate | undefined;
  /** A background flush that lost writes, reported by the next call. */
  #deferredError: FanoutError | undefined;
  readonly #exitFlush = (): void => {
    try {
      this.apply();
    } catch (error) {
      process.stderr.write(`fanout: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  };
  readonly #onTick = (): void => {
    this.#scheduled = undefined;
    try {
      this.apply();
    } catch (error) {
      // Writes kept after SQLITE_BUSY are retried by the next read, flush or close;
      // lost writes must be reported, and a throw here would crash the process.
      if (this.#pending.length === 0) this.#deferredError = error as FanoutError;
    }
  };

  /**
   * `describeError` turns a failed batch into the store's STORE_ERROR (naming
   * its path); `onApplied` runs whenever the queued writes have left the
   * queue (applied or failed), with their number, so that a caller merging
   * values into a queued row write starts afresh.
   */
  constructor(
    db: Database.Database,
    options: { describeError: (action: string, error: unknown) => FanoutError; onApplied: (writes: number) => void },
  ) {
    this.#describeError = options.describeError;
    this.#onApplied = options.onApplied;
    this.#applyBatch = db.transaction((batch: Write[]) => {
      for (const write of batch) {
        if (typeof write === 'function') write();
        else write[0].run(...write[1]);
      }
    });
    if (exitFlushes.size === 0) process.on('exit', flushAllOnExit);
    exitFlushes.add(this.#exitFlush);
  }

  /** Queues a write whose parameters are strings, numbers or null by construction. */
  push(statement: Statement, params: unknown[], rowKey?: string): void {
    const slot = rowKey === undefined ? undefined : this.#rowSlots.get(rowKey);
    if (slot !== undefined) {
      this.#pending[slot] = [statement, params];
      return;
    }
    if (rowKey !== undefined) this.#rowSlots.set(rowKey, this.#pending.length);
    this.#queue([statement, params]);
  }

  /**
   * Queues a function that runs statements inside the batch's transaction,
   * for a row whose values keep growing until the batch is applied (a page
   * of events). It must only write values that are final by then.
   */
  pushWrites(writes: () => void): void {
    this.#queue(writes);
  }

  #queue(write: Write): void {
    this.#pending.push(write);
    this.#scheduled ??= setImmediate(this.#onTick);
  }

  /**
   * Applies every queued write in one transaction. On SQLITE_BUSY (another
   * process held the lock past the timeout) the writes stay queued for the
   * next try; on any other failure retrying cannot help, so they are dropped
   * and the error says how many were lost.
   */
  apply(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    // Once applied (or failed), later writes of a row start a new statement.
    this.#rowSlots.clear();
    this.#onApplied(batch.length);
    try {
      this.#applyBatch.immediate(batch);
    } catch (error) {
      const busy = (error as { code?: unknown }).code === 'SQLITE_BUSY';
      if (!busy) this.#pending = [];
      const what = busy ? `${batch.length} writes are still pending` : `${batch.length} writes were lost`;
      throw this.#describeError(`could not write (${what})`, error);
    }
    this.#pending = [];
  }

  /** The error of a background flush that lost writes, once; then it is forgotten. */
  takeDeferredError(): FanoutError | undefined {
    const deferred = this.#deferredError;
    this.#deferredError = undefined;
    return deferred;
  }

  /** Stops the tick flush and the exit hook; the caller applies what is left before closing the database. */
  detach(): void {
    exitFlushes.delete(this.#exitFlush);
    if (exitFlushes.size === 0) process.off('exit', flushAllOnExit);
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
  }
}

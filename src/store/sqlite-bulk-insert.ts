import type Database from 'better-sqlite3';
import type { Statement } from './sqlite-write-queue.js';

/**
 * Rows per multi-row INSERT. Each statement run costs far more than a row
 * (a call into the binding, a reset, a result object), so createRun of
 * 1,000 tasks inserts 50 times, not 2,000. 40 rows of the widest table
 * (tasks, 21 columns) stay under SQLite's historic 999 parameters.
 */
export const ROWS_PER_INSERT = 40;

/** The INSERT statements of one table: one row, and {@link ROWS_PER_INSERT} rows. */
export interface InsertStatements {
  one: Statement;
  many: Statement;
  /** Columns per row. */
  width: number;
}

/** Prepares the one-row and many-row INSERT of `columns` into `table`. */
export function prepareInserts(db: Database.Database, table: string, columns: readonly string[]): InsertStatements {
  const row = `(${columns.map(() => '?').join(', ')})`;
  const insert = `INSERT INTO ${table} (${columns.join(', ')}) VALUES `;
  return {
    one: db.prepare(insert + row),
    many: db.prepare(insert + Array.from({ length: ROWS_PER_INSERT }, () => row).join(', ')),
    width: columns.length,
  };
}

/**
 * Inserts rows given as their values one after another (`width` values a
 * row), in order: whole batches of {@link ROWS_PER_INSERT} through the
 * many-row statement as they fill, the rest one by one on `finish()`.
 * Runs statements at once, so it belongs inside the caller's transaction.
 */
export class BulkInsert {
  readonly #statements: InsertStatements;
  readonly #batch: number;
  #values: unknown[] = [];

  constructor(statements: InsertStatements) {
    this.#statements = statements;
    this.#batch = statements.width * ROWS_PER_INSERT;
  }

  /**
   * Adds one row's values; the caller passes exactly `width` of them.
   * Statements get their values spread, not as one array: better-sqlite3
   * reads an array's elements one by one through the V8 API, which cost
   * more than the many-row statement saved.
   */
  add(...values: unknown[]): void {
    this.#values.push(...values);
    if (this.#values.length === this.#batch) {
      this.#statements.many.run(...this.#values);
      this.#values = [];
    }
  }

  /** Inserts the rows of a batch that did not fill. */
  finish(): void {
    const { one, width } = this.#statements;
    for (let at = 0; at < this.#values.length; at += width) one.run(...this.#values.slice(at, at + width));
    this.#values = [];
  }
}

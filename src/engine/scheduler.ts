import type { DagEdge, EdgeKind } from '../contracts/plan.js';
import type { TaskStatus } from '../contracts/records.js';
import { FifoQueue } from './fifo-queue.js';

/** What settling one task changed. */
export interface SchedulerStep {
  /** Tasks whose predecessors are now all done: they are queued for a slot. */
  readonly ready: readonly number[];
  /** Tasks that will never run because a dependency did not succeed, with the reason. */
  readonly skipped: ReadonlyArray<{ index: number; reason: string }>;
}

/** The step of a settle that released and skipped nothing, shared (frozen: callers only read a step). */
const NOTHING_CHANGED: SchedulerStep = Object.freeze({ ready: Object.freeze([]), skipped: Object.freeze([]) });

const WAITING = 0;
const QUEUED = 1;
const RUNNING = 2;
const DONE = 3;

interface Successor {
  to: number;
  kind: EdgeKind;
}

/**
 * The dispatch state of one run's DAG, by task index. A task becomes ready
 * the moment its own predecessors are done (there are no level barriers),
 * then waits in FIFO order for one of `limit` slots.
 *
 * Kept in counters and adjacency lists so settling a task costs O(its
 * out-edges): nothing rescans the run.
 *
 * A dependency that does not succeed skips its dependents, transitively.
 * A conflict edge only orders two tasks' writes, so its target still runs
 * when the source failed, hit a limit, was skipped or stopped.
 */
export class DagScheduler {
  readonly limit: number;
  readonly #ids: readonly string[];
  readonly #state: Uint8Array;
  readonly #remaining: Int32Array;
  readonly #successors: Successor[][];
  readonly #queue = new FifoQueue<number>();
  #running = 0;

  /**
   * @param ids task ids; a task's index is its position here.
   * @param edges the DAG's dependency and conflict edges, by task id.
   * @param limit most tasks running at once.
   */
  constructor(ids: readonly string[], edges: readonly DagEdge[], limit: number) {
    this.#ids = ids;
    this.limit = limit;
    this.#state = new Uint8Array(ids.length);
    this.#remaining = new Int32Array(ids.length);
    this.#successors = ids.map(() => []);
    const indexOf = new Map(ids.map((id, index) => [id, index]));
    for (const edge of edges) {
      const from = indexOf.get(edge.from);
      const to = indexOf.get(edge.to);
      if (from === undefined || to === undefined) continue;
      this.#successors[from]?.push({ to, kind: edge.kind });
      this.#remaining[to] = (this.#remaining[to] ?? 0) + 1;
    }
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Queues every task without predecessors, in plan order, and returns them. Call once. */
  start(): number[] {
    const ready: number[] = [];
    for (let index = 0; index < this.#ids.length; index++) {
      if (this.#state[index] === WAITING && this.#remaining[index] === 0) this.#enqueue(index, ready);
    }
    return ready;
  }

  /** The next queued task when a slot is free; it counts as running from now on. */
  take(): number | undefined {
    if (this.#running >= this.limit) return undefined;
    for (let index = this.#queue.shift(); index !== undefined; index = this.#queue.shift()) {
      if (this.#state[index] !== QUEUED) continue;
      this.#state[index] = RUNNING;
      this.#running += 1;
      return index;
    }
    return undefined;
  }

  /** True once the task was settled (or skipped through a predecessor). */
  isDone(index: number): boolean {
    return this.#state[index] === DONE;
  }

  /**
   * Settles a task with its terminal status (running or not: a queued task
   * can be stopped before it starts), frees its slot, and releases or skips
   * its successors.
   */
  settle(index: number, status: TaskStatus): SchedulerStep {
    if (this.#state[index] === DONE) return NOTHING_CHANGED;
    if (this.#state[index] === RUNNING) this.#running -= 1;
    this.#state[index] = DONE;
    // Most tasks of a wide run have no successor: their settling builds nothing.
    if (this.#successors[index]?.length === 0) return NOTHING_CHANGED;
    const ready: number[] = [];
    const skipped: Array<{ index: number; reason: string }> = [];
    const pending: Array<[number, TaskStatus]> = [[index, status]];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const [from, fromStatus] = next;
      for (const { to, kind } of this.#successors[from] ?? []) {
        if (this.#state[to] === DONE) continue;
        if (kind === 'dependency' && fromStatus !== 'succeeded') {
          this.#state[to] = DONE;
          skipped.push({ index: to, reason: `dependency ${this.#ids[from]} ${outcomeWords(fromStatus)}` });
          pending.push([to, 'skipped']);
          continue;
        }
        const left = (this.#remaining[to] ?? 0) - 1;
        this.#remaining[to] = left;
        if (left === 0) this.#enqueue(to, ready);
      }
    }
    return { ready, skipped };
  }

  #enqueue(index: number, ready: number[]): void {
    this.#state[index] = QUEUED;
    this.#queue.push(index);
    ready.push(index);
  }

}

function outcomeWords(status: TaskStatus): string {
  switch (status) {
    case 'failed':
      return 'failed';
    case 'limit':
      return 'hit a limit';
    case 'stopped':
      return 'was stopped';
    case 'skipped':
      return 'was skipped';
    default:
      return `ended as ${status}`;
  }
}

import { FanoutError, isFanoutError } from '../contracts/errors.js';
import type { Clock } from '../contracts/clock.js';
import type { RunStore } from '../contracts/run-store.js';
import type { OutputResult, RunResult, RunStatusView } from '../contracts/fanout.js';
import type { RunReport } from '../contracts/run-report.js';
import type { RunRecord, TaskOutput, TaskRecord } from '../contracts/records.js';
import { changeReview } from './change-review.js';
import type { EventScope } from './event-log.js';
import { settleOrphanedRun } from './orphaned-run.js';
import { buildReport, providerCapWaits } from './report.js';
import { resolveRunModels, type RunCheckContext } from './run-check.js';
import type { RunExecution } from './run-execution.js';
import { isRunActive, isRunOrphaned, isTerminal } from './run-liveness.js';
import { readTodos } from './todo-list.js';

/** What the engine's reads need: the store, the clock, the checks (to resolve a run's models) and the runs executing here. */
export interface RunReadsContext {
  store: RunStore;
  clock: Clock;
  checks: RunCheckContext;
  /** The engine's own map of runs executing in this process, by run id (read, never changed here). */
  executions: ReadonlyMap<string, RunExecution>;
}

/**
 * The read side of the engine: runs, tasks, outputs, results and reports as
 * the store holds them, every run settled first (a run whose executing
 * process died is recorded as interrupted before anyone reads it).
 */
export class RunReads {
  readonly #store: RunStore;
  readonly #clock: Clock;
  readonly #checks: RunCheckContext;
  readonly #executions: ReadonlyMap<string, RunExecution>;

  constructor(context: RunReadsContext) {
    this.#store = context.store;
    this.#clock = context.clock;
    this.#checks = context.checks;
    this.#executions = context.executions;
  }

  /** The store as "not found" messages name it: its location when it has one. */
  get storeName(): string {
    const { location } = this.#store;
    return location === undefined ? 'the store' : `the store ${location}`;
  }

  /** A run's status view: the run with this id, the run of the task with this handle, or (no target) the latest run. */
  status(target?: string): RunStatusView {
    const run = this.settled(this.findRun(target));
    const tasks = this.#store.listTasks(run.runId);
    return { run, tasks, todos: readTodos(this.#store, run.runId, tasks), report: this.reportOf(run, tasks) };
  }

  /**
   * Every read of a run goes through here: a run whose executing process
   * died is recorded as interrupted (its unfinished tasks stopped) first.
   */
  settled(run: RunRecord): RunRecord {
    // A run executing here is alive by definition, whatever a test's clock did to its lease.
    if (this.#executions.has(run.runId)) return run;
    try {
      return settleOrphanedRun(this.#store, run, this.#clock.now());
    } catch (error) {
      // A store this process may only read: the run is shown as what it is, without recording it.
      if (!isFanoutError(error, 'STORE_ERROR')) throw error;
      return isRunOrphaned(run, this.#clock.now()) ? { ...run, status: 'interrupted', error: `run ${run.runId} was interrupted (not recorded: ${error.message})` } : run;
    }
  }

  /** The run, settled; NOT_FOUND when there is none. */
  getRun(runId: string): RunRecord {
    const run = this.#store.getRun(runId);
    if (run === undefined) throw new FanoutError('NOT_FOUND', `no run ${runId} in ${this.storeName}`);
    return this.settled(run);
  }

  isActive(runId: string): boolean {
    const run = this.#store.getRun(runId);
    return run !== undefined && isRunActive(this.settled(run));
  }

  /** The run with this id, the run of the task with this handle, or (no target) the latest run. */
  findRun(target: string | undefined): RunRecord {
    if (target === undefined) {
      const latest = this.#store.listRuns(1)[0];
      if (latest === undefined) throw new FanoutError('NOT_FOUND', `no runs in ${this.storeName} yet`);
      return latest;
    }
    const run = this.#store.getRun(target);
    if (run !== undefined) return run;
    const task = this.#store.getTask(target);
    const ofTask = task === undefined ? undefined : this.#store.getRun(task.runId);
    if (ofTask === undefined) {
      throw new FanoutError('NOT_FOUND', `no run or task ${target} in ${this.storeName} (expected a run id or a task handle)`);
    }
    return ofTask;
  }

  /** A run id's events, or a task handle's; NOT_FOUND for anything else. */
  eventScope(target: string): EventScope {
    const run = this.findRun(target);
    return run.runId === target ? { runId: run.runId } : { runId: run.runId, handle: target };
  }

  /** What a stop of `target` would apply to, from the store (which every local change reaches first). */
  stopTarget(target: string): { runId: string; unfinished: number; finished: boolean } {
    const run = this.findRun(target);
    const settled = this.settled(run);
    if (target === run.runId) {
      const unfinished = this.#store.listTasks(run.runId).filter((task) => !isTerminal(task.status)).length;
      return { runId: run.runId, unfinished, finished: !isRunActive(settled) };
    }
    const task = this.#store.getTask(target) as TaskRecord;
    const finished = isTerminal(task.status);
    return { runId: run.runId, unfinished: finished ? 0 : 1, finished };
  }

  /** A task's output and status as stored now; NOT_FOUND for anything but a task handle. */
  outputOf(handle: string): OutputResult {
    const found = this.#store.getTask(handle);
    if (found === undefined) {
      if (this.#store.getRun(handle) !== undefined) {
        throw new FanoutError('NOT_FOUND', `${handle} is a run id, not a task handle; its tasks and their handles: fanout status ${handle}`);
      }
      throw new FanoutError('NOT_FOUND', `no task ${handle} in ${this.storeName} (expected a task handle)`);
    }
    const run = this.#store.getRun(found.runId);
    if (run !== undefined) this.settled(run);
    // Read again: settling an orphaned run stops its unfinished tasks.
    const task = this.#store.getTask(handle) as TaskRecord;
    const result: OutputResult = {
      handle,
      runId: task.runId,
      taskId: task.taskId,
      status: task.status,
      done: isTerminal(task.status),
    };
    const output = this.#store.getOutput(handle);
    if (output !== undefined) result.output = output;
    if (task.error !== undefined) result.error = task.error;
    return result;
  }

  /** A run's result as stored now: its tasks, their outputs, the synthesis and the report. */
  result(runId: string): RunResult {
    const run = this.getRun(runId);
    const tasks = this.#store.listTasks(runId);
    const outputs: Record<string, TaskOutput> = {};
    for (const task of tasks) {
      const output = this.#store.getOutput(task.handle);
      if (output !== undefined) outputs[task.taskId] = output;
    }
    const result: RunResult = { runId, status: run.status, tasks, outputs, report: this.reportOf(run, tasks) };
    if (run.synthesis !== undefined) result.synthesis = run.synthesis;
    return result;
  }

  reportOf(run: RunRecord, tasks: readonly TaskRecord[]): RunReport {
    // Only a run whose tasks could change files reads its events for the change review, and only one whose tasks
    // waited at their endpoints' gates for the split of those waits (a provider cap someone set, or a rate limit).
    const changing = run.plan.tasks.some((task) => (task.writes ?? []).length > 0 || task.shell !== undefined || task.tools !== undefined);
    const gated = tasks.some((task) => (task.rateLimitWaitMs ?? 0) > 0);
    const events = changing || gated ? this.#store.listEvents(run.runId) : [];
    const report = buildReport(run, tasks, {
      simulated: this.#isSimulated(run),
      now: this.#clock.now(),
      ...(gated ? { providerCapWaits: providerCapWaits(events) } : {}),
    });
    const changes = changing ? changeReview(events) : undefined;
    return changes === undefined ? report : { ...report, changes };
  }

  #isSimulated(run: RunRecord): boolean {
    const local = this.#executions.get(run.runId);
    if (local !== undefined) return local.simulated;
    try {
      return resolveRunModels(run.plan, this.#checks).simulated;
    } catch (error) {
      // A run recorded elsewhere may name a provider this process has no key for: it is not the simulated one.
      if (isFanoutError(error, 'MODEL_CONFIG')) return false;
      throw error;
    }
  }
}

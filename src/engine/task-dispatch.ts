import { toFanoutError, type FanoutError } from '../contracts/errors.js';
import type { TaskPatch } from '../contracts/run-store.js';
import { modelOfRun, type ExecutionContext, type ExecutionSetup } from './execution-setup.js';
import { isTerminal } from './run-liveness.js';
import { DagScheduler, type SchedulerStep } from './scheduler.js';
import { noUsage, runTask, type RunUsage, type TaskOutcome, type TaskRunOptions } from './task-runner.js';
import { runWholeAgentTask } from './whole-agent-task.js';
import { isWholeAgent } from '../contracts/whole-agent.js';
import { TodoList } from './todo-list.js';
import type { FileChange } from '../contracts/workspace.js';
import type { RunWorktrees } from './run-worktrees.js';
import { TaskWorkplaces, type Workplace } from './task-workplace.js';
import type { FanoutEvent } from '../contracts/events.js';
import type { RunRecord, TaskRecord, TaskStatus, WaitReason } from '../contracts/records.js';

interface TaskState {
  /** Local mirror of the stored record. */
  record: TaskRecord;
  /** Set while the task runs. */
  controller?: AbortController;
  /** Callbacks of `whenSettled` callers, run once the task is terminal. */
  waiters?: Array<() => void>;
  /** When it started here, on the clock's monotonic reading: its task-end's duration does not follow a wall-clock jump. */
  startedMonotonic?: number;
}

/** Default number of tasks running at once. */
export const DEFAULT_CONCURRENCY = 8;

/**
 * Most agents one release of tasks begins in the current turn of the event
 * loop; the agents of a larger release (a run's first dispatch: 1,000 at
 * concurrency 1,000) begin this many per later turn. An agent's first request
 * needs the event loop to connect its socket and write, so 1,000 agents begun
 * in one turn sent nothing until the last request was built (~600 ms after
 * spawn); paced, the first requests leave while the later ones are built.
 */
export const AGENTS_PER_TURN = 64;

/** How tasks that have not started end while the run is ending early; none while it goes on. */
export interface EarlyEnding {
  status: 'stopped' | 'skipped';
  message: string;
}

/** What the dispatch loop needs from the run it serves. */
export interface DispatchHooks {
  /** The run's stop or reached cap, read whenever tasks are released: unstarted tasks end with it instead of starting. */
  ending(): EarlyEnding | undefined;
  /** The run's totals, which every task's model calls count towards. */
  runUsage: RunUsage;
  /** Where the run's events go; handed to every task as is, so called unbound. */
  emit: (event: FanoutEvent) => void;
  /** Every task is terminal (called after each task's end; the run decides whether it is the first time). */
  onConcluded(): void;
}

/**
 * The dispatch loop of one run: releases tasks as the scheduler lets them
 * (DAG order, slots), starts each in its workplace through the agent loop
 * (or a whole agent), records every change in the store as it happens
 * (output before status), keeps the todo list, and announces each task's
 * waits, start and end. What ends a run early (stops, caps, its time limit)
 * and its lease are the run's (run-execution.ts).
 */
export class TaskDispatch {
  readonly #ctx: ExecutionContext;
  readonly #setup: ExecutionSetup;
  readonly #run: RunRecord;
  readonly #hooks: DispatchHooks;
  /** Where its tasks work: the run's working directory or worktrees of their own. */
  readonly #workplaces: TaskWorkplaces;
  readonly #worktrees: RunWorktrees | undefined;
  readonly #tasks: TaskState[];
  readonly #byHandle = new Map<string, number>();
  readonly #byTaskId = new Map<string, number>();
  readonly #scheduler: DagScheduler;
  readonly todo: TodoList;
  #concluded = 0;

  constructor(ctx: ExecutionContext, setup: ExecutionSetup, worktrees: RunWorktrees | undefined, hooks: DispatchHooks) {
    this.#ctx = ctx;
    this.#setup = setup;
    this.#run = setup.run;
    this.#hooks = hooks;
    this.#worktrees = worktrees;
    this.#tasks = setup.tasks.map((record) => ({ record }));
    this.#tasks.forEach((state, index) => {
      this.#byHandle.set(state.record.handle, index);
      this.#byTaskId.set(state.record.taskId, index);
    });
    const { plan, dag } = setup.run;
    const limit = plan.todoMode === 'sequential' ? 1 : (plan.concurrency ?? DEFAULT_CONCURRENCY);
    this.#scheduler = new DagScheduler(
      setup.tasks.map((task) => task.taskId),
      dag.edges,
      limit,
    );
    this.todo = new TodoList(setup.run.runId, ctx.store, setup.tasks, (item) =>
      ctx.events.announce({ type: 'todo-update', runId: setup.run.runId, at: ctx.clock.now(), item }),
    );
    this.#workplaces = new TaskWorkplaces(ctx, setup, worktrees);
  }

  /** The run's task records, in plan order. */
  records(): TaskRecord[] {
    return this.#tasks.map((state) => state.record);
  }

  /** True once every task is terminal. */
  get concluded(): boolean {
    return this.#concluded >= this.#tasks.length;
  }

  /** Dispatches every ready task (after the tasks a resumed run keeps), in the caller's tick. */
  start(): void {
    this.#release([...this.#settleKept(), ...this.#scheduler.start()]);
  }

  /**
   * The tasks a resumed run keeps (succeeded in an earlier attempt) count as
   * done from the start, and release their successors; returns those ready.
   */
  #settleKept(): number[] {
    const ready: number[] = [];
    this.#tasks.forEach((state, index) => {
      if (state.record.status !== 'succeeded') return;
      this.#concluded += 1;
      ready.push(...this.#scheduler.settle(index, 'succeeded').ready);
    });
    if (this.#setup.resumed === true && this.#workplaces.isolated) this.#worktrees?.reopen();
    return ready;
  }

  /** The record of the task with this handle. */
  recordOf(handle: string): TaskRecord | undefined {
    const index = this.#byHandle.get(handle);
    return index === undefined ? undefined : this.#tasks[index]?.record;
  }

  /** Resolves when the task is terminal (at once if it already is). */
  whenSettled(handle: string): Promise<void> {
    const index = this.#byHandle.get(handle);
    const state = index === undefined ? undefined : this.#tasks[index];
    if (state === undefined || isTerminal(state.record.status)) return Promise.resolve();
    return new Promise<void>((resolve) => {
      (state.waiters ??= []).push(resolve);
    });
  }

  /**
   * Stops one task (a queued one at once, a running one by aborting its
   * agent); its dependents are skipped, as for any task that did not succeed.
   */
  stopTask(handle: string, reason: FanoutError): void {
    const index = this.#byHandle.get(handle);
    const state = index === undefined ? undefined : this.#tasks[index];
    if (index === undefined || state === undefined || isTerminal(state.record.status)) return;
    if (state.controller !== undefined) state.controller.abort(reason);
    else this.#settleUnstarted(index, 'stopped', reason.message);
  }

  /** Ends every task not started yet with `status`, then aborts every running one with `reason` (the run ends early). */
  endAll(status: 'stopped' | 'skipped', reason: FanoutError): void {
    this.#tasks.forEach((state, index) => {
      if (state.record.status === 'queued' && !this.#scheduler.isDone(index)) this.#settleUnstarted(index, status, reason.message);
    });
    for (const state of this.#tasks) state.controller?.abort(reason);
  }

  /** One `task-waiting` per incoming edge: the run says which task and, for conflicts, which globs. */
  announcePredecessorWaits(now: number): void {
    const runId = this.#run.runId;
    for (const edge of this.#run.dag.edges) {
      const index = this.#byTaskId.get(edge.to);
      const state = index === undefined ? undefined : this.#tasks[index];
      if (state === undefined) continue;
      this.#hooks.emit({
        type: 'task-waiting',
        runId,
        at: now,
        id: edge.to,
        handle: state.record.handle,
        reason: edge.kind,
        on: edge.from,
        ...(edge.reason === undefined ? {} : { detail: edge.reason }),
      });
    }
  }

  /**
   * Called whenever a slot may have freed or tasks became ready: starts what
   * the slots allow, and records why newly ready tasks that did not start wait.
   */
  #release(ready: readonly number[]): void {
    const now = this.#ctx.clock.now();
    for (const index of ready) {
      const state = this.#tasks[index];
      if (state !== undefined) state.record.readyAt = now;
    }
    const ending = this.#hooks.ending();
    if (ending !== undefined) {
      for (const index of ready) this.#settleUnstarted(index, ending.status, ending.message);
      return;
    }
    let later: Array<() => void> | undefined;
    let begun = 0;
    for (let index = this.#scheduler.take(); index !== undefined; index = this.#scheduler.take()) {
      this.#startTask(index, begun++ < AGENTS_PER_TURN ? undefined : (later ??= []));
    }
    const reason: WaitReason = this.#run.plan.todoMode === 'sequential' ? 'sequential' : 'concurrency';
    const waiting: TaskState[] = [];
    for (const index of ready) {
      const state = this.#tasks[index];
      if (state === undefined || state.record.status !== 'queued' || this.#scheduler.isDone(index)) continue;
      state.record.waitReason = reason;
      waiting.push(state);
    }
    const announce = waiting.length === 0 ? undefined : this.#announcer(waiting, reason, now);
    // Saying why 9,000 tasks wait is not worth delaying the requests of a burst's agents: it comes after their begins.
    if (later !== undefined) beginInTurns(later, 0, announce);
    else announce?.();
  }

  /** Says why `waiting` wait, except for those that started meanwhile (a slot freed; their records keep the reason). */
  #announcer(waiting: readonly TaskState[], reason: WaitReason, at: number): () => void {
    // The same for every task of this release (no slot frees meanwhile): made once, not 9,000 times at a 10,000-task start.
    const detail = this.#slotDetail(reason);
    return () => {
      for (const state of waiting) if (state.record.status === 'queued') this.#announceWait(state, reason, at, detail);
    };
  }

  #slotDetail(reason: WaitReason): string {
    const { running, limit } = this.#scheduler;
    return reason === 'sequential'
      ? 'todoMode is sequential: one task at a time'
      : `${running} of ${limit} slots busy (concurrency ${limit})`;
  }

  /**
   * A ready task waits for a slot. The reason and the time it became ready
   * are stored with its start (one write instead of two per task: at 1,000
   * tasks, 800 wait at once); the event says it.
   */
  #announceWait(state: TaskState, reason: WaitReason, at: number, detail: string): void {
    const { record } = state;
    this.#hooks.emit({ type: 'task-waiting', runId: this.#run.runId, at, id: record.taskId, handle: record.handle, reason, detail });
  }

  /**
   * Starts a task: its record, events and todo item now; its agent now, or,
   * given `later`, once the entry it adds there is called (see {@link AGENTS_PER_TURN}).
   */
  #startTask(index: number, later: Array<() => void> | undefined): void {
    const state = this.#tasks[index] as TaskState;
    const { record } = state;
    const now = this.#ctx.clock.now();
    record.status = 'running';
    record.startedAt = now;
    state.startedMonotonic = this.#ctx.clock.monotonic();
    record.readyAt ??= now;
    const patch: TaskPatch = { status: 'running', startedAt: now, readyAt: record.readyAt };
    if (record.waitReason !== undefined) patch.waitReason = record.waitReason;
    this.#ctx.store.updateTask(record.handle, patch);
    this.#hooks.emit({ type: 'task-start', runId: this.#run.runId, at: now, id: record.taskId, handle: record.handle });
    this.todo.setTask(record.index, 'running');
    const controller = new AbortController();
    state.controller = controller;
    let workplace: Workplace | Promise<Workplace>;
    try {
      workplace = this.#workplaces.enter(record.taskId, record.spec, controller.signal);
    } catch (error) {
      // Never in this tick: #finish releases the next tasks, and this one's release is still starting tasks.
      Promise.reject(error).catch((thrown: unknown) => this.#finish(index, failedOutcome(thrown)));
      return;
    }
    if (workplace instanceof Promise) {
      this.#startInWorktree(index, workplace, controller);
      return;
    }
    const options = this.#taskOptions(record, controller, workplace);
    if (later === undefined) this.#begin(index, options);
    else later.push(() => this.#begin(index, options));
  }

  /** What the agent loop (or a whole agent) is given to run a task in `workplace`. */
  #taskOptions(record: TaskRecord, controller: AbortController, workplace: Workplace): TaskRunOptions {
    const { clock, store, gates } = this.#ctx;
    const { agent } = record.spec;
    const { model, pricer } = modelOfRun(this.#setup, record.spec.model);
    const { cwd, shell, protectedPaths } = workplace;
    const options: TaskRunOptions = {
      task: record,
      model,
      runUsage: this.#hooks.runUsage,
      cwd,
      protectedPaths,
      clock,
      gates,
      controller,
      emit: this.#hooks.emit,
      onWait: (reason) => {
        // A wait after the start outranks the predecessor it waited for, not an earlier slot wait.
        if (record.waitReason !== undefined && record.waitReason !== 'dependency' && record.waitReason !== 'conflict') return;
        record.waitReason = reason;
        store.updateTask(record.handle, { waitReason: reason });
      },
    };
    // Set one by one: spreads of `{}` or `{ pricer }` would make and copy a throwaway object each, per task.
    if (pricer !== undefined) options.pricer = pricer;
    if (agent !== undefined) {
      const resolvedAgent = this.#run.agents?.[agent];
      if (resolvedAgent !== undefined) options.agent = resolvedAgent;
    }
    if (shell !== undefined) options.shell = shell;
    if (this.#run.plan.strictWrites === true) options.strictWrites = true;
    return options;
  }

  /**
   * Runs a task in the run's directory: it starts in this tick, with no
   * async frame of its own to hold while it waits, and its outcome goes to
   * #finish through one reaction (no wrapper object or promise per task).
   */
  #begin(index: number, options: TaskRunOptions): void {
    runAgentOf(options).then(
      (outcome) => this.#finish(index, outcome),
      (error: unknown) => this.#finish(index, failedOutcome(error)),
    );
  }

  /** Runs a task in its own worktree once it is made (see #runInWorktree); a worktree that cannot be made fails it. */
  #startInWorktree(index: number, entered: Promise<Workplace>, controller: AbortController): void {
    const { record } = this.#tasks[index] as TaskState;
    this.#runInWorktree(record, entered, (workplace) => runAgentOf(this.#taskOptions(record, controller, workplace))).then(
      ({ outcome, changes }) => this.#finish(index, outcome, changes),
      (error: unknown) => this.#finish(index, failedOutcome(error)),
    );
  }

  /**
   * Runs a task in its own worktree once it is made, then commits it:
   * whatever ended the task, its work is committed on its branch (a failed
   * or stopped task's is kept, not lost). Rejects when the worktree cannot
   * be made.
   */
  async #runInWorktree(
    record: TaskRecord,
    entered: Promise<Workplace>,
    start: (workplace: Workplace) => Promise<TaskOutcome>,
  ): Promise<{ outcome: TaskOutcome; changes?: FileChange[] }> {
    const workplace = await entered;
    let outcome: TaskOutcome;
    try {
      outcome = await start(workplace);
    } catch (error) {
      outcome = failedOutcome(error);
    }
    const changes = await this.#leave(record);
    return changes === undefined ? { outcome } : { outcome, changes };
  }

  /**
   * Commits a task's worktree. What its commands wrote outside its write
   * scope is put back, not committed, and reported as a refused command.
   */
  async #leave(record: TaskRecord): Promise<FileChange[] | undefined> {
    const left = await this.#workplaces.leave(record.taskId, record.spec);
    if (left !== undefined && left.outside.length > 0) {
      const shown = left.outside.slice(0, 5).join(', ') + (left.outside.length > 5 ? `, and ${left.outside.length - 5} more` : '');
      const detail = `wrote outside its write scope: ${shown}; put back, not committed`;
      this.#hooks.emit({
        type: 'tool-call',
        runId: this.#run.runId,
        at: this.#ctx.clock.now(),
        id: record.taskId,
        handle: record.handle,
        tool: 'bash',
        ok: false,
        detail,
      });
    }
    return left?.changes;
  }

  /** A task ended: output first, then its record, then everything that follows from it. */
  #finish(index: number, outcome: TaskOutcome, changes?: FileChange[]): void {
    const state = this.#tasks[index] as TaskState;
    const { record } = state;
    const { store, clock } = this.#ctx;
    const now = clock.now();
    const { output, ...patch } = outcome as TaskOutcome & TaskPatch;
    if (output !== undefined) store.setOutput({ handle: record.handle, ...output, truncated: false });
    patch.endedAt = now;
    Object.assign(record, patch);
    state.controller = undefined;
    store.updateTask(record.handle, patch);
    this.#conclude(state, state.startedMonotonic === undefined ? 0 : clock.monotonic() - state.startedMonotonic, changes);
    this.#apply(this.#scheduler.settle(index, outcome.status));
    this.#hooks.onConcluded();
  }

  /** Ends a task that never started (stopped, or skipped by a run cap) and releases what follows from it. */
  #settleUnstarted(index: number, status: 'stopped' | 'skipped', error: string): void {
    this.#endUnstarted(index, status, error);
    this.#apply(this.#scheduler.settle(index, status));
    this.#hooks.onConcluded();
  }

  #endUnstarted(index: number, status: TaskStatus, error: string): void {
    const state = this.#tasks[index] as TaskState;
    const patch: TaskPatch = { status, endedAt: this.#ctx.clock.now(), error };
    Object.assign(state.record, patch);
    this.#ctx.store.updateTask(state.record.handle, patch);
    this.#conclude(state, 0);
  }

  /** What every terminal transition announces: task-end, the todo item, and waiting callers. */
  #conclude(state: TaskState, durationMs: number, changes?: FileChange[]): void {
    const { record } = state;
    this.#concluded += 1;
    const event: FanoutEvent & { type: 'task-end' } = {
      type: 'task-end',
      runId: this.#run.runId,
      at: this.#ctx.clock.now(),
      id: record.taskId,
      handle: record.handle,
      status: record.status,
      durationMs,
    };
    if (record.error !== undefined) event.error = record.error;
    if (changes !== undefined) event.changes = changes;
    this.#hooks.emit(event);
    this.todo.setTask(record.index, record.status);
    const waiters = state.waiters;
    state.waiters = undefined;
    waiters?.forEach((resolve) => resolve());
  }

  #apply(step: SchedulerStep): void {
    if (step.skipped.length > 0) {
      // While the run is being stopped, what would be skipped is stopped with it.
      const ending = this.#hooks.ending();
      for (const { index, reason } of step.skipped) {
        if (ending?.status === 'stopped') this.#endUnstarted(index, 'stopped', ending.message);
        else this.#endUnstarted(index, 'skipped', ending?.message ?? reason);
      }
    }
    this.#release(step.ready);
  }
}

/** Calls `begins` from `from` on, {@link AGENTS_PER_TURN} per turn of the event loop, the first batch in the next turn. */
function beginInTurns(begins: ReadonlyArray<() => void>, from: number, then?: () => void): void {
  setImmediate(() => {
    const to = Math.min(begins.length, from + AGENTS_PER_TURN);
    for (let at = from; at < to; at++) (begins[at] as () => void)();
    if (to < begins.length) beginInTurns(begins, to, then);
    else if (then !== undefined) setImmediate(then);
  });
}

/** A whole agent (Claude Code, a CLI command) takes its task whole; any other model runs in fanout's agent loop. */
function runAgentOf(options: TaskRunOptions): Promise<TaskOutcome> {
  return isWholeAgent(options.model) ? runWholeAgentTask(options, options.model) : runTask(options);
}

function failedOutcome(error: unknown): TaskOutcome {
  return { status: 'failed', error: toFanoutError(error).message, ...noUsage() };
}

import { FanoutError, toFanoutError } from '../contracts/errors.js';
import type { StopRequest, TaskPatch } from '../contracts/run-store.js';
import { timeoutReason, UsageMeter } from './caps.js';
import { modelOfRun, type ExecutionContext, type ExecutionSetup } from './execution-setup.js';
import { finishRun } from './run-finish.js';
import { isTerminal, leaseRenewMs } from './run-liveness.js';
import { DagScheduler, type SchedulerStep } from './scheduler.js';
import { noUsage, runTask, type RunUsage, type TaskOutcome, type TaskRunOptions } from './task-runner.js';
import { runWholeAgentTask } from './whole-agent-task.js';
import { isWholeAgent } from '../contracts/whole-agent.js';
import { TodoList } from './todo-list.js';
import type { FileChange } from '../contracts/workspace.js';
import { RunWorktrees } from './run-worktrees.js';
import { modelConflictResolver } from './conflict-resolver.js';
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
}

/** Default number of tasks running at once. */
export const DEFAULT_CONCURRENCY = 8;

/**
 * Executes one run in this process: dispatches tasks as the scheduler
 * releases them, runs each through the agent loop, records every change in
 * the store as it happens (output before status), keeps the todo list,
 * stops on request, enforces the run's caps, then synthesizes and ends the run.
 */
export class RunExecution {
  readonly runId: string;
  readonly simulated: boolean;
  /** Resolves once the run ended (synthesis included); never rejects. */
  readonly done: Promise<void>;
  readonly #ctx: ExecutionContext;
  readonly #setup: ExecutionSetup;
  readonly #run: RunRecord;
  /** Where its tasks work: the run's working directory or worktrees of their own. */
  readonly #workplaces: TaskWorkplaces;
  readonly #tasks: TaskState[];
  readonly #byHandle = new Map<string, number>();
  readonly #byTaskId = new Map<string, number>();
  readonly #scheduler: DagScheduler;
  readonly #todo: TodoList;
  readonly #synthesisController = new AbortController();
  readonly #handledStops = new Set<string>();
  #resolveDone!: () => void;
  #concluded = 0;
  /** When this process last renewed the run's lease (ms epoch). */
  #leaseRenewedAt = 0;
  #finalizing = false;
  #stopReason: FanoutError | undefined;
  /** The run cap that was reached: running tasks end `limit`, unstarted ones `skipped`, no synthesis. */
  #limitReason: FanoutError | undefined;
  readonly #usage: UsageMeter;
  readonly #runUsage: RunUsage;
  /** Disarms the run's time limit once it ends. */
  readonly #timeLimit = new AbortController();
  #onSignal: (() => void) | undefined;
  readonly #worktrees: RunWorktrees | undefined;

  constructor(ctx: ExecutionContext, setup: ExecutionSetup) {
    this.#ctx = ctx;
    this.#setup = setup;
    this.#run = setup.run;
    this.runId = setup.run.runId;
    this.simulated = setup.simulated;
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
    this.#todo = new TodoList(this.runId, ctx.store, setup.tasks, (item) =>
      this.#emit({ type: 'todo-update', runId: this.runId, at: ctx.clock.now(), item }),
    );
    this.done = new Promise<void>((resolve) => {
      this.#resolveDone = resolve;
    });
    this.#worktrees = ctx.workspaces === undefined ? undefined : new RunWorktrees(ctx.workspaces, this.runId, setup.run.cwd);
    this.#workplaces = new TaskWorkplaces(ctx, setup, this.#worktrees);
    this.#usage = new UsageMeter({ maxTurns: plan.maxTurns, maxTokens: plan.maxTokens, budgetUsd: plan.budgetUsd }, 'run');
    this.#runUsage = {
      add: (tokens, costUsd, calls) => {
        this.#usage.add(tokens, costUsd, calls);
        const reached = this.#usage.reached();
        if (reached !== undefined) this.#limitRun(new FanoutError('LIMIT_REACHED', reached));
      },
      tokenRoom: () => this.#usage.tokenRoom(),
    };
  }

  /**
   * Renews the run's lease when it is due (a sixth of the lease since the
   * last renewal); called from the process's poll loop.
   */
  renewLease(now: number): void {
    const { leaseMs, store } = this.#ctx;
    if (now - this.#leaseRenewedAt < leaseRenewMs(leaseMs)) return;
    this.#leaseRenewedAt = now;
    store.updateRun(this.runId, { leaseUntil: now + leaseMs });
  }

  /** Stop requests older than this (ms epoch) are not for this execution: the run's creation, or its resume. */
  get createdAt(): number {
    return this.#setup.stopsSince ?? this.#run.createdAt;
  }

  /**
   * Starts the run: records this process as its executor, announces it and
   * what each task waits for, then dispatches every ready task, all in the
   * caller's tick.
   */
  begin(): void {
    const { clock, store } = this.#ctx;
    const now = clock.now();
    this.#run.startedAt ??= now;
    this.#run.pid = process.pid;
    this.#leaseRenewedAt = now;
    store.updateRun(this.runId, { startedAt: this.#run.startedAt, pid: process.pid, leaseUntil: now + this.#ctx.leaseMs });
    // Other processes judge the run by its lease: it must be on disk before anyone is told the run started.
    store.flush();
    this.#emit({
      type: 'run-start',
      runId: this.runId,
      at: now,
      name: this.#run.name,
      tasks: this.#tasks.map(({ record }) => ({ id: record.taskId, handle: record.handle })),
      simulated: this.simulated,
    });
    this.#announcePredecessorWaits(now);
    const { signal } = this.#setup;
    if (signal !== undefined) {
      this.#onSignal = () => this.stopRun(new FanoutError('ABORTED', `run ${this.runId} stopped: ${abortReasonText(signal.reason)}`));
      signal.addEventListener('abort', this.#onSignal, { once: true });
    }
    if (this.#setup.earlyStops !== undefined) this.applyStopRequests(this.#setup.earlyStops);
    if (signal?.aborted) this.#onSignal?.();
    this.#armTimeLimit();
    this.#release([...this.#settleKept(), ...this.#scheduler.start()]);
    this.#checkFinished();
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

  /** Stops every task that is not finished yet, and the synthesis; the run ends `stopped`. */
  stopRun(reason: FanoutError): void {
    if (this.#stopReason !== undefined) return;
    this.#stopReason = reason;
    this.#tasks.forEach((state, index) => {
      if (state.record.status === 'queued' && !this.#scheduler.isDone(index)) this.#settleUnstarted(index, 'stopped', reason.message);
    });
    for (const state of this.#tasks) state.controller?.abort(reason);
    this.#synthesisController.abort(reason);
  }

  /**
   * A run cap was reached: running tasks stop with status `limit` and the
   * reason, tasks not started yet are skipped with it, the synthesis is
   * skipped (or cut short), and the run ends `failed`.
   */
  #limitRun(reason: FanoutError): void {
    if (this.#stopReason !== undefined || this.#limitReason !== undefined) return;
    this.#limitReason = reason;
    this.#tasks.forEach((state, index) => {
      if (state.record.status === 'queued' && !this.#scheduler.isDone(index)) this.#settleUnstarted(index, 'skipped', reason.message);
    });
    for (const state of this.#tasks) state.controller?.abort(reason);
    this.#synthesisController.abort(reason);
  }

  /** Arms the run's `timeoutMs` on the injected clock, from now on. */
  #armTimeLimit(): void {
    const { timeoutMs } = this.#run.plan;
    if (timeoutMs === undefined) return;
    this.#ctx.clock.sleep(timeoutMs, this.#timeLimit.signal).then(
      () => this.#limitRun(new FanoutError('LIMIT_REACHED', timeoutReason('run', timeoutMs))),
      () => {},
    );
  }

  /** Stops the run (target = its id) or one of its tasks (target = a handle), "by request". */
  stop(target: string): void {
    if (target === this.runId) {
      this.stopRun(new FanoutError('ABORTED', `run ${this.runId} stopped by request`));
      return;
    }
    const index = this.#byHandle.get(target);
    const state = index === undefined ? undefined : this.#tasks[index];
    if (state !== undefined) this.stopTask(target, new FanoutError('ABORTED', `task ${state.record.taskId} stopped by request`));
  }

  /** Honours stop requests recorded in the store (by any process), each once. */
  applyStopRequests(requests: readonly StopRequest[]): void {
    for (const { target } of requests) {
      if (this.#handledStops.has(target)) continue;
      this.#handledStops.add(target);
      this.stop(target);
    }
  }

  #emit(event: FanoutEvent): void {
    this.#ctx.events.emit(event);
  }

  /** {@link RunExecution.#emit} as a function every task shares. */
  readonly #emitEvent = (event: FanoutEvent): void => this.#emit(event);

  /** One `task-waiting` per incoming edge: the run says which task and, for conflicts, which globs. */
  #announcePredecessorWaits(now: number): void {
    for (const edge of this.#run.dag.edges) {
      const index = this.#byTaskId.get(edge.to);
      const state = index === undefined ? undefined : this.#tasks[index];
      if (state === undefined) continue;
      this.#emit({
        type: 'task-waiting',
        runId: this.runId,
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
    if (this.#stopReason !== undefined) {
      for (const index of ready) this.#settleUnstarted(index, 'stopped', this.#stopReason.message);
      return;
    }
    if (this.#limitReason !== undefined) {
      for (const index of ready) this.#settleUnstarted(index, 'skipped', this.#limitReason.message);
      return;
    }
    for (let index = this.#scheduler.take(); index !== undefined; index = this.#scheduler.take()) this.#startTask(index);
    if (ready.length === 0) return;
    const reason: WaitReason = this.#run.plan.todoMode === 'sequential' ? 'sequential' : 'concurrency';
    for (const index of ready) {
      const state = this.#tasks[index];
      if (state === undefined || state.record.status !== 'queued' || this.#scheduler.isDone(index)) continue;
      this.#recordWait(state, reason, now, this.#slotDetail(reason));
    }
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
   * tasks, 800 wait at once); the event says it now.
   */
  #recordWait(state: TaskState, reason: WaitReason, at: number, detail: string): void {
    const { record } = state;
    record.waitReason = reason;
    this.#emit({ type: 'task-waiting', runId: this.runId, at, id: record.taskId, handle: record.handle, reason, detail });
  }

  #startTask(index: number): void {
    const state = this.#tasks[index] as TaskState;
    const { record } = state;
    const { clock, store, gates } = this.#ctx;
    const now = clock.now();
    record.status = 'running';
    record.startedAt = now;
    record.readyAt ??= now;
    const patch: TaskPatch = { status: 'running', startedAt: now, readyAt: record.readyAt };
    if (record.waitReason !== undefined) patch.waitReason = record.waitReason;
    store.updateTask(record.handle, patch);
    this.#emit({ type: 'task-start', runId: this.runId, at: now, id: record.taskId, handle: record.handle });
    this.#todo.setTask(record.index, 'running');
    const controller = new AbortController();
    state.controller = controller;
    const { agent } = record.spec;
    const { model, pricer } = modelOfRun(this.#setup, record.spec.model);
    const resolvedAgent = agent === undefined ? undefined : this.#run.agents?.[agent];
    const start = (workplace: Workplace): Promise<TaskOutcome> => {
      const { cwd, shell, protectedPaths } = workplace;
      const taskOptions: TaskRunOptions = {
        task: record,
        model,
        runUsage: this.#runUsage,
        cwd,
        protectedPaths,
        clock,
        gates,
        controller,
        emit: this.#emitEvent,
        onWait: (reason) => {
          // A wait after the start outranks the predecessor it waited for, not an earlier slot wait.
          if (record.waitReason !== undefined && record.waitReason !== 'dependency' && record.waitReason !== 'conflict') return;
          record.waitReason = reason;
          store.updateTask(record.handle, { waitReason: reason });
        },
      };
      // Set one by one: spreads of `{}` or `{ pricer }` would make and copy a throwaway object each, per task.
      if (pricer !== undefined) taskOptions.pricer = pricer;
      if (resolvedAgent !== undefined) taskOptions.agent = resolvedAgent;
      if (shell !== undefined) taskOptions.shell = shell;
      if (this.#run.plan.strictWrites === true) taskOptions.strictWrites = true;
      // A whole agent (Claude Code, a CLI command) takes the task whole; any other model runs in fanout's agent loop.
      return isWholeAgent(model) ? runWholeAgentTask(taskOptions, model) : runTask(taskOptions);
    };
    // A task in the run's directory starts in this tick, with no async frame of its own to hold while it waits.
    let ran: Promise<{ outcome: TaskOutcome; changes?: FileChange[] }>;
    try {
      const workplace = this.#workplaces.enter(record.taskId, record.spec, controller.signal);
      ran = workplace instanceof Promise ? this.#runInWorktree(record, workplace, start) : start(workplace).then((outcome) => ({ outcome }));
    } catch (error) {
      ran = Promise.reject(error);
    }
    ran.then(
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
      this.#emit({ type: 'tool-call', runId: this.runId, at: this.#ctx.clock.now(), id: record.taskId, handle: record.handle, tool: 'bash', ok: false, detail });
    }
    return left?.changes;
  }

  /** A task ended: output first, then its record, then everything that follows from it. */
  #finish(index: number, outcome: TaskOutcome, changes?: FileChange[]): void {
    const state = this.#tasks[index] as TaskState;
    const { record } = state;
    const { store, clock } = this.#ctx;
    const now = clock.now();
    const { output, ...ending } = outcome;
    if (output !== undefined) store.setOutput({ handle: record.handle, ...output, truncated: false });
    const patch: TaskPatch = { ...ending, endedAt: now };
    Object.assign(record, patch);
    state.controller = undefined;
    store.updateTask(record.handle, patch);
    this.#conclude(state, now - (record.startedAt ?? now), changes);
    this.#apply(this.#scheduler.settle(index, outcome.status));
    this.#checkFinished();
  }

  /** Ends a task that never started (stopped, or skipped by a run cap) and releases what follows from it. */
  #settleUnstarted(index: number, status: 'stopped' | 'skipped', error: string): void {
    this.#endUnstarted(index, status, error);
    this.#apply(this.#scheduler.settle(index, status));
    this.#checkFinished();
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
      runId: this.runId,
      at: this.#ctx.clock.now(),
      id: record.taskId,
      handle: record.handle,
      status: record.status,
      durationMs,
    };
    if (record.error !== undefined) event.error = record.error;
    if (changes !== undefined) event.changes = changes;
    this.#emit(event);
    this.#todo.setTask(record.index, record.status);
    const waiters = state.waiters;
    state.waiters = undefined;
    waiters?.forEach((resolve) => resolve());
  }

  #apply(step: SchedulerStep): void {
    for (const { index, reason } of step.skipped) {
      // While the run is being stopped, what would be skipped is stopped with it.
      if (this.#stopReason !== undefined) this.#endUnstarted(index, 'stopped', this.#stopReason.message);
      else this.#endUnstarted(index, 'skipped', this.#limitReason?.message ?? reason);
    }
    this.#release(step.ready);
  }

  /**
   * Merges the worktree branches of the tasks that succeeded, in plan order
   * (dependencies first), into `fanout/<run>` (conflicts given to resolver
   * subagents when asked), applies the result when asked, and announces
   * it; the branches of the others stay as they are.
   */
  async #mergeWorktrees(): Promise<void> {
    if (this.#worktrees?.used !== true) return;
    const succeeded = this.#tasks.filter((state) => state.record.status === 'succeeded').map((state) => state.record.taskId);
    const resolve =
      this.#setup.resolve === true
        ? modelConflictResolver({
            plan: this.#run.plan,
            modelOf: (taskId) => modelOfRun(this.#setup, this.#run.plan.tasks.find((task) => task.id === taskId)?.model).model,
            gates: this.#ctx.gates,
            // Stopping the run stops its resolvers as it stops its synthesis.
            signal: this.#synthesisController.signal,
          })
        : undefined;
    const outcome = await this.#worktrees.finish(succeeded, this.#setup.apply === true, resolve);
    if (outcome !== undefined) this.#emit({ type: 'run-merge', runId: this.runId, at: this.#ctx.clock.now(), ...outcome });
  }

  #checkFinished(): void {
    if (this.#finalizing || this.#concluded < this.#tasks.length) return;
    this.#finalizing = true;
    void this.#finalize();
  }

  /** All tasks are terminal: synthesize and end the run (see run-finish.ts), then release what the run held. */
  async #finalize(): Promise<void> {
    try {
      await this.#mergeWorktrees();
      await finishRun({
        ctx: this.#ctx,
        setup: this.#setup,
        tasks: this.#tasks.map((state) => state.record),
        todo: this.#todo,
        usage: this.#usage,
        synthesisSignal: this.#synthesisController.signal,
        earlyEnd: () => ({ stop: this.#stopReason, limit: this.#limitReason }),
        emit: (event) => this.#emit(event),
      });
    } finally {
      this.#timeLimit.abort();
      if (this.#onSignal !== undefined) this.#setup.signal?.removeEventListener('abort', this.#onSignal);
      this.#resolveDone();
    }
  }
}

function failedOutcome(error: unknown): TaskOutcome {
  return { status: 'failed', error: toFanoutError(error).message, ...noUsage() };
}

/**
 * Why the caller's signal fired, for the run's error: the message of the
 * reason it gave (the CLI gives "interrupted by Ctrl-C"), else a plain
 * statement — not the "This operation was aborted" of a bare `abort()`.
 */
function abortReasonText(reason: unknown): string {
  if (reason instanceof Error && reason.name !== 'AbortError' && reason.message !== '') return reason.message;
  if (typeof reason === 'string' && reason !== '') return reason;
  return 'the caller aborted it (AbortSignal)';
}

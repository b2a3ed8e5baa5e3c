import { FanoutError, toFanoutError } from '../errors.js';
import type { Model } from '../models/model.js';
import type { RunPatch, RunStore, StopRequest, TaskPatch } from '../store/run-store.js';
import { timeoutReason, UsageMeter } from './caps.js';
import type { Clock } from './clock.js';
import type { ModelGates } from './model-gate.js';
import type { Pricer } from './run-costs.js';
import type { EventHub } from './run-events.js';
import { DagScheduler, type SchedulerStep } from './scheduler.js';
import { synthesize, SYNTHESIS_MAX_TOKENS, type SynthesisInput, type Synthesizer } from './synthesis.js';
import { runTask, type RunUsage, type TaskOutcome } from './task-runner.js';
import { TodoList } from './todo-list.js';
import type { FanoutEvent, RunRecord, RunStatus, TaskRecord, TaskStatus, WaitReason } from './types.js';

/** The parts of the engine every run execution shares. */
export interface ExecutionContext {
  store: RunStore;
  events: EventHub;
  clock: Clock;
  gates: ModelGates;
}

/** One run to execute in this process. */
export interface ExecutionSetup {
  /** As recorded; `plan` already carries the effective concurrency, todo mode and model. */
  run: RunRecord;
  /** In plan order, all `queued`. */
  tasks: TaskRecord[];
  /** Resolved models by spec: every task's and the synthesis's. */
  models: ReadonlyMap<string, Model>;
  /** Pricers by model spec, for the same specs; undefined where the price is unknown. */
  pricers: ReadonlyMap<string, Pricer | undefined>;
  /** Model spec for tasks and synthesis when the plan names none. */
  defaultModel: string;
  /** Whether any of the run's models is the simulated one. */
  simulated: boolean;
  /** Stops the whole run when it fires. */
  signal?: AbortSignal;
  synthesizer?: Synthesizer;
  /** Stop requests recorded before the run started: applied before anything is dispatched. */
  earlyStops?: readonly StopRequest[];
}

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
  readonly #tasks: TaskState[];
  readonly #byHandle = new Map<string, number>();
  readonly #byTaskId = new Map<string, number>();
  readonly #scheduler: DagScheduler;
  readonly #todo: TodoList;
  readonly #synthesisController = new AbortController();
  readonly #handledStops = new Set<string>();
  #resolveDone!: () => void;
  #concluded = 0;
  #finalizing = false;
  #stopReason: FanoutError | undefined;
  /** The run cap that was reached: running tasks end `limit`, unstarted ones `skipped`, no synthesis. */
  #limitReason: FanoutError | undefined;
  readonly #usage: UsageMeter;
  readonly #runUsage: RunUsage;
  /** Disarms the run's time limit once it ends. */
  readonly #timeLimit = new AbortController();
  #onSignal: (() => void) | undefined;

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
    this.#usage = new UsageMeter({ maxTurns: plan.maxTurns, maxTokens: plan.maxTokens, budgetUsd: plan.budgetUsd }, 'run');
    this.#runUsage = {
      add: (tokens, costUsd) => {
        this.#usage.add(tokens, costUsd);
        const reached = this.#usage.reached();
        if (reached !== undefined) this.#limitRun(new FanoutError('LIMIT_REACHED', reached));
      },
      tokenRoom: () => this.#usage.tokenRoom(),
    };
  }

  /** Ms epoch the run was created: stop requests older than that are not for it. */
  get createdAt(): number {
    return this.#run.createdAt;
  }

  /**
   * Starts the run: records this process as its executor, announces it and
   * what each task waits for, then dispatches every ready task, all in the
   * caller's tick.
   */
  begin(): void {
    const { clock, store } = this.#ctx;
    const now = clock.now();
    if (this.#run.startedAt === undefined || this.#run.pid !== process.pid) {
      this.#run.startedAt ??= now;
      this.#run.pid = process.pid;
      store.updateRun(this.runId, { startedAt: this.#run.startedAt, pid: process.pid });
    }
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
      this.#onSignal = () => this.stopRun(new FanoutError('ABORTED', `run ${this.runId} stopped: its signal was aborted`));
      signal.addEventListener('abort', this.#onSignal, { once: true });
    }
    if (this.#setup.earlyStops !== undefined) this.applyStopRequests(this.#setup.earlyStops);
    if (signal?.aborted) this.#onSignal?.();
    this.#armTimeLimit();
    this.#release(this.#scheduler.start());
    this.#checkFinished();
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

  #recordWait(state: TaskState, reason: WaitReason, at: number, detail: string): void {
    const { record } = state;
    record.waitReason = reason;
    const patch: TaskPatch = { waitReason: reason };
    if (record.readyAt !== undefined) patch.readyAt = record.readyAt;
    this.#ctx.store.updateTask(record.handle, patch);
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
    store.updateTask(record.handle, { status: 'running', startedAt: now, readyAt: record.readyAt });
    this.#emit({ type: 'task-start', runId: this.runId, at: now, id: record.taskId, handle: record.handle });
    this.#todo.setTask(record.index, 'running');
    const controller = new AbortController();
    state.controller = controller;
    const { agent } = record.spec;
    const modelKey = this.#modelKey(record.spec.model);
    const pricer = this.#setup.pricers.get(modelKey);
    const resolvedAgent = agent === undefined ? undefined : this.#run.agents?.[agent];
    runTask({
      task: record,
      model: this.#modelFor(modelKey),
      ...(pricer === undefined ? {} : { pricer }),
      ...(resolvedAgent === undefined ? {} : { agent: resolvedAgent }),
      runUsage: this.#runUsage,
      cwd: this.#run.cwd,
      clock,
      gates,
      controller,
      emit: (event) => this.#emit(event),
      onWait: (reason) => {
        // A wait after the start outranks the predecessor it waited for, not an earlier slot wait.
        if (record.waitReason !== undefined && record.waitReason !== 'dependency' && record.waitReason !== 'conflict') return;
        record.waitReason = reason;
        store.updateTask(record.handle, { waitReason: reason });
      },
    }).then(
      (outcome) => this.#finish(index, outcome),
      (error: unknown) => this.#finish(index, failedOutcome(error)),
    );
  }

  /** The model spec of a task (`spec` = its own) or, with none, of the run and its synthesis. */
  #modelKey(spec: string | undefined): string {
    return spec ?? this.#run.plan.model ?? this.#setup.defaultModel;
  }

  #modelFor(key: string): Model {
    const model = this.#setup.models.get(key);
    if (model === undefined) throw new FanoutError('INTERNAL', `model ${key} of run ${this.runId} was not resolved`);
    return model;
  }

  /** A task ended: output first, then its record, then everything that follows from it. */
  #finish(index: number, outcome: TaskOutcome): void {
    const state = this.#tasks[index] as TaskState;
    const { record } = state;
    const { store, clock } = this.#ctx;
    const now = clock.now();
    if (outcome.output !== undefined) {
      store.setOutput({ handle: record.handle, ...outcome.output, truncated: false });
    }
    const patch: TaskPatch = {
      status: outcome.status,
      endedAt: now,
      turns: outcome.turns,
      inputTokens: outcome.inputTokens,
      outputTokens: outcome.outputTokens,
      retries: outcome.retries,
      retryWaitMs: outcome.retryWaitMs,
    };
    if (outcome.costUsd !== undefined) patch.costUsd = outcome.costUsd;
    if (outcome.error !== undefined) patch.error = outcome.error;
    Object.assign(record, patch);
    state.controller = undefined;
    store.updateTask(record.handle, patch);
    this.#conclude(state, now - (record.startedAt ?? now));
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
  #conclude(state: TaskState, durationMs: number): void {
    const { record } = state;
    this.#concluded += 1;
    this.#emit({
      type: 'task-end',
      runId: this.runId,
      at: this.#ctx.clock.now(),
      id: record.taskId,
      handle: record.handle,
      status: record.status,
      durationMs,
      ...(record.error === undefined ? {} : { error: record.error }),
    });
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

  #checkFinished(): void {
    if (this.#finalizing || this.#concluded < this.#tasks.length) return;
    this.#finalizing = true;
    void this.#finalize();
  }

  /** All tasks are terminal: synthesize (when asked and something succeeded), then end the run. */
  async #finalize(): Promise<void> {
    const { store, clock } = this.#ctx;
    let synthesisError: string | undefined;
    try {
      const succeeded = this.#tasks.filter((state) => state.record.status === 'succeeded');
      const synthesizes = this.#run.plan.synthesis !== false && succeeded.length > 0;
      // A run cap the tasks reached leaves the synthesis, a model call of the run too, no room.
      if (this.#stopReason === undefined && this.#limitReason === undefined && synthesizes) {
        synthesisError = await this.#synthesize(succeeded.map((state) => state.record));
      } else {
        this.#todo.setSynthesis(this.#stopReason === undefined ? 'skipped' : 'stopped');
      }
    } catch (error) {
      synthesisError = toFanoutError(error).message;
    }
    this.#timeLimit.abort();
    const { status, error } = this.#outcome(synthesisError);
    const now = clock.now();
    try {
      const patch: RunPatch = { status, endedAt: now };
      if (error !== undefined) patch.error = error;
      if (this.#limitReason !== undefined && this.#stopReason === undefined) patch.limit = this.#limitReason.message;
      store.updateRun(this.runId, patch);
      this.#emit({ type: 'run-end', runId: this.runId, at: now, status });
      store.flush();
    } finally {
      if (this.#onSignal !== undefined) this.#setup.signal?.removeEventListener('abort', this.#onSignal);
      this.#resolveDone();
    }
  }

  /** Runs the synthesis step; returns its error message, if it failed. */
  async #synthesize(succeeded: readonly TaskRecord[]): Promise<string | undefined> {
    const { store, clock, gates } = this.#ctx;
    store.updateRun(this.runId, { status: 'synthesizing' });
    this.#emit({ type: 'synthesis-start', runId: this.runId, at: clock.now() });
    this.#todo.setSynthesis('in_progress');
    try {
      const inputs: SynthesisInput[] = succeeded.map((record) => ({
        id: record.taskId,
        ...(record.spec.description === undefined ? {} : { description: record.spec.description }),
        output: store.getOutput(record.handle) ?? { handle: record.handle, text: '', truncated: false },
      }));
      const { synthesis } = this.#run.plan;
      const modelKey = this.#modelKey(undefined);
      const pricer = this.#setup.pricers.get(modelKey);
      const result = await synthesize({
        inputs,
        ...(typeof synthesis === 'string' ? { instructions: synthesis } : {}),
        model: this.#modelFor(modelKey),
        gates,
        clock,
        signal: this.#synthesisController.signal,
        maxTokens: Math.min(SYNTHESIS_MAX_TOKENS, this.#usage.tokenRoom()),
        ...(pricer === undefined ? {} : { pricer }),
        ...(this.#setup.synthesizer === undefined ? {} : { synthesizer: this.#setup.synthesizer }),
      });
      this.#usage.add(result.inputTokens + result.outputTokens, result.costUsd ?? 0);
      store.updateRun(this.runId, { synthesis: result });
      this.#todo.setSynthesis('completed');
      this.#emit({ type: 'synthesis-end', runId: this.runId, at: clock.now(), ok: true });
      return undefined;
    } catch (thrown) {
      const message = toFanoutError(this.#stopReason ?? this.#limitReason ?? thrown).message;
      this.#todo.setSynthesis(this.#stopReason === undefined ? 'failed' : 'stopped');
      this.#emit({ type: 'synthesis-end', runId: this.runId, at: clock.now(), ok: false, error: message });
      return message;
    }
  }

  #outcome(synthesisError: string | undefined): { status: RunStatus; error?: string } {
    if (this.#stopReason !== undefined) return { status: 'stopped', error: this.#stopReason.message };
    if (this.#limitReason !== undefined) return { status: 'failed', error: this.#limitReason.message };
    let stopped = 0;
    let unsuccessful = 0;
    for (const { record } of this.#tasks) {
      if (record.status === 'stopped') stopped += 1;
      else if (record.status !== 'succeeded') unsuccessful += 1;
    }
    if (stopped > 0) return { status: 'stopped', error: `${stopped} of ${this.#tasks.length} tasks were stopped` };
    if (unsuccessful > 0) {
      return { status: 'failed', error: `${unsuccessful} of ${this.#tasks.length} tasks did not succeed` };
    }
    if (synthesisError !== undefined) return { status: 'failed', error: `synthesis failed: ${synthesisError}` };
    return { status: 'succeeded' };
  }
}

/** True for the statuses a task ends in. */
export function isTerminal(status: TaskStatus): boolean {
  return status !== 'queued' && status !== 'running';
}

function failedOutcome(error: unknown): TaskOutcome {
  return {
    status: 'failed',
    error: toFanoutError(error).message,
    turns: 0,
    inputTokens: 0,
    outputTokens: 0,
    retries: 0,
    retryWaitMs: 0,
  };
}

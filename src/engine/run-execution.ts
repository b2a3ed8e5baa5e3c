import { FanoutError } from '../contracts/errors.js';
import type { StopRequest } from '../contracts/run-store.js';
import { timeoutReason, UsageMeter } from './caps.js';
import { modelOfRun, type ExecutionContext, type ExecutionSetup } from './execution-setup.js';
import { finishRun } from './run-finish.js';
import { leaseRenewMs } from './run-liveness.js';
import type { RunUsage } from './task-runner.js';
import { RunWorktrees } from './run-worktrees.js';
import { modelConflictResolver } from './conflict-resolver.js';
import { TaskDispatch, type EarlyEnding } from './task-dispatch.js';
import type { FanoutEvent } from '../contracts/events.js';
import type { RunRecord } from '../contracts/records.js';

/**
 * Executes one run in this process: holds its lease, dispatches its tasks
 * (task-dispatch.ts), stops on request (by this or another process, or the
 * caller's signal), enforces the run's caps and time limit, then merges its
 * worktrees, synthesizes and ends the run (run-finish.ts).
 */
export class RunExecution {
  readonly runId: string;
  readonly simulated: boolean;
  /** Resolves once the run ended (synthesis included); never rejects. */
  readonly done: Promise<void>;
  readonly #ctx: ExecutionContext;
  readonly #setup: ExecutionSetup;
  readonly #run: RunRecord;
  readonly #dispatch: TaskDispatch;
  readonly #synthesisController = new AbortController();
  readonly #handledStops = new Set<string>();
  #resolveDone!: () => void;
  /** When this process last renewed the run's lease (ms epoch). */
  #leaseRenewedAt = 0;
  #finalizing = false;
  #stopReason: FanoutError | undefined;
  /** The run cap that was reached: running tasks end `limit`, unstarted ones `skipped`, no synthesis. */
  #limitReason: FanoutError | undefined;
  readonly #usage: UsageMeter;
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
    this.done = new Promise<void>((resolve) => {
      this.#resolveDone = resolve;
    });
    const { plan } = setup.run;
    this.#worktrees = ctx.workspaces === undefined ? undefined : new RunWorktrees(ctx.workspaces, this.runId, setup.run.cwd);
    this.#usage = new UsageMeter({ maxTurns: plan.maxTurns, maxTokens: plan.maxTokens, budgetUsd: plan.budgetUsd }, 'run');
    const runUsage: RunUsage = {
      add: (tokens, costUsd, calls) => {
        this.#usage.add(tokens, costUsd, calls);
        const reached = this.#usage.reached();
        if (reached !== undefined) this.#limitRun(new FanoutError('LIMIT_REACHED', reached));
      },
      // Only with a token cap: without one the agent loop has nothing to ask per call.
      tokenRoom: plan.maxTokens === undefined ? undefined : () => this.#usage.tokenRoom(),
    };
    this.#dispatch = new TaskDispatch(ctx, setup, this.#worktrees, {
      ending: () => this.#ending(),
      runUsage,
      // Straight to the hub: every wrapper between a task's event and the hub would be compiled once more by TurboFan.
      emit: (event) => ctx.events.emit(event),
      onConcluded: () => this.#checkFinished(),
    });
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
      tasks: this.#dispatch.records().map((record) => ({ id: record.taskId, handle: record.handle })),
      simulated: this.simulated,
    });
    this.#dispatch.announcePredecessorWaits(now);
    const { signal } = this.#setup;
    if (signal !== undefined) {
      this.#onSignal = () => this.stopRun(new FanoutError('ABORTED', `run ${this.runId} stopped: ${abortReasonText(signal.reason)}`));
      signal.addEventListener('abort', this.#onSignal, { once: true });
    }
    if (this.#setup.earlyStops !== undefined) this.applyStopRequests(this.#setup.earlyStops);
    if (signal?.aborted) this.#onSignal?.();
    this.#armTimeLimit();
    this.#dispatch.start();
    this.#checkFinished();
  }

  /** Resolves when the task is terminal (at once if it already is). */
  whenSettled(handle: string): Promise<void> {
    return this.#dispatch.whenSettled(handle);
  }

  /**
   * Stops one task (a queued one at once, a running one by aborting its
   * agent); its dependents are skipped, as for any task that did not succeed.
   */
  stopTask(handle: string, reason: FanoutError): void {
    this.#dispatch.stopTask(handle, reason);
  }

  /** Stops every task that is not finished yet, and the synthesis; the run ends `stopped`. */
  stopRun(reason: FanoutError): void {
    if (this.#stopReason !== undefined) return;
    this.#stopReason = reason;
    this.#dispatch.endAll('stopped', reason);
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
    this.#dispatch.endAll('skipped', reason);
    this.#synthesisController.abort(reason);
  }

  /** How tasks that have not started end now: stopped with the run, skipped by its cap, or (undefined) not at all. */
  #ending(): EarlyEnding | undefined {
    if (this.#stopReason !== undefined) return { status: 'stopped', message: this.#stopReason.message };
    if (this.#limitReason !== undefined) return { status: 'skipped', message: this.#limitReason.message };
    return undefined;
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
    const record = this.#dispatch.recordOf(target);
    if (record !== undefined) this.stopTask(target, new FanoutError('ABORTED', `task ${record.taskId} stopped by request`));
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

  /**
   * Merges the worktree branches of the tasks that succeeded, in plan order
   * (dependencies first), into `fanout/<run>` (conflicts given to resolver
   * subagents when asked), applies the result when asked, and announces
   * it; the branches of the others stay as they are.
   */
  async #mergeWorktrees(): Promise<void> {
    if (this.#worktrees?.used !== true) return;
    const succeeded = this.#dispatch
      .records()
      .filter((record) => record.status === 'succeeded')
      .map((record) => record.taskId);
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
    if (this.#finalizing || !this.#dispatch.concluded) return;
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
        tasks: this.#dispatch.records(),
        todo: this.#dispatch.todo,
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

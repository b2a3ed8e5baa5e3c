import { FanoutError } from '../contracts/errors.js';
import type { ModelResolver } from '../contracts/model.js';
import type { Planner } from '../contracts/planner.js';
import type { Plan } from '../contracts/plan.js';
import type { RunStore } from '../contracts/run-store.js';
import type {
  CheckedRun,
  EventsOptions,
  Fanout,
  FanoutOptions,
  FollowEventsOptions,
  OutputOptions,
  OutputResult,
  RunResult,
  RunStatusView,
  PlanInput,
  PruneResult,
  SpawnOptions,
  SpawnResult,
  StartOptions,
  StopResult,
} from '../contracts/fanout.js';
import type { RunReport } from '../contracts/run-report.js';
import { openCheckedRun, toCheckedRun } from './checked-run.js';
import { injectedClock, type Clock } from '../contracts/clock.js';
import { ModelGates } from './model-gate.js';
import { checkRun, preflightModels, resolveRunModels, type CheckedPlan, type RunCheckContext, type RunModels } from './run-check.js';
import { followEventLog, readEventPage } from './event-log.js';
import { EventHub } from './run-events.js';
import { RunExecution } from './run-execution.js';
import { isRunActive, isTerminal, LEASE_TTL_MS, leaseRenewMs } from './run-liveness.js';
import { RunReads } from './run-reads.js';
import { newRunRecords } from './run-records.js';
import { StopPoller } from './stop-poller.js';
import { refuseResume, resetForResume } from './run-resume.js';
import { modelOfRun, type ExecutionSetup } from './execution-setup.js';
import { modelConflictResolver } from './conflict-resolver.js';
import { readTodos } from './todo-list.js';
import type { FanoutEvent, StoredEvent } from '../contracts/events.js';
import type { RunRecord, TaskRecord, TodoItem } from '../contracts/records.js';
import { uncommittedChanges, type ConflictResolver, type MergeResult } from '../contracts/workspace.js';
import { untilSettled } from './wait.js';

/** The options a checked run is spawned with: all of {@link StartOptions}, none that the check fixed. */
const START_OPTIONS: ReadonlySet<string> = new Set<keyof StartOptions>(['signal', 'onEvent', 'apply', 'resolve']);

/** Model spec used when neither the task, the plan, the spawn options nor FanoutOptions name one. */
export const DEFAULT_MODEL = 'sim';
/** Default interval of cross-process polling (stop requests, outputs, run ends), ms. */
export const DEFAULT_POLL_MS = 200;

/** A checked and recorded run, ready to execute. */
interface Recorded extends RunModels, Pick<CheckedPlan, 'synthesize'> {
  run: RunRecord;
  tasks: TaskRecord[];
}

/**
 * Creates the engine: the {@link Fanout} object every adapter (CLI, MCP,
 * library callers) drives. Throws FanoutError `OPTION_INVALID` on a bad option.
 */
export function createFanout(options: FanoutOptions): Fanout {
  return new FanoutEngine(options);
}

class FanoutEngine implements Fanout {
  readonly #store: RunStore;
  readonly #models: ModelResolver;
  readonly #clock: Clock;
  readonly #cwd: string;
  readonly #defaultModel: string;
  /** What checking a run needs: the models, prices, default model and where agent definitions live. */
  readonly #checks: RunCheckContext;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #events: EventHub;
  readonly #gates: ModelGates;
  readonly #protectedPaths: readonly string[];
  readonly #shellReadPaths: readonly string[];
  readonly #planner: Planner | undefined;
  /** Runs executing in this process, by run id, and their tasks by handle. */
  readonly #executions = new Map<string, RunExecution>();
  readonly #executionOfHandle = new Map<string, RunExecution>();
  readonly #poller: StopPoller;
  readonly #reads: RunReads;
  #closed = false;

  constructor(options: FanoutOptions) {
    this.#pollMs = positive(options.pollMs, DEFAULT_POLL_MS, 'pollMs');
    this.#store = options.store;
    this.#models = options.models;
    this.#clock = injectedClock(options.clock);
    this.#cwd = options.cwd ?? process.cwd();
    this.#defaultModel = options.defaultModel ?? DEFAULT_MODEL;
    this.#protectedPaths = options.protectedPaths ?? [];
    this.#planner = options.planner;
    this.#checks = {
      models: this.#models,
      pricing: options.pricing ?? (() => undefined),
      defaultModel: this.#defaultModel,
      agents: options.agents,
      cwd: this.#cwd,
      workspaces: options.workspaces,
      shellSandbox: options.shellSandbox ?? 'bwrap',
    };
    this.#shellReadPaths = options.shellReadPaths ?? [];
    this.#events = new EventHub(this.#store);
    this.#gates = new ModelGates({
      clock: this.#clock,
      ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
      ...(options.providers === undefined ? {} : { providers: options.providers }),
      ...(options.rateLimitWaitMs === undefined ? {} : { rateLimitWaitMs: options.rateLimitWaitMs }),
      ...(options.maxRetryAfterMs === undefined ? {} : { maxRetryAfterMs: options.maxRetryAfterMs }),
    });
    this.#leaseMs = positive(options.leaseMs, LEASE_TTL_MS, 'leaseMs');
    this.#poller = new StopPoller(this.#store, this.#clock, this.#pollMs, this.#executions, leaseRenewMs(this.#leaseMs));
    this.#reads = new RunReads({ store: this.#store, clock: this.#clock, checks: this.#checks, executions: this.#executions });
  }

  spawn(run: CheckedRun | PlanInput, options: SpawnOptions = {}): SpawnResult {
    const checked = this.#checked(run, options);
    this.#refuseDirtyApply(options, this.#cwd);
    const recorded = this.#record(checked, true);
    this.#execute(recorded, options);
    return spawnResult(recorded);
  }

  prepare(run: CheckedRun | PlanInput, options: Omit<SpawnOptions, keyof StartOptions> = {}): SpawnResult {
    return spawnResult(this.#record(this.#checked(run, options), false));
  }

  async check(plan: PlanInput, options: Omit<SpawnOptions, 'onEvent'> = {}): Promise<CheckedRun> {
    return toCheckedRun(this, await this.#checkReachable(plan, options));
  }

  runs(limit?: number): RunRecord[] {
    return this.#store.listRuns(limit).map((run) => this.#reads.settled(run));
  }

  status(target?: string): RunStatusView {
    return this.#reads.status(target);
  }

  start(runId: string, options: StartOptions = {}): void {
    this.#checkOpen();
    const run = this.#store.getRun(runId);
    if (run === undefined) throw new FanoutError('NOT_FOUND', `no run ${runId} in ${this.#reads.storeName}`);
    if (this.#executions.has(runId)) throw new FanoutError('OPTION_INVALID', `run ${runId} is already executing in this process`);
    if (run.status !== 'running' || run.startedAt !== undefined) {
      throw new FanoutError('OPTION_INVALID', `run ${runId} was already started (status ${run.status}); only a prepared run can be started`);
    }
    this.#refuseDirtyApply(options, run.cwd);
    const tasks = this.#store.listTasks(runId);
    const earlyStops = this.#store.listStopRequests(runId, run.createdAt);
    this.#execute({ run, tasks, ...resolveRunModels(run.plan, this.#checks) }, { ...options, earlyStops });
  }

  resume(runId: string, options: StartOptions = {}): SpawnResult {
    this.#checkOpen();
    const now = this.#clock.now();
    const settled = this.#resumable(runId, now);
    this.#refuseDirtyApply(options, settled.cwd);
    const models = resolveRunModels(settled.plan, this.#checks);
    const { run, tasks } = resetForResume(this.#store, settled, now, now + this.#leaseMs);
    this.#execute({ run, tasks, ...models }, { ...options, stopsSince: now, resumed: true });
    return spawnResult({ run, tasks, ...models });
  }

  async merge(runId: string, options: { resolve?: boolean; signal?: AbortSignal } = {}): Promise<MergeResult> {
    this.#checkOpen();
    const run = this.#reads.getRun(runId);
    if (this.#executions.has(runId) || (isRunActive(run) && run.startedAt !== undefined)) {
      throw new FanoutError('OPTION_INVALID', `run ${runId} is still running; merge it once it ended (or stop it: fanout stop ${runId})`);
    }
    const workspaces = this.#checks.workspaces;
    if (workspaces === undefined) throw new FanoutError('OPTION_INVALID', 'this fanout has no worktrees (no workspace was given to it)');
    const workspace = await workspaces.openRun(runId);
    const succeeded = new Set(this.#store.listTasks(runId).filter((task) => task.status === 'succeeded').map((task) => task.taskId));
    const made = new Set(workspace.tasks().map((task) => task.task));
    const order = run.plan.tasks.map((task) => task.id).filter((id) => succeeded.has(id) && made.has(id));
    const resolve = options.resolve === true ? this.#resolverOf(run, options.signal) : undefined;
    return workspace.merge({ order, ...(options.signal === undefined ? {} : { signal: options.signal }), ...(resolve === undefined ? {} : { resolve }) });
  }

  /**
   * `apply` with uncommitted changes in the user's tree: refused before
   * anything is recorded or any worktree made (apply would refuse at the
   * end, after the work was done). Nothing to check outside a repository.
   */
  #refuseDirtyApply(options: StartOptions, cwd: string): void {
    if (options.apply !== true) return;
    const state = this.#checks.workspaces?.inspect(cwd, { uncommitted: true });
    if (state?.ok !== true || state.uncommitted === undefined || state.uncommitted.length === 0) return;
    throw new FanoutError('WORKSPACE_INVALID', `apply: ${uncommittedChanges(state.root, state.uncommitted)}; commit or stash them yourself, then run again`);
  }

  /** Resolver subagents for a recorded run: each conflict goes to the model of the task whose branch conflicted. */
  #resolverOf(run: RunRecord, signal: AbortSignal | undefined): ConflictResolver {
    const setup = { run, ...resolveRunModels(run.plan, this.#checks), defaultModel: this.#defaultModel };
    return modelConflictResolver({
      plan: run.plan,
      modelOf: (taskId) => modelOfRun(setup, run.plan.tasks.find((task) => task.id === taskId)?.model).model,
      gates: this.#gates,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  prune(options: { olderThanMs: number }): PruneResult {
    this.#checkOpen();
    const { olderThanMs } = options;
    if (!(olderThanMs >= 0) || !Number.isFinite(olderThanMs)) {
      throw new FanoutError('OPTION_INVALID', `olderThanMs must be a number of ms >= 0, got ${String(olderThanMs)}`);
    }
    const cutoff = this.#clock.now() - olderThanMs;
    const result: PruneResult = { pruned: [], live: [] };
    const old = this.#store.listRuns().filter((run) => run.createdAt < cutoff).reverse();
    for (const stored of old) {
      const run = this.#reads.settled(stored);
      // A run prepared and never started has no process: nothing will ever execute it.
      if (this.#executions.has(run.runId) || (isRunActive(run) && run.startedAt !== undefined)) {
        result.live.push(run.runId);
        continue;
      }
      this.#store.deleteRun(run.runId);
      result.pruned.push(run.runId);
    }
    this.#store.flush();
    return result;
  }

  checkResume(runId: string): void {
    this.#resumable(runId, this.#clock.now());
  }

  /** The run, settled, when it can be resumed; what resume refuses it with otherwise. */
  #resumable(runId: string, now: number): RunRecord {
    if (this.#executions.has(runId)) throw new FanoutError('OPTION_INVALID', `run ${runId} is already executing in this process`);
    const settled = this.#reads.getRun(runId);
    const refused = refuseResume(settled, now);
    if (refused !== undefined) throw refused;
    return settled;
  }

  async output(handle: string, options: OutputOptions = {}): Promise<OutputResult> {
    const current = this.#reads.outputOf(handle);
    if (current.done || options.block !== true) return current;
    await untilSettled({
      ...this.#waitOptions(options),
      local: () => this.#executionOfHandle.get(handle)?.whenSettled(handle),
      // A run that can no longer progress ends the wait even when it left the task unfinished
      // (e.g. one recorded as interrupted by an earlier version, which did not stop its tasks).
      check: () => (this.#reads.outputOf(handle).done || !this.#reads.isActive(current.runId) ? 'done' : undefined),
    });
    return this.#reads.outputOf(handle);
  }

  async stop(target: string): Promise<StopResult> {
    this.#checkOpen();
    const { runId, unfinished, finished } = this.#reads.stopTarget(target);
    if (finished) return { runId, stopped: 0, alreadyFinished: true };
    const local = this.#executions.get(target) ?? this.#executionOfHandle.get(target);
    if (local !== undefined) {
      local.stop(target);
      await (target === local.runId ? local.done : local.whenSettled(target));
    } else {
      // Executed by another process (or prepared, not started yet): it polls for this.
      this.#store.requestStop(target, this.#clock.now());
      this.#store.flush();
    }
    return { runId, stopped: unfinished, alreadyFinished: false };
  }

  async wait(runId: string, options: { signal?: AbortSignal } = {}): Promise<RunResult> {
    // Reading the run back parses its whole plan: skipped when this process executes it (so it exists).
    if (!this.#executions.has(runId)) this.#reads.getRun(runId);
    await untilSettled({
      ...this.#waitOptions(options),
      local: () => this.#executions.get(runId)?.done,
      check: () => (this.#reads.isActive(runId) ? undefined : 'done'),
    });
    return this.#reads.result(runId);
  }

  async plan(request: string, options: { model?: string; signal?: AbortSignal } = {}): Promise<Plan> {
    this.#checkOpen();
    if (this.#planner === undefined) {
      throw new FanoutError('OPTION_INVALID', 'this Fanout has no planner: pass FanoutOptions.planner (createDefaultFanout does)', {
        where: 'planner',
      });
    }
    const model = this.#models.resolve(options.model ?? this.#defaultModel);
    return this.#planner(
      request,
      (call) => this.#gates.call(model, call),
      options.signal === undefined ? {} : { signal: options.signal },
    );
  }

  async run(run: CheckedRun | PlanInput, options: SpawnOptions = {}): Promise<RunResult> {
    const checked = this.#open(run, options) ?? (await this.#checkReachable(run as PlanInput, options));
    this.#refuseDirtyApply(options, this.#cwd);
    const recorded = this.#record(checked, true);
    this.#execute(recorded, options);
    // Not passing `options.signal` on: it stops the run, and the stopped run's result is still returned.
    return this.wait(recorded.run.runId);
  }

  report(runId: string): RunReport {
    const run = this.#reads.getRun(runId);
    return this.#reads.reportOf(run, this.#store.listTasks(runId));
  }

  todos(runId: string): TodoItem[] {
    this.#reads.getRun(runId);
    return readTodos(this.#store, runId, this.#store.listTasks(runId));
  }

  events(target: string, options: EventsOptions = {}): StoredEvent[] {
    return readEventPage(this.#store, this.#reads.eventScope(target), options.after ?? 0).events;
  }

  followEvents(target: string, options: FollowEventsOptions = {}): AsyncIterable<StoredEvent> {
    const scope = this.#reads.eventScope(target);
    const { handle } = scope;
    return followEventLog({
      store: this.#store,
      scope,
      clock: this.#clock,
      pollMs: this.#pollMs,
      after: options.after ?? 0,
      ended: () => {
        if (!this.#reads.isActive(scope.runId)) return true;
        const task = handle === undefined ? undefined : this.#store.getTask(handle);
        return task !== undefined && isTerminal(task.status);
      },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }

  on(listener: (event: FanoutEvent) => void): () => void {
    return this.#events.on(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const executions = [...this.#executions.values()];
    for (const execution of executions) execution.stopRun(new FanoutError('ABORTED', `run ${execution.runId} stopped: fanout is closing`));
    await Promise.all(executions.map((execution) => execution.done));
    this.#poller.halt();
    try {
      await this.#models.close();
    } finally {
      this.#store.close();
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The one validation spawn, prepare and check share (see {@link checkRun}). */
  #check(plan: PlanInput, options: SpawnOptions): CheckedPlan {
    this.#checkOpen();
    return checkRun(plan, options, this.#checks);
  }

  /** What `run` was checked as: a checked run as it was, anything else checked now (without preflight). */
  #checked(run: CheckedRun | PlanInput, options: SpawnOptions): CheckedPlan {
    return this.#open(run, options) ?? this.#check(run as PlanInput, options);
  }

  /**
   * What a checked run of this instance holds; undefined for a plan. Its
   * options were fixed by the check: giving any but the start options
   * (signal, listener, apply) again is an error, not silently ignored.
   */
  #open(run: CheckedRun | PlanInput, options: SpawnOptions): CheckedPlan | undefined {
    const checked = openCheckedRun(run, this);
    if (checked === undefined) return undefined;
    const fixed = Object.entries(options).find(([key, value]) => value !== undefined && !START_OPTIONS.has(key));
    if (fixed !== undefined) {
      throw new FanoutError('OPTION_INVALID', `${fixed[0]}: a checked run runs as it was checked; pass this option to check()`, {
        where: fixed[0],
      });
    }
    return checked;
  }

  /** {@link FanoutEngine.#check}, then every model's preflight: what `check` and `run` make sure of. */
  async #checkReachable(plan: PlanInput, options: SpawnOptions): Promise<CheckedPlan> {
    const checked = this.#check(plan, options);
    await preflightModels(checked, {
      defaultModel: this.#defaultModel,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return checked;
  }

  /** Records a checked run and its tasks in one transaction (its todo list follows from them). */
  #record(checked: CheckedPlan, executing: boolean): Recorded {
    // Checked again: a preflight may have awaited while the instance was closed.
    this.#checkOpen();
    const { plan, dag, agents, name, synthesize, ...models } = checked;
    const { run, tasks } = newRunRecords({
      plan,
      dag,
      now: this.#clock.now(),
      cwd: this.#cwd,
      executing,
      isPriced: (spec) => models.pricers.get(spec) !== undefined,
      ...(agents === undefined ? {} : { agents }),
      ...(name === undefined ? {} : { name }),
    });
    this.#store.createRun(run, tasks);
    this.#store.flush();
    return { run, tasks, ...models, ...(synthesize === undefined ? {} : { synthesize }) };
  }

  #execute(recorded: Recorded, options: StartOptions & Pick<ExecutionSetup, 'earlyStops' | 'stopsSince' | 'resumed'>): void {
    // A plan's caps hold for every later call of the process too: the gates are shared, and a cap only tightens.
    for (const [provider, limits] of Object.entries(recorded.run.plan.providers ?? {})) this.#gates.limit(provider, limits);
    const execution = new RunExecution(
      {
        store: this.#store,
        events: this.#events,
        clock: this.#clock,
        gates: this.#gates,
        leaseMs: this.#leaseMs,
        protectedPaths: this.#protectedPaths,
        workspaces: this.#checks.workspaces,
        shellSandbox: this.#checks.shellSandbox,
        shellReadPaths: this.#shellReadPaths,
      },
      {
        ...recorded,
        ...(options.apply === true ? { apply: true } : {}),
        ...(options.resolve === true ? { resolve: true } : {}),
        defaultModel: this.#defaultModel,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(recorded.synthesize === undefined ? {} : { synthesizer: recorded.synthesize }),
        ...(options.earlyStops === undefined ? {} : { earlyStops: options.earlyStops }),
        ...(options.stopsSince === undefined ? {} : { stopsSince: options.stopsSince }),
        ...(options.resumed === undefined ? {} : { resumed: options.resumed }),
      },
    );
    const { runId } = recorded.run;
    // Before the run's first event, so its listener sees them all.
    const unsubscribe = options.onEvent === undefined ? undefined : this.#events.onRun(runId, options.onEvent);
    this.#executions.set(runId, execution);
    for (const task of recorded.tasks) this.#executionOfHandle.set(task.handle, execution);
    void execution.done.then(() => {
      unsubscribe?.();
      this.#executions.delete(runId);
      for (const task of recorded.tasks) this.#executionOfHandle.delete(task.handle);
      if (this.#executions.size === 0) this.#poller.halt();
    });
    execution.begin();
    this.#poller.ensureRunning();
  }

  #waitOptions(options: OutputOptions): { clock: Clock; pollMs: number; timeoutMs?: number; signal?: AbortSignal } {
    return {
      clock: this.#clock,
      pollMs: this.#pollMs,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
  }

  #checkOpen(): void {
    if (this.#closed) throw new FanoutError('OPTION_INVALID', 'this fanout instance is closed');
  }
}

function spawnResult({ run, tasks }: Recorded): SpawnResult {
  return { runId: run.runId, handles: tasks.map((task) => ({ id: task.taskId, handle: task.handle })), dag: run.dag };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new FanoutError('OPTION_INVALID', `${name} must be a positive number of ms, got ${String(value)}`);
  }
  return value;
}

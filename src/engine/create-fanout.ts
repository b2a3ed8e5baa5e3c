import { homedir } from 'node:os';
import { isProcessAlive, isRunActive } from './run-liveness.js';
import type { AgentLookupOptions } from '../agents/index.js';
import { FanoutError, isFanoutError } from '../errors.js';
import type { Model, ModelResolver } from '../models/model.js';
import { BUILT_IN_PRICES, type PriceTable } from '../models/pricing.js';
import { analyzePlan, normalizePlan } from '../plan/index.js';
import { planFromRequest } from '../planner/index.js';
import type { Plan, TaskSpec } from '../plan/types.js';
import type { RunStore, StopRequest } from '../store/run-store.js';
import type {
  Fanout,
  FanoutOptions,
  OutputOptions,
  OutputResult,
  RunReport,
  RunResult,
  SpawnOptions,
  SpawnResult,
} from './api.js';
import { systemClock, type Clock } from './clock.js';
import { ModelGates } from './model-gate.js';
import { buildReport } from './report.js';
import { EventHub } from './run-events.js';
import { isTerminal, RunExecution } from './run-execution.js';
import { checkBudgetsPriced, pricerOf, type Pricer } from './run-costs.js';
import { effectivePlan, newRunRecords } from './run-records.js';
import { StopPoller } from './stop-poller.js';
import { resolveAgents } from './task-agents.js';
import { recordTodos } from './todo-list.js';
import type { FanoutEvent, RunRecord, TaskOutput, TaskRecord, TodoItem } from './types.js';
import { untilSettled, type WaitOutcome } from './wait.js';

/** Model spec used when neither the task, the plan, the spawn options nor FanoutOptions name one. */
export const DEFAULT_MODEL = 'sim';
/** Default interval of cross-process polling (stop requests, outputs, run ends), ms. */
export const DEFAULT_POLL_MS = 200;

/** The models a run uses, resolved, with their prices. */
interface RunModels {
  models: Map<string, Model>;
  pricers: Map<string, Pricer | undefined>;
  simulated: boolean;
}

/** A checked and recorded run, ready to execute. */
interface Recorded extends RunModels {
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
  readonly #prices: PriceTable;
  readonly #agentLookup: AgentLookupOptions;
  readonly #pollMs: number;
  readonly #events: EventHub;
  readonly #gates: ModelGates;
  /** Runs executing in this process, by run id, and their tasks by handle. */
  readonly #executions = new Map<string, RunExecution>();
  readonly #executionOfHandle = new Map<string, RunExecution>();
  readonly #poller: StopPoller;
  #closed = false;

  constructor(options: FanoutOptions) {
    this.#pollMs = positive(options.pollMs, DEFAULT_POLL_MS, 'pollMs');
    this.#store = options.store;
    this.#models = options.models;
    this.#clock = options.clock ?? systemClock;
    this.#cwd = options.cwd ?? process.cwd();
    this.#defaultModel = options.defaultModel ?? DEFAULT_MODEL;
    this.#prices = options.prices ?? BUILT_IN_PRICES;
    this.#agentLookup = { cwd: this.#cwd, home: options.agentsHome ?? homedir() };
    this.#events = new EventHub(this.#store);
    this.#gates = new ModelGates({
      clock: this.#clock,
      ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
      ...(options.providerConcurrency === undefined ? {} : { providerConcurrency: options.providerConcurrency }),
    });
    this.#poller = new StopPoller(this.#store, this.#clock, this.#pollMs, this.#executions);
  }

  spawn(plan: Plan | TaskSpec[], options: SpawnOptions = {}): SpawnResult {
    const recorded = this.#record(plan, options, true);
    this.#execute(recorded, options);
    return spawnResult(recorded);
  }

  prepare(plan: Plan | TaskSpec[], options: SpawnOptions = {}): SpawnResult {
    return spawnResult(this.#record(plan, options, false));
  }

  start(runId: string, options: Pick<SpawnOptions, 'signal'> = {}): void {
    this.#checkOpen();
    const run = this.#store.getRun(runId);
    if (run === undefined) throw new FanoutError('NOT_FOUND', `no run ${runId} in the store`);
    if (this.#executions.has(runId)) throw new FanoutError('OPTION_INVALID', `run ${runId} is already executing in this process`);
    if (run.status !== 'running' || run.startedAt !== undefined) {
      throw new FanoutError('OPTION_INVALID', `run ${runId} was already started (status ${run.status}); only a prepared run can be started`);
    }
    const tasks = this.#store.listTasks(runId);
    const earlyStops = this.#store.listStopRequests(runId, run.createdAt - 1);
    this.#execute({ run, tasks, ...this.#resolveModels(run.plan) }, { ...options, earlyStops });
  }

  async output(handle: string, options: OutputOptions = {}): Promise<OutputResult> {
    const current = this.#outputOf(handle);
    if (current.done || options.block !== true) return current;
    const outcome = await this.#waitFor(
      () => this.#executionOfHandle.get(handle)?.whenSettled(handle),
      () => {
        const task = this.#store.getTask(handle);
        return task !== undefined && isTerminal(task.status) ? 'done' : this.#interruptedRun(task?.runId);
      },
      options,
    );
    const result = this.#outputOf(handle);
    if (outcome === 'interrupted' && !result.done) {
      result.error = this.#store.getRun(result.runId)?.error ?? `run ${result.runId} was interrupted`;
    }
    return result;
  }

  async stop(target: string): Promise<void> {
    this.#checkOpen();
    const local = this.#executions.get(target) ?? this.#executionOfHandle.get(target);
    if (local !== undefined) {
      local.stop(target);
      await (target === local.runId ? local.done : local.whenSettled(target));
      return;
    }
    const run = this.#store.getRun(target);
    const task = run === undefined ? this.#store.getTask(target) : undefined;
    if (run === undefined && task === undefined) {
      throw new FanoutError('NOT_FOUND', `no run or task ${target} in the store (expected a run id or a task handle)`);
    }
    if (run !== undefined ? !isRunActive(run) : isTerminal((task as TaskRecord).status)) return;
    // Executed by another process (or prepared, not started yet): it polls for this.
    this.#store.requestStop(target, this.#clock.now());
    this.#store.flush();
  }

  async wait(runId: string, options: { signal?: AbortSignal } = {}): Promise<RunResult> {
    if (this.#store.getRun(runId) === undefined) throw new FanoutError('NOT_FOUND', `no run ${runId} in the store`);
    await this.#waitFor(
      () => this.#executions.get(runId)?.done,
      () => {
        const run = this.#store.getRun(runId);
        return run === undefined || !isRunActive(run) ? 'done' : this.#interruptedRun(runId);
      },
      options,
    );
    return this.#result(runId);
  }

  async plan(request: string, options: { model?: string; signal?: AbortSignal } = {}): Promise<Plan> {
    this.#checkOpen();
    const model = this.#models.resolve(options.model ?? this.#defaultModel);
    return planFromRequest(
      request,
      (call) => this.#gates.call(model, call),
      options.signal === undefined ? {} : { signal: options.signal },
    );
  }

  async run(plan: Plan | TaskSpec[], options: SpawnOptions = {}): Promise<RunResult> {
    const { runId } = this.spawn(plan, options);
    // Not passing `options.signal` on: it stops the run, and the stopped run's result is still returned.
    return this.wait(runId);
  }

  report(runId: string): RunReport {
    const run = this.#store.getRun(runId);
    if (run === undefined) throw new FanoutError('NOT_FOUND', `no run ${runId} in the store`);
    return buildReport(run, this.#store.listTasks(runId), { simulated: this.#isSimulated(run), now: this.#clock.now() });
  }

  todos(runId: string): TodoItem[] {
    if (this.#store.getRun(runId) === undefined) throw new FanoutError('NOT_FOUND', `no run ${runId} in the store`);
    return this.#store.listTodos(runId);
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

  /**
   * Checks, then records a run and its tasks in one transaction: the plan,
   * its agent definitions, its models, and that every budget has a price.
   * Nothing is recorded when a check fails.
   */
  #record(input: Plan | TaskSpec[], options: SpawnOptions, executing: boolean): Recorded {
    this.#checkOpen();
    const normalized = normalizePlan(input, 'plan');
    const agents = resolveAgents(normalized, this.#agentLookup);
    const plan = effectivePlan(normalized, options, this.#defaultModel, agents);
    const dag = analyzePlan(plan, { strict: options.strict === true, source: 'plan' });
    const resolved = this.#resolveModels(plan);
    checkBudgetsPriced(plan, resolved.pricers, {
      defaultModel: this.#defaultModel,
      synthesizes: options.synthesize === undefined,
    });
    const { run, tasks } = newRunRecords({
      plan,
      dag,
      now: this.#clock.now(),
      cwd: this.#cwd,
      executing,
      isPriced: (spec) => resolved.pricers.get(spec) !== undefined,
      ...(agents === undefined ? {} : { agents }),
      ...(options.name === undefined ? {} : { name: options.name }),
    });
    this.#store.createRun(run, tasks);
    recordTodos(this.#store, run.runId, tasks);
    this.#store.flush();
    return { run, tasks, ...resolved };
  }

  /**
   * Resolves every model the run uses, so a bad spec fails before anything
   * is recorded, and looks up each one's price once.
   */
  #resolveModels(plan: Plan): RunModels {
    const models = new Map<string, Model>();
    const pricers = new Map<string, Pricer | undefined>();
    const fallback = plan.model ?? this.#defaultModel;
    for (const spec of [fallback, ...plan.tasks.map((task) => task.model ?? fallback)]) {
      if (models.has(spec)) continue;
      const model = this.#models.resolve(spec);
      models.set(spec, model);
      pricers.set(spec, pricerOf(model.spec, this.#prices));
    }
    return { models, pricers, simulated: [...models.values()].some((model) => model.simulated) };
  }

  #execute(
    recorded: Recorded,
    options: Pick<SpawnOptions, 'signal' | 'synthesize'> & { earlyStops?: readonly StopRequest[] },
  ): void {
    const execution = new RunExecution(
      { store: this.#store, events: this.#events, clock: this.#clock, gates: this.#gates },
      {
        ...recorded,
        defaultModel: this.#defaultModel,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.synthesize === undefined ? {} : { synthesizer: options.synthesize }),
        ...(options.earlyStops === undefined ? {} : { earlyStops: options.earlyStops }),
      },
    );
    const { runId } = recorded.run;
    this.#executions.set(runId, execution);
    for (const task of recorded.tasks) this.#executionOfHandle.set(task.handle, execution);
    void execution.done.then(() => {
      this.#executions.delete(runId);
      for (const task of recorded.tasks) this.#executionOfHandle.delete(task.handle);
      if (this.#executions.size === 0) this.#poller.halt();
    });
    execution.begin();
    this.#poller.ensureRunning();
  }

  #outputOf(handle: string): OutputResult {
    const task = this.#store.getTask(handle);
    if (task === undefined) throw new FanoutError('NOT_FOUND', `no task ${handle} in the store (expected a task handle)`);
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

  /**
   * Waits until `local()` settles (when this process executes the thing), or
   * else until `check()` says it is done or interrupted, polling the store
   * every pollMs; gives up after `timeoutMs`.
   */
  #waitFor(
    local: () => Promise<void> | undefined,
    check: () => WaitOutcome | undefined,
    options: OutputOptions,
  ): Promise<WaitOutcome> {
    return untilSettled({ clock: this.#clock, pollMs: this.#pollMs, local, check, ...pick(options) });
  }

  /**
   * Undefined while the run may still progress; `interrupted` (recorded in
   * the store) when the process executing it is gone.
   */
  #interruptedRun(runId: string | undefined): 'interrupted' | undefined {
    const run = runId === undefined ? undefined : this.#store.getRun(runId);
    if (run === undefined || !isRunActive(run) || run.pid === undefined) return undefined;
    if (this.#executions.has(run.runId) || isProcessAlive(run.pid)) return undefined;
    this.#store.updateRun(run.runId, {
      status: 'interrupted',
      error: `run ${run.runId} was interrupted: its process ${run.pid} exited before the run finished`,
    });
    this.#store.flush();
    return 'interrupted';
  }

  #result(runId: string): RunResult {
    const run = this.#store.getRun(runId) as RunRecord;
    const tasks = this.#store.listTasks(runId);
    const outputs: Record<string, TaskOutput> = {};
    for (const task of tasks) {
      const output = this.#store.getOutput(task.handle);
      if (output !== undefined) outputs[task.taskId] = output;
    }
    const result: RunResult = {
      runId,
      status: run.status,
      tasks,
      outputs,
      report: buildReport(run, tasks, { simulated: this.#isSimulated(run), now: this.#clock.now() }),
    };
    if (run.synthesis !== undefined) result.synthesis = run.synthesis;
    return result;
  }

  #isSimulated(run: RunRecord): boolean {
    const local = this.#executions.get(run.runId);
    if (local !== undefined) return local.simulated;
    try {
      return this.#resolveModels(run.plan).simulated;
    } catch (error) {
      // A run recorded elsewhere may name a provider this process has no key for: it is not the simulated one.
      if (isFanoutError(error, 'MODEL_CONFIG')) return false;
      throw error;
    }
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

function pick(options: OutputOptions): { timeoutMs?: number; signal?: AbortSignal } {
  return {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

import { runAgent, type AgentOptions, type AgentResult, type ModelCallInfo, type SandboxRoot, type ShellPolicy, type ToolCallInfo } from '../agent/index.js';
import { FanoutError, toFanoutError } from '../contracts/errors.js';
import type { Model, ModelRequest, ModelResponse } from '../contracts/model.js';
import { SIM_PROVIDER } from '../contracts/sim-options.js';
import { renderTaskPrompt } from '../plan/index.js';
import { timeoutReason, UsageMeter } from './caps.js';
import { WatchesPerClock, type Watched } from '../contracts/deadline-watch.js';
import type { Clock } from '../contracts/clock.js';
import type { EndpointGate, GateCallHooks, GateWaitReason, GateWindowChange } from './endpoint-gate.js';
import type { ModelGates } from './model-gate.js';
import type { WaitBudget } from './retry-policy.js';
import type { Pricer } from '../contracts/pricing.js';
import { taskSystemPrompt } from './task-agents.js';
import type { FanoutEvent } from '../contracts/events.js';
import type { RefusedCall, ResolvedAgent, TaskRecord, TaskStatus, WaitReason } from '../contracts/records.js';

/** Most model calls of a task whose spec sets no `maxTurns`. */
export const DEFAULT_MAX_TURNS = 20;

/** Everything one task needs to run. */
export interface TaskRunOptions {
  task: TaskRecord;
  model: Model;
  /** The run's working directory, resolved once for all its tasks. */
  cwd: SandboxRoot;
  /** Directories the task may never write, whatever its scope. */
  protectedPaths: readonly string[];
  clock: Clock;
  gates: ModelGates;
  /**
   * The task's own controller: `stop()` aborts it with an `ABORTED`
   * FanoutError, the time limit with a `LIMIT_REACHED` one.
   */
  controller: AbortController;
  emit: (event: FanoutEvent) => void;
  /** Called the first time the task waits for a given reason after it started. */
  onWait: (reason: WaitReason) => void;
  /** Prices the task's usage; absent when its model's price is unknown (the cost stays unknown). */
  pricer?: Pricer;
  /** The agent definition the task names, as recorded with the run. */
  agent?: ResolvedAgent;
  /** The run's totals, which every model call of the task counts towards. */
  runUsage: RunUsage;
  /** The task's shell, when it has one: the `bash` tool runs under it. */
  shell?: ShellPolicy;
  /** The plan's `strictWrites`: the first refused write or command ends the task as failed. */
  strictWrites?: boolean;
}

/** What a task sees of its run's caps. */
export interface RunUsage {
  /**
   * Counts model calls of a task (one by default; 0 for usage a whole agent
   * reports at its end) and acts on a run cap they reach, e.g. by aborting
   * the run's tasks.
   */
  add(tokens: number, costUsd: number, calls?: number): void;
  /** Tokens left under the run's `maxTokens`; absent without one. Called unbound (it is handed to the agent loop as is). */
  tokenRoom?: () => number;
}

/** A task's usage counters, as its record holds them. */
export type TaskUsage = Pick<TaskRecord, 'turns' | 'inputTokens' | 'outputTokens' | 'retries' | 'retryWaitMs' | 'rateLimitWaitMs' | 'costUsd'>;

/** How a task ended; never a thrown error. */
export interface TaskOutcome extends TaskUsage, Pick<TaskRecord, 'error' | 'writes' | 'refused'> {
  status: Exclude<TaskStatus, 'queued' | 'running'>;
  /** The final answer, when the agent produced one. */
  output?: { text: string; json?: unknown };
}

/** The usage of a task before its first model call. */
export function noUsage(): TaskUsage {
  return { turns: 0, inputTokens: 0, outputTokens: 0, retries: 0, retryWaitMs: 0 };
}

/**
 * Runs one task's agent loop with its model calls going through the
 * provider gate, enforces its caps (turns, time, tokens, cost; checked after
 * each model call), counts its calls towards the run's caps, and maps every
 * way it can end to a terminal status. Events: model-call, tool-call,
 * task-retry, task-waiting.
 */
export async function runTask(options: TaskRunOptions): Promise<TaskOutcome> {
  // A small shell: V8 optimizes this function once it has run for some hundreds of tasks, with all it inlines,
  // and it runs once a task; the setup and the agent's hooks live in TaskRun, whose methods run per call.
  // One async frame per task here, not two: a waiting task holds every frame it is suspended in.
  const run = new TaskRun(options);
  let outcome: TaskOutcome;
  try {
    outcome = run.outcomeOf(await runAgent(run.agentOptions()));
  } catch (thrown) {
    outcome = run.thrownOutcome(thrown);
  } finally {
    run.stopTimer();
  }
  run.activity.recordIn(outcome);
  return outcome;
}

/**
 * One task's run: its usage, caps, time limit, the hooks its agent loop
 * calls (arrow fields, not methods: runAgent calls them unbound) and what
 * its model calls report back through their endpoint's gate ({@link GateCallHooks}:
 * waits, retries and rate limits, told as events and counted in the task's
 * usage). One object per task for all of them: every waiting task holds its hooks.
 */
class TaskRun implements GateCallHooks {
  readonly activity = new TaskActivity();
  readonly stopTimer: () => void;
  readonly #options: TaskRunOptions;
  readonly #stats: TaskUsage = noUsage();
  /** The task's own token and cost caps; undefined when its spec sets neither (most tasks): nothing to count then. */
  readonly #caps: UsageMeter | undefined;
  /** The gate of the task's endpoint, looked up once for all its calls. */
  readonly #gate: EndpointGate;
  /** Made when a call first has to wait (most tasks never do). */
  #waitBudget: WaitBudget | undefined;
  /** The detail each wait reason was last told with; made on the first wait. */
  #announced: Partial<Record<WaitReason, string>> | undefined;
  /** Why the call in the gate's queue now waits (a task makes one call at a time): stored with its length when it starts. */
  #queued: { reason: GateWaitReason; detail: string } | undefined;

  constructor(options: TaskRunOptions) {
    const { task, agent } = options;
    if (task.spec.agent !== undefined && agent === undefined) {
      throw new FanoutError('INTERNAL', `agent ${task.spec.agent} of task ${task.taskId} was not recorded with run ${task.runId}`);
    }
    this.#options = options;
    if (options.pricer !== undefined) this.#stats.costUsd = 0;
    const { maxTokens, budgetUsd } = task.spec;
    this.#caps = maxTokens === undefined && budgetUsd === undefined ? undefined : new UsageMeter({ maxTokens, budgetUsd }, 'task');
    this.#gate = options.gates.gateOf(options.model);
    this.stopTimer = startTimeLimit(options);
  }

  agentOptions(): AgentOptions {
    const options = this.#options;
    const spec = options.task.spec;
    const caps = this.#caps;
    return {
      system: taskSystemPrompt(spec, options.agent),
      prompt: renderTaskPrompt(spec),
      cwd: options.cwd,
      writes: spec.writes ?? [],
      protectedPaths: options.protectedPaths,
      maxTurns: spec.maxTurns ?? DEFAULT_MAX_TURNS,
      tools: spec.tools ?? options.agent?.tools,
      shell: options.shell,
      // Without caps of the task's own, the agent asks the run (when it has a token cap) and checks nothing per call.
      tokenRoom: caps === undefined ? options.runUsage.tokenRoom : tokenRoomOf(caps, options.runUsage),
      checkLimit: caps === undefined ? undefined : () => caps.reached(),
      outputSchema: typeof spec.outputFormat === 'object' ? spec.outputFormat : undefined,
      providerOptions: spec.sim === undefined ? undefined : { [SIM_PROVIDER]: spec.sim },
      signal: options.controller.signal,
      clock: options.clock,
      toolTimeLimitMs: spec.toolTimeoutMs,
      call: this.call,
      onModelCall: this.onModelCall,
      onToolCall: this.onToolCall,
    };
  }

  readonly call = (request: ModelRequest): Promise<ModelResponse> => this.#gate.call(this.#options.model, request, this);

  readonly onModelCall = (call: ModelCallInfo): void => {
    const options = this.#options;
    const stats = this.#stats;
    stats.turns = call.turn;
    stats.inputTokens += call.inputTokens;
    stats.outputTokens += call.outputTokens;
    const tokens = call.inputTokens + call.outputTokens;
    const added = options.pricer === undefined ? 0 : this.#price(options.pricer);
    this.#caps?.add(tokens, added);
    const { runId, taskId: id, handle } = options.task;
    options.emit({ type: 'model-call', runId, at: options.clock.now(), id, handle, turn: call.turn, inputTokens: call.inputTokens, outputTokens: call.outputTokens, durationMs: call.durationMs });
    options.runUsage.add(tokens, added);
  };

  readonly onToolCall = (call: ToolCallInfo): void => {
    const options = this.#options;
    this.activity.add(call);
    const { runId, taskId: id, handle } = options.task;
    const event: FanoutEvent & { type: 'tool-call' } = { type: 'tool-call', runId, at: options.clock.now(), id, handle, tool: call.tool, ok: call.ok };
    if (call.detail !== undefined) event.detail = call.detail;
    if (call.refused === true) event.refused = true;
    options.emit(event);
    const controller = options.controller;
    if (call.refused === true && options.strictWrites === true && CHANGING_TOOLS.has(call.tool) && !controller.signal.aborted) {
      controller.abort(new FanoutError('TOOL_DENIED', `strictWrites: ${call.detail ?? `${call.tool} refused`}`));
    }
  };

  /**
   * Prices the task's usage so far and returns what it added. Priced on the
   * running totals, so the task's cost is exactly its usage times the price.
   */
  #price(pricer: Pricer): number {
    const stats = this.#stats;
    const total = pricer(stats);
    const added = total - (stats.costUsd ?? 0);
    stats.costUsd = total;
    return added;
  }

  /** How the task ends when its agent returned `result`. */
  outcomeOf(result: AgentResult): TaskOutcome {
    return outcomeOf(result, this.#stats, this.#options.controller.signal);
  }

  /** How the task ends when its agent threw: the task's abort reason, when it fired, decides. */
  thrownOutcome(thrown: unknown): TaskOutcome {
    const signal = this.#options.controller.signal;
    return { ...this.#stats, ...abortedOrFailed(signal.aborted ? signal.reason : thrown) };
  }

  /** The task's budget of time waiting for its endpoints, shared by all its calls (see {@link GateCallHooks}). */
  get waitBudget(): WaitBudget {
    return (this.#waitBudget ??= this.#options.gates.waitBudget());
  }

  onWait(reason: GateWaitReason, detail: string): void {
    this.#queued = { reason, detail };
    this.#waiting(reason, detail);
  }

  onWaited(waitedMs: number): void {
    const stats = this.#stats;
    if (waitedMs > 0) stats.rateLimitWaitMs = (stats.rateLimitWaitMs ?? 0) + waitedMs;
    // Only a wait in the queue: a 429's backoff without retry-after is already its rate-limited event.
    const queued = this.#queued;
    if (queued !== undefined && waitedMs > 0) this.#options.emit({ type: 'call-waited', ...this.#about(), ...queued, waitedMs });
    this.#queued = undefined;
  }

  onRetry({ attempt, waitMs, error }: { attempt: number; waitMs: number; error: FanoutError }): void {
    this.#stats.retries += 1;
    this.#stats.retryWaitMs += waitMs;
    this.#options.emit({ type: 'task-retry', ...this.#about(), attempt, waitMs, error: error.message });
    this.#waiting('retry', `retry ${attempt} in ${waitMs} ms: ${error.message}`);
  }

  onRateLimited({ waitMs, detail }: { waitMs: number; detail: string }): void {
    this.#options.emit({ type: 'rate-limited', ...this.#about(), provider: this.#options.model.provider, waitMs, detail });
  }

  onWindow(change: GateWindowChange): void {
    this.#options.emit({ type: 'rate-window', runId: this.#options.task.runId, at: this.#options.clock.now(), ...change });
  }

  /** Tells that the task waits; a rate limit again when it says something new (another window, a pause), other reasons once. */
  #waiting(reason: WaitReason, detail: string): void {
    const announced = (this.#announced ??= {});
    const before = announced[reason];
    if (before !== undefined && (before === detail || (reason !== 'rate-limit' && reason !== 'provider-cap'))) return;
    announced[reason] = detail;
    if (before === undefined) this.#options.onWait(reason);
    this.#options.emit({ type: 'task-waiting', ...this.#about(), reason, detail });
  }

  /** The fields that start every event about the task. */
  #about(): { runId: string; at: number; id: string; handle: string } {
    const { task, clock } = this.#options;
    return { runId: task.runId, at: clock.now(), id: task.taskId, handle: task.handle };
  }
}

/**
 * How a task whose agent returned `result` ends; `signal` is the task's,
 * which may have fired while the agent wrapped up. Built as one object,
 * field by field: it becomes the task's record patch (task-dispatch.ts).
 */
function outcomeOf(result: AgentResult, stats: TaskUsage, signal: AbortSignal): TaskOutcome {
  // `status` before the spread, not after: V8 adds a new property behind a spread of another object on a slow
  // path (Node 20: 4-7 us an outcome, against 0.3-0.7 us this way, in a micro-benchmark).
  const outcome: TaskOutcome = { status: 'succeeded', ...stats, turns: result.turns, inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens };
  // A final answer whose call crossed a cap stands: the cap only forbids the next call.
  if (result.status === 'succeeded' || result.text !== '') {
    outcome.output = result.json === undefined ? { text: result.text } : { text: result.text, json: result.json };
  }
  if (result.status === 'succeeded') return outcome;
  // A stop or time limit that fired while the agent was wrapping up still decides the status.
  const ending = signal.aborted ? abortedOrFailed(signal.reason) : { status: result.status, error: result.error ?? `agent ended with status ${result.status}` };
  outcome.status = ending.status;
  outcome.error = ending.error;
  return outcome;
}

/** Tokens left under the task's `maxTokens` (its meter's) and the run's. */
function tokenRoomOf(caps: UsageMeter, runUsage: RunUsage): () => number {
  const ofRun = runUsage.tokenRoom;
  return ofRun === undefined ? () => caps.tokenRoom() : () => Math.min(caps.tokenRoom(), ofRun());
}

/** Tools whose refusal is a refused write (`strictWrites`): a bash command may write anything. */
const CHANGING_TOOLS: ReadonlySet<string> = new Set(['write_file', 'edit_file', 'bash']);
/** Tools whose successful call wrote the path it names. */
const WRITING_TOOLS: ReadonlySet<string> = new Set(['write_file', 'edit_file']);
/** Most refused calls a task record keeps; a model that keeps retrying one refused write would fill the store. */
const MAX_REFUSED_KEPT = 100;

/** What a task changed and was refused, from its tool calls; made on the first such call (most tasks have none). */
class TaskActivity {
  #writes: Set<string> | undefined;
  #refused: RefusedCall[] | undefined;

  add(call: ToolCallInfo): void {
    if (call.ok && WRITING_TOOLS.has(call.tool) && call.detail !== undefined) (this.#writes ??= new Set()).add(call.detail);
    else if (call.refused === true && (this.#refused?.length ?? 0) < MAX_REFUSED_KEPT) (this.#refused ??= []).push({ tool: call.tool, detail: call.detail ?? 'refused' });
  }

  /** Sets the record's fields on `outcome`; left absent when empty. */
  recordIn(outcome: Pick<TaskRecord, 'writes' | 'refused'>): void {
    if (this.#writes !== undefined) outcome.writes = [...this.#writes];
    if (this.#refused !== undefined) outcome.refused = [...this.#refused];
  }
}

export function abortedOrFailed(reason: unknown): Pick<TaskOutcome, 'status' | 'error'> {
  const error = toFanoutError(reason);
  if (error.code === 'ABORTED') return { status: 'stopped', error: error.message };
  if (error.code === 'LIMIT_REACHED') return { status: 'limit', error: error.message };
  return { status: 'failed', error: error.message };
}

/** The disarm function of a task without a time limit: one for all of them. */
const NO_TIME_LIMIT = (): void => {};

/**
 * The time limits of the tasks running on each clock, watched by one sleep
 * to the nearest: an entry per task, not a timer, an AbortController and its
 * abort per task (5-10 us a task with a limit, at 2,000 tasks).
 */
const timeLimits = new WatchesPerClock();

/** Arms the task's time limit (its spec's, else `fallbackMs`) on the injected clock's monotonic reading; returns the disarm function. */
export function startTimeLimit(options: Pick<TaskRunOptions, 'task' | 'clock' | 'controller'>, fallbackMs?: number): () => void {
  const timeoutMs = options.task.spec.timeoutMs ?? fallbackMs;
  if (timeoutMs === undefined) return NO_TIME_LIMIT;
  const { clock, controller } = options;
  const at = clock.monotonic() + timeoutMs;
  const limit: Watched = {
    deadline: () => at,
    expire: () => controller.abort(new FanoutError('LIMIT_REACHED', timeoutReason('task', timeoutMs))),
  };
  const watch = timeLimits.of(clock);
  watch.add(limit);
  return () => watch.delete(limit);
}

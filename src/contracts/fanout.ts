import type { AgentDefinitionSource } from './agent-definitions.js';
import type { Clock } from './clock.js';
import type { FanoutEvent, StoredEvent } from './events.js';
import type { ModelResolver } from './model.js';
import type { Plan, ProviderLimits, TaskSpec, ExecutionDag, TodoMode } from './plan.js';
import type { Planner } from './planner.js';
import type { PriceLookup } from './pricing.js';
import type { RunRecord, RunStatus, SynthesisResult, TaskOutput, TaskRecord, TaskStatus, TodoItem } from './records.js';
import type { RunStore } from './run-store.js';
import type { MergeResult, WorktreeManager } from './workspace.js';
import type { RunReport } from './run-report.js';

/** What the engine is built from. A composition root (src/compose.ts) supplies the concrete parts. */
export interface FanoutOptions {
  store: RunStore;
  models: ModelResolver;
  /** Directory subagents are confined to. Default: process.cwd(). */
  cwd?: string;
  /**
   * The engine's time (a test's manual clock). A clock of your own has
   * three methods: `now()`, the wall clock, for every time stored or shown;
   * `monotonic()`, ms that never go back and ignore changes of the system
   * clock, for every time limit, wait and duration; and `sleep(ms, signal)`,
   * which must wake after `ms` of `monotonic()` time. One without
   * `monotonic()` (written before fanout had it) is refused with
   * `OPTION_INVALID`. Default: the system clock.
   */
  clock?: Clock;
  /**
   * Static caps per provider key, e.g. `{ anthropic: { rpm: 50, tpm: 40000 } }`,
   * never exceeded; a plan's `providers:` can only tighten them. Default:
   * none, so each endpoint's adaptive window alone paces its calls
   * (docs/models.md, "Rate limits").
   */
  providers?: Record<string, ProviderLimits>;
  /** Retries of a retryable model error that is not a rate limit before the task fails. Default 4. */
  maxRetries?: number;
  /**
   * A task's budget of time waiting for rate limits (429/529 pauses and
   * waits for its endpoint's capacity), over all its calls, in ms; a task
   * over it ends with status `limit`. Default 900000 (15 minutes).
   */
  rateLimitWaitMs?: number;
  /** Longest `retry-after` slept, in ms; a server asking more gets this, and the task's events say so. Default 300000. */
  maxRetryAfterMs?: number;
  /** How often a process polls the store for other processes' stop requests and outputs, ms. Default 200. */
  pollMs?: number;
  /**
   * How long the lease of a run executing in this process lasts, ms; it is
   * renewed every sixth of that. A run whose lease passed is interrupted
   * (its process was killed). Default 30000; `FANOUT_LEASE_MS` for the CLI.
   */
  leaseMs?: number;
  /** Model spec used where neither the task, the plan nor the spawn options name one. Default `sim`. */
  defaultModel?: string;
  /**
   * Prices used for cost estimates and `budgetUsd` caps (see
   * docs/plan-format.md, "Caps and prices"). Default: no price is known, so
   * costs are not estimated and a budget is refused at spawn.
   * `createDefaultFanout` passes the built-in table with the user's overrides.
   */
  pricing?: PriceLookup;
  /**
   * Where the agent definitions that tasks name (`agent:`) come from.
   * Default: none, so a task naming one is refused at spawn.
   * `createDefaultFanout` passes Claude Code's `.claude/agents/`.
   */
  agents?: AgentDefinitionSource;
  /**
   * What {@link Fanout.plan} turns a request into a plan with. Default:
   * none, so `plan` throws `OPTION_INVALID`. `createDefaultFanout` passes
   * fanout's planner.
   */
  planner?: Planner;
  /**
   * Absolute directories no subagent may write, whatever its write scope
   * (`.git` is always protected). The composition root passes the store's home.
   */
  protectedPaths?: readonly string[];
  /**
   * Git worktrees for tasks with `isolation: worktree` (the composition
   * root passes the one under `$FANOUT_HOME/worktrees`). Without it, no
   * task gets a worktree and `isolation: worktree` is refused.
   */
  workspaces?: WorktreeManager;
  /**
   * How commands of the `bash` tool run: `bwrap` (default) under
   * bubblewrap; `none` unsandboxed, only for an explicit `--no-sandbox`.
   */
  shellSandbox?: 'bwrap' | 'none';
  /**
   * Absolute paths every sandboxed command may read besides its working
   * directory, even under `/tmp`, which the sandbox otherwise replaces with
   * a private one: dependencies a worktree links to outside itself (the
   * demo's `node_modules`).
   */
  shellReadPaths?: readonly string[];
}

/** What a run is given when it starts: all that {@link Fanout.spawn} takes with a {@link CheckedRun}. */
export interface StartOptions {
  /** Stops the whole run when it fires. */
  signal?: AbortSignal;
  /**
   * Gets every event of this run, from its `run-start` (subscribed before
   * the first event is emitted) to its `run-end`. A listener that throws is
   * ignored, as {@link Fanout.on}'s are.
   */
  onEvent?: (event: FanoutEvent) => void;
  /**
   * Move the user's branch to the merged result when the run ends (tasks
   * in worktrees only). Uncommitted changes in the user's tree refuse the
   * spawn (`WORKSPACE_INVALID`, nothing recorded); changes made while the
   * run runs refuse the apply, the run's merge event saying why. Lives in
   * this process only.
   */
  apply?: boolean;
  /**
   * Give each conflicting file of the merge into `fanout/<run>` to a
   * resolver subagent (the model of the task whose branch conflicted), with
   * both versions, the base and both tasks' prompts; its answer is committed
   * only when it passes the checks (see {@link Fanout.merge}). Lives in this
   * process only.
   */
  resolve?: boolean;
}

/**
 * Per-spawn options; they override the plan's top-level fields. All but
 * those of {@link StartOptions} are fixed by {@link Fanout.check}: a
 * {@link CheckedRun} is spawned as it was checked.
 */
export interface SpawnOptions extends StartOptions {
  name?: string;
  concurrency?: number;
  /** Model spec used where neither the task nor the plan sets one. */
  model?: string;
  /** Force a model spec for every task and the synthesis (the CLI's `--model`). */
  modelOverride?: string;
  todoMode?: TodoMode;
  /** Reject conflicting tasks instead of serializing them, and a `files` glob that matches nothing instead of warning. */
  strict?: boolean;
  /** Most tokens of the whole run (the plan's `maxTokens`). */
  maxTokens?: number;
  /** Most estimated cost of the whole run, in US dollars (the plan's `budgetUsd`). */
  budgetUsd?: number;
  /** Limit of the whole run's elapsed time, in ms (the plan's `timeoutMs`). */
  timeoutMs?: number;
  /** A refused write or command fails its task (the plan's `strictWrites`; the CLI's `--strict-writes`). */
  strictWrites?: boolean;
  /** Static caps per provider key (the plan's `providers`; the tighter value wins where both set one). */
  providers?: Record<string, ProviderLimits>;
  /**
   * Where the plan came from, used to name it in error messages. Default:
   * the plan file's path when the plan is given as one, else `plan`.
   */
  source?: string;
  /**
   * Replaces the LLM synthesis: gets the succeeded tasks' outputs by task id
   * and returns the unified result (with an optional `## Disagreements`
   * section). Lives in this process only: `prepare` + `start` ignore it.
   */
  synthesize?: (outputs: Record<string, TaskOutput>) => Promise<string>;
}

/**
 * A plan given by the path of its file (YAML, or JSON when it ends in
 * `.json`; see `loadPlanFile`), or as a plan object or a bare task list.
 */
export type PlanInput = Plan | TaskSpec[] | string;

declare const checkedRunBrand: unique symbol;

/**
 * A run that passed every check of {@link Fanout.check}: its plan as it
 * will run, its DAG, and (held by the Fanout that made it, not readable)
 * its resolved models, agent definitions and spawn options. Spawning it
 * checks and reads nothing again, so what runs is what was checked. Only
 * the Fanout that checked it accepts it; no other value is one. Each spawn
 * of it is a new run.
 */
export interface CheckedRun {
  /**
   * The effective plan: the spawn options applied, each task's model and
   * agent settings filled in, as it is recorded. Frozen.
   */
  readonly plan: Plan;
  /** The execution DAG. Frozen. */
  readonly dag: ExecutionDag;
  /** Whether a model that answers in the run (a task's, or the synthesis's unless it is off) is the simulated one. */
  readonly simulated: boolean;
  /** Tokens and cost the run is expected to use, per task and in all, with its assumptions. Frozen. */
  readonly estimate: RunEstimate;
  /**
   * What is allowed but probably a mistake, one line each naming the plan
   * and field: a `files` glob that matches nothing (with `strict`, an error
   * instead). Frozen.
   */
  readonly warnings: readonly string[];
  readonly [checkedRunBrand]: true;
}

/** Expected usage of one model's calls (a task's, the synthesis's). */
export interface EstimatedUsage {
  /** The model spec. */
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** Estimated US dollars; absent when the model's price is unknown. */
  costUsd?: number;
}

/**
 * What a run is expected to use, estimated at check from its prompts (counted),
 * its turn and token caps (or defaults) and the price table: an order of
 * magnitude to decide on before spending, not a bound.
 */
export interface RunEstimate {
  tasks: Array<EstimatedUsage & { id: string; turns: number }>;
  /** Absent when the run has no LLM synthesis. */
  synthesis?: EstimatedUsage;
  /** The whole run, the run's `maxTokens` applied. */
  inputTokens: number;
  outputTokens: number;
  /** Absent when some model's price is unknown. */
  costUsd?: number;
  /** The assumptions, in one line. */
  assumptions: string;
}

/** One spawned task: its plan id and its globally unique handle. */
export interface TaskHandle {
  id: string;
  handle: string;
}

/** Returned at once by {@link Fanout.spawn}; tasks run in the background. */
export interface SpawnResult {
  runId: string;
  handles: TaskHandle[];
  dag: ExecutionDag;
}

/** Options of {@link Fanout.output}. */
export interface OutputOptions {
  /** Wait until the task is finished (default false: return the current state). */
  block?: boolean;
  /** Give up waiting after this many ms and return the current state. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What {@link Fanout.output} returns: the output when done, else the current status. */
export interface OutputResult {
  handle: string;
  runId: string;
  taskId: string;
  status: TaskStatus;
  /** True when the task reached a terminal status. */
  done: boolean;
  output?: TaskOutput;
  error?: string;
}

/** Everything {@link Fanout.run} and {@link Fanout.wait} return. */
export interface RunResult {
  runId: string;
  status: RunStatus;
  tasks: TaskRecord[];
  outputs: Record<string, TaskOutput>;
  synthesis?: SynthesisResult;
  report: RunReport;
}

/** What {@link Fanout.prune} did. */
export interface PruneResult {
  /** Runs deleted with everything recorded for them, oldest first. */
  pruned: string[];
  /** Runs old enough that were kept because they are live (their lease is valid). */
  live: string[];
}

/** What {@link Fanout.stop} did. */
export interface StopResult {
  /** The run the target belongs to (the target itself when it is a run id). */
  runId: string;
  /**
   * Tasks that had not finished when the stop was asked for: they end
   * `stopped` unless they finish first. 0 when `alreadyFinished`.
   */
  stopped: number;
  /** True when the run or task had already finished: nothing was stopped and no stop request was recorded. */
  alreadyFinished: boolean;
}

/** Options of {@link Fanout.events}. */
export interface EventsOptions {
  /** Only events with a greater seq (the seq of the last event already read). Default 0: from the first. */
  after?: number;
}

/** Options of {@link Fanout.followEvents}. */
export interface FollowEventsOptions extends EventsOptions {
  /** Ends the iteration with an `ABORTED` FanoutError when it fires. */
  signal?: AbortSignal;
}

/** What {@link Fanout.status} returns. */
export interface RunStatusView {
  run: RunRecord;
  tasks: TaskRecord[];
  todos: TodoItem[];
  report: RunReport;
}

/** The library's main object. Adapters (CLI, MCP, dashboard) only call this. */
export interface Fanout {
  /**
   * Checks the batch, records it, and starts every ready task in this tick.
   * Returns at once. Synchronous, so it does not reach out to the models'
   * endpoints: callers who want an unreachable endpoint reported before
   * anything is recorded call {@link Fanout.check} first and spawn the
   * {@link CheckedRun} it returns, which is not checked again.
   */
  spawn(run: CheckedRun, options?: StartOptions): SpawnResult;
  spawn(plan: PlanInput, options?: SpawnOptions): SpawnResult;
  /** Checks (unless given a {@link CheckedRun}) and records a run without starting it (see `start`): used by `--detach`. */
  prepare(run: CheckedRun): SpawnResult;
  prepare(plan: PlanInput, options?: Omit<SpawnOptions, keyof StartOptions>): SpawnResult;
  /**
   * Everything spawn checks (schema, independence, agents, models, budgets)
   * plus that the endpoint of every model the run would call is reachable
   * (`Model.preflight`) — without recording or starting anything. Resolves
   * with the {@link CheckedRun} that `spawn`, `prepare` and `run` take;
   * rejects with the one-line FanoutErrors spawn would throw, or the
   * preflight's `MODEL_CONFIG`. `signal` aborts the check; the run's own
   * signal and listener are given to `spawn`.
   */
  check(plan: PlanInput, options?: Omit<SpawnOptions, 'onEvent'>): Promise<CheckedRun>;
  /** Recent runs, most recent first. */
  runs(limit?: number): RunRecord[];
  /**
   * A run with its tasks, todo list and report: by run id, by a task handle,
   * or the latest run when `target` is omitted. A run whose executing process
   * died is recorded as interrupted (and its unfinished tasks as stopped)
   * before it is returned. Throws NOT_FOUND.
   */
  status(target?: string): RunStatusView;
  /** Executes a prepared run in this process. */
  start(runId: string, options?: StartOptions): void;
  /**
   * Continues an interrupted, stopped or failed run in this process, in
   * place (like `start`, it returns once the run is executing; `wait` for
   * its result): tasks that succeeded keep their output and are not run
   * again; every other task, including dependents a failure skipped, starts
   * anew; the synthesis runs if it is missing. Handles stay valid, the
   * report counts the time of every attempt (`report.resumed`), and a
   * prepared run never started is simply started. Throws `NOT_FOUND`, and
   * `OPTION_INVALID` for a run that is still live (its lease is valid:
   * another process executes it) or already succeeded.
   */
  resume(runId: string, options?: StartOptions): SpawnResult;
  /**
   * Merges the worktree branches of a run's succeeded tasks into
   * `fanout/<run>` again (after the user fixed a branch), without touching
   * the user's tree. With `resolve`, each conflicting file (a content
   * conflict) goes to a resolver subagent, one model call of the model of
   * the task whose branch conflicted; its answer is committed only when it
   * has no conflict markers and, for TypeScript, JavaScript and JSON files,
   * parses; else the conflict stays reported with `unresolved` saying why.
   * Throws `NOT_FOUND` (no such run, or it has no worktrees),
   * `OPTION_INVALID` while the run is executing, and `OPTION_INVALID` when
   * this Fanout has no worktrees.
   */
  merge(runId: string, options?: { resolve?: boolean; signal?: AbortSignal }): Promise<MergeResult>;
  /**
   * Throws what {@link Fanout.resume} would refuse the run with, changing
   * nothing: for adapters that resume in another process (`resume
   * --detach`, the MCP `resume` tool) and must say why here.
   */
  checkResume(runId: string): void;
  /**
   * Deletes the runs created more than `olderThanMs` ago, with their tasks,
   * events, outputs and todo items. A live run (its lease valid) is kept
   * and listed as such; one prepared and never started is not live. Worktrees and logs are the
   * caller's (`fanout prune` removes the logs; `fanout clean` the worktrees).
   * Throws `OPTION_INVALID` for a negative age.
   */
  prune(options: { olderThanMs: number }): PruneResult;
  /** A task's output, or its current status; blocks with `block: true`. Works for tasks of other processes. */
  output(handle: string, options?: OutputOptions): Promise<OutputResult>;
  /**
   * Stops a task (by handle) or every task of a run (by run id), in this or
   * another process. Resolves once stopped when this process executes it,
   * else once the stop request is recorded. A target that already finished
   * resolves with `alreadyFinished: true`. Throws NOT_FOUND.
   */
  stop(target: string): Promise<StopResult>;
  /** Waits for a run to finish (including synthesis) and returns its result. */
  wait(runId: string, options?: { signal?: AbortSignal }): Promise<RunResult>;
  /**
   * Turns a request into a validated plan with one planner model call (and one
   * repair attempt when the answer is not a valid plan). Runs nothing.
   */
  plan(request: string, options?: { model?: string; signal?: AbortSignal }): Promise<Plan>;
  /**
   * check + spawn + wait: the whole pattern in one call; nothing is
   * recorded when a check fails. A {@link CheckedRun} is not checked again.
   */
  run(run: CheckedRun, options?: StartOptions): Promise<RunResult>;
  run(plan: PlanInput, options?: SpawnOptions): Promise<RunResult>;
  /** The speedup report of a run (finished or not). */
  report(runId: string): RunReport;
  todos(runId: string): TodoItem[];
  /**
   * The stored events of a run (by run id) or of one task (by handle: the
   * events naming it), in order, each with its seq within the run. Reads the
   * store, so it sees runs of any process. Throws NOT_FOUND.
   */
  events(target: string, options?: EventsOptions): StoredEvent[];
  /**
   * The stored events of a run or task as they are recorded, by any process:
   * first those already stored, then new ones, polling the store every
   * `pollMs` on the injected clock, until the run (or the task) has ended
   * and its last event was yielded; rejects with `ABORTED` when the signal
   * fires. Throws NOT_FOUND at once for an unknown target.
   */
  followEvents(target: string, options?: FollowEventsOptions): AsyncIterable<StoredEvent>;
  /** Subscribes to events of every run of this process; returns an unsubscribe function. */
  on(listener: (event: FanoutEvent) => void): () => void;
  /**
   * Stops running tasks and releases models and the store. Optional for a
   * script that ends: nothing a Fanout holds while idle keeps the process alive.
   */
  close(): Promise<void>;
  /** {@link Fanout.close}, so `await using fanout = createDefaultFanout()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

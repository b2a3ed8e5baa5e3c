import type { Plan, TaskSpec, ExecutionDag, TodoMode } from '../plan/types.js';
import type { ModelResolver } from '../models/model.js';
import type { PriceTable } from '../models/pricing.js';
import type { RunStore } from '../store/run-store.js';
import type { Clock } from './clock.js';
import type {
  FanoutEvent,
  RunStatus,
  SynthesisResult,
  TaskOutput,
  TaskRecord,
  TaskStatus,
  TodoItem,
  WaitReason,
} from './types.js';

/** What the engine is built from. A composition root (src/compose.ts) supplies the concrete parts. */
export interface FanoutOptions {
  store: RunStore;
  models: ModelResolver;
  /** Directory subagents are confined to. Default: process.cwd(). */
  cwd?: string;
  /** Default: the system clock. */
  clock?: Clock;
  /** Most model calls in flight per provider key, e.g. `{ anthropic: 16 }`. Default: unbounded for `sim`, 16 otherwise. */
  providerConcurrency?: Record<string, number>;
  /** Retries of a retryable model error before the task fails. Default 4. */
  maxRetries?: number;
  /** How often a process polls the store for other processes' stop requests and outputs, ms. Default 200. */
  pollMs?: number;
  /** Model spec used where neither the task, the plan nor the spawn options name one. Default `sim`. */
  defaultModel?: string;
  /**
   * Prices used for cost estimates and `budgetUsd` caps. Default: the
   * built-in table (`createPriceTable()`); see docs/plan-format.md, "Caps and prices".
   */
  prices?: PriceTable;
  /** Home directory whose `.claude/agents/` holds user agent definitions. Default: os.homedir(). */
  agentsHome?: string;
}

/** Per-spawn options; they override the plan's top-level fields. */
export interface SpawnOptions {
  name?: string;
  concurrency?: number;
  /** Model spec used where neither the task nor the plan sets one. */
  model?: string;
  /** Force a model spec for every task and the synthesis (the CLI's `--model`). */
  modelOverride?: string;
  todoMode?: TodoMode;
  /** Reject conflicting tasks instead of serializing them. */
  strict?: boolean;
  /** Stops the whole run when it fires. */
  signal?: AbortSignal;
  /**
   * Replaces the LLM synthesis: gets the succeeded tasks' outputs by task id
   * and returns the unified result (with an optional `## Disagreements`
   * section). Lives in this process only: `prepare` + `start` ignore it.
   */
  synthesize?: (outputs: Record<string, TaskOutput>) => Promise<string>;
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

/** Timing of one task in a report. */
export interface TaskTiming {
  id: string;
  handle: string;
  status: TaskStatus;
  startedAt?: number;
  endedAt?: number;
  durationMs: number;
  turns: number;
  inputTokens: number;
  outputTokens: number;
  retries: number;
  retryWaitMs: number;
  /** Estimated cost in USD from the price table; undefined when the model's price is unknown. */
  costUsd?: number;
  /** ms between becoming ready and starting. */
  waitMs: number;
  waitReason?: WaitReason;
}

/** The speedup report of a run. */
export interface RunReport {
  runId: string;
  name: string;
  status: RunStatus;
  simulated: boolean;
  startedAt: number;
  endedAt: number;
  /** First task start to last task end (synthesis excluded). */
  wallMs: number;
  /** Sum of task durations: what running them one after another would take. */
  sequentialMs: number;
  /** Longest chain of the DAG weighted by measured durations. */
  criticalPathMs: number;
  criticalPath: string[];
  /** sequentialMs ÷ wallMs. */
  speedup: number;
  /** criticalPathMs ÷ wallMs: 1 means nothing but dependencies held the run back. */
  efficiency: number;
  tasks: TaskTiming[];
  /** Plain sentences saying where tasks that could have overlapped did not, and why. */
  diagnostics: string[];
  synthesisMs?: number;
  inputTokens: number;
  outputTokens: number;
  /** Estimated cost of tasks and synthesis in USD; undefined when any model's price is unknown. */
  costUsd?: number;
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

/** The library's main object. Adapters (CLI, MCP, dashboard) only call this. */
export interface Fanout {
  /** Checks the batch, records it, and starts every ready task in this tick. Returns at once. */
  spawn(plan: Plan | TaskSpec[], options?: SpawnOptions): SpawnResult;
  /** Checks and records a run without starting it (see `start`): used by `--detach`. */
  prepare(plan: Plan | TaskSpec[], options?: SpawnOptions): SpawnResult;
  /** Executes a prepared run in this process. */
  start(runId: string, options?: Pick<SpawnOptions, 'signal'>): void;
  /** A task's output, or its current status; blocks with `block: true`. Works for tasks of other processes. */
  output(handle: string, options?: OutputOptions): Promise<OutputResult>;
  /** Stops a task (by handle) or every task of a run (by run id), in this or another process. */
  stop(target: string): Promise<void>;
  /** Waits for a run to finish (including synthesis) and returns its result. */
  wait(runId: string, options?: { signal?: AbortSignal }): Promise<RunResult>;
  /**
   * Turns a request into a validated plan with one planner model call (and one
   * repair attempt when the answer is not a valid plan). Runs nothing.
   */
  plan(request: string, options?: { model?: string; signal?: AbortSignal }): Promise<Plan>;
  /** spawn + wait: the whole pattern in one call. */
  run(plan: Plan | TaskSpec[], options?: SpawnOptions): Promise<RunResult>;
  /** The speedup report of a run (finished or not). */
  report(runId: string): RunReport;
  todos(runId: string): TodoItem[];
  /** Subscribes to events of every run of this process; returns an unsubscribe function. */
  on(listener: (event: FanoutEvent) => void): () => void;
  /** Stops running tasks and releases models and the store. */
  close(): Promise<void>;
}

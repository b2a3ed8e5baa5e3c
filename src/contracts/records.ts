import type { Plan, TaskSpec, ExecutionDag } from './plan.js';

/**
 * Lifecycle of a task. `queued` → `running` → one terminal state.
 * `limit`: a cap (turns, time, tokens, budget) was reached; `skipped`: a
 * dependency did not succeed; `stopped`: cancelled by `stop()` or Ctrl-C.
 */
export type TaskStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'limit' | 'skipped' | 'stopped';

/** Status of a whole run. `interrupted`: its process died before it finished. */
export type RunStatus = 'running' | 'synthesizing' | 'succeeded' | 'failed' | 'stopped' | 'interrupted';

/** Why a ready task could not start at once, or why it waited. */
export type WaitReason = 'dependency' | 'conflict' | 'concurrency' | 'provider-cap' | 'rate-limit' | 'retry' | 'sequential';

/** A task as stored: its spec plus what happened to it. */
export interface TaskRecord {
  handle: string;
  runId: string;
  /** Position in the plan, from 0. */
  index: number;
  taskId: string;
  spec: TaskSpec;
  status: TaskStatus;
  /** ms since epoch. */
  queuedAt: number;
  /** When all its predecessors had finished (it could start from then on). */
  readyAt?: number;
  startedAt?: number;
  endedAt?: number;
  turns: number;
  inputTokens: number;
  outputTokens: number;
  /** Number of model-call retries, and total ms spent waiting on them. */
  retries: number;
  retryWaitMs: number;
  /**
   * ms its model calls waited for their endpoints' rate limits: 429/529
   * pauses, the adaptive window, the limits the answers stated and the
   * static caps. Spent from its wait budget, not its retries. Absent: none.
   */
  rateLimitWaitMs?: number;
  /** Estimated cost in USD so far; undefined when the model's price is unknown. */
  costUsd?: number;
  /** What held it back between readyAt and startedAt, if anything. */
  waitReason?: WaitReason;
  /** One line: why it failed, was skipped, stopped or hit a limit. */
  error?: string;
  /** Files the task wrote or edited (write_file, edit_file), as the model named them, each once. Absent: none. */
  writes?: string[];
  /** Tool calls the sandbox refused (writes outside the task's scope, denied commands), in order. Absent: none. */
  refused?: RefusedCall[];
}

/**
 * A task's status, timing and counters: what execution updates as it runs
 * (`RunStore.updateTask`) and what a report reads back (`TaskTiming`).
 */
export type TaskCounterKey =
  | 'status'
  | 'startedAt'
  | 'endedAt'
  | 'turns'
  | 'inputTokens'
  | 'outputTokens'
  | 'retries'
  | 'retryWaitMs'
  | 'rateLimitWaitMs'
  | 'costUsd'
  | 'waitReason';

/** A tool call the sandbox refused. */
export interface RefusedCall {
  /** `write_file`, `edit_file`, `bash`, `read_file`, ... */
  tool: string;
  /** The refusal, one line naming the path: `write to src/x.ts refused: outside this task's write scope (...)`. */
  detail: string;
}

/** A task's final answer. Stored whole (capped, see `truncated`). */
export interface TaskOutput {
  handle: string;
  /** The final assistant message. */
  text: string;
  /** Parsed JSON when the task's outputFormat is a JSON Schema and it validated. */
  json?: unknown;
  /** True when `text` was cut to the store's cap. */
  truncated: boolean;
}

/**
 * A run as stored: its effective plan and DAG, its status and timing, and
 * its synthesis once done. Its tasks are {@link TaskRecord}s, stored apart.
 */
export interface RunRecord {
  runId: string;
  name: string;
  plan: Plan;
  dag: ExecutionDag;
  status: RunStatus;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  /** Working directory the subagents are confined to. */
  cwd: string;
  /** Process currently executing the run (for `status` and cross-process stop). */
  pid?: number;
  /**
   * Until when (ms epoch) the run is known to be alive: the process executing
   * it renews this every few seconds. An active run whose lease has passed
   * is interrupted (its process was killed or crashed), whatever its pid
   * looks like from here. Absent for a run not started yet.
   */
  leaseUntil?: number;
  /** The earlier attempts of a resumed run, oldest first; absent for a run never resumed. */
  attempts?: RunAttempt[];
  /** Synthesis result, when done. */
  synthesis?: SynthesisResult;
  error?: string;
  /**
   * The agent definitions the run's tasks use, by name, as resolved at
   * spawn: a process that starts the run later runs the same prompts.
   */
  agents?: Record<string, ResolvedAgent>;
  /** The run cap that ended the run (one line, e.g. `run maxTokens 20000 reached (20,512 tokens used)`). */
  limit?: string;
}

/** One earlier execution of a run that was resumed after it. */
export interface RunAttempt {
  startedAt: number;
  endedAt: number;
  /** How that attempt ended (`interrupted`, `stopped`, `failed`). */
  status: RunStatus;
  error?: string;
}

/** An agent definition (`.claude/agents/<name>.md`) as a run uses it. */
export interface ResolvedAgent {
  name: string;
  /** Absolute path of the file it was read from. */
  source: string;
  /** Takes the place of the role sentence of the task's system prompt. */
  systemPrompt: string;
  /** Tools the agent may use (fanout's names); absent: every tool. */
  tools?: string[];
  /** Model spec used by tasks that set no `model`. */
  model?: string;
  /** `maxTurns` of tasks that set none. */
  maxTurns?: number;
}

/** The unified result the synthesis step made of the tasks' outputs, with its cost. */
export interface SynthesisResult {
  text: string;
  /** True when `text` was cut to the store's output cap. */
  truncated?: boolean;
  /** Disagreements between task outputs, one line each. */
  disagreements: string[];
  inputTokens: number;
  outputTokens: number;
  /** Estimated cost of the synthesis call in USD (0 for a custom synthesizer); undefined when the model's price is unknown. */
  costUsd?: number;
  durationMs: number;
}

/** Status of a todo item: the status of its task (or of the synthesis) in a todo list's words. */
export type TodoStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'skipped' | 'stopped';

/** Id of the last todo item of every run, the synthesis's. */
export const SYNTHESIS_TODO_ID = 'synthesis';

/** One line of the todo list. The last one of a run is "Synthesize results". */
export interface TodoItem {
  /** Task id, or `synthesis`. */
  id: string;
  content: string;
  status: TodoStatus;
  /** Task handle (absent for the synthesis item). */
  handle?: string;
}

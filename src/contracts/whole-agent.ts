/**
 * The whole-agent contract: a provider that runs a whole agent for a task
 * (Claude Code, Codex, a script), not one model call at a time. The engine
 * hands it the task and gets back the final answer; the agent's own loop,
 * tools and permissions do the rest. Types only — the concrete agents live
 * in `models/whole-agent/` and the engine never imports one.
 */
import type { Model, ProviderOptions, Usage } from './model.js';

/** What the agent reports while it works; the engine turns each into a fanout event. */
export type WholeAgentEvent =
  /** One model call (turn) of the agent, with the tokens it used when the agent reports them. */
  | { type: 'turn'; turn: number; inputTokens: number; outputTokens: number; durationMs: number }
  /** One tool call of the agent, and whether it succeeded (a refused permission is not ok). */
  | { type: 'tool-call'; tool: string; ok: boolean; detail?: string };

/** One task, as a whole agent receives it. */
export interface WholeAgentTask {
  /** The task's prompt: the agent's first message. */
  prompt: string;
  /**
   * fanout's role prompt (role, task, context, files, output format, focus,
   * write scope); appended to the agent's own system prompt where it has one.
   */
  system: string;
  /** Where the agent works: the task's worktree, or the run's working directory. */
  cwd: string;
  /**
   * fanout tool names the task allows (`read_file`, `write_file`,
   * `edit_file`, `list_files`, `grep`, `bash`); undefined: the file tools.
   * Agents with permission settings map them to their own tools.
   */
  tools: readonly string[] | undefined;
  /** Globs (relative to `cwd`) the agent may write; empty: read-only. */
  writes: readonly string[];
  /** Most model calls, where the agent can be told. */
  maxTurns: number;
  /** Options for particular providers, each read by its own provider only (a `command` agent's template). */
  providerOptions?: ProviderOptions;
  /** A stop or the task's time limit: the agent and every process it started are killed. */
  signal: AbortSignal;
  /** Called for each turn and tool call as they happen. */
  onEvent: (event: WholeAgentEvent) => void;
}

/** How the agent ended, when it produced an answer. */
export interface WholeAgentResult {
  /** The final answer, the task's output. */
  text: string;
  /** Model calls the agent made (0 when it does not say). */
  turns: number;
  /** Total tokens, as the agent reports them at the end (0 when it does not say). */
  usage: Usage;
  /** Total cost in US dollars, when the agent reports it. */
  costUsd?: number;
}

/**
 * A whole agent, resolved from a model spec like any model (`claude-code`,
 * `command`) so plans name it the same way. It is a {@link Model} only so
 * that resolving and preflight stay one path: its `generate` refuses (it
 * cannot answer a single call: no synthesis, no planner), and the engine
 * runs tasks of it through {@link WholeAgent.runTask} instead of its agent
 * loop. `runTask` throws FanoutError `ABORTED` or `LIMIT_REACHED` (the
 * signal's reason) when stopped, `MODEL_ERROR` when the agent fails (a
 * non-zero exit, an error result), `MODEL_CONFIG` when it cannot start.
 */
export interface WholeAgent extends Model {
  readonly kind: 'whole-agent';
  /**
   * Whether the agent reports its cost for a task with these provider
   * options, so a `budgetUsd` on the task can be enforced without a price.
   */
  reportsCost(options: ProviderOptions | undefined): boolean;
  runTask(task: WholeAgentTask): Promise<WholeAgentResult>;
  /**
   * What is wrong with a task for this agent, checked before a run records
   * anything (a missing `command` template, a program not found): a line
   * naming the field, or undefined. `options` are the task's provider
   * options; `cwd` the run's working directory.
   */
  checkTask?(options: ProviderOptions | undefined, cwd: string): string | undefined;
}

/** The provider key (and spec) of a CLI agent run from a task's `command` template; the template travels under it in `providerOptions`. */
export const COMMAND_PROVIDER = 'command';

/** Whether a resolved model is a whole agent, whose tasks the engine hands over whole. */
export function isWholeAgent(model: Model): model is WholeAgent {
  return (model as Partial<WholeAgent>).kind === 'whole-agent';
}

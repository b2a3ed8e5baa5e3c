import type { SimOptions } from './sim-options.js';

/** A JSON Schema object (draft 2020-12 or 07), as given in a plan. */
export type JsonSchema = Record<string, unknown>;

/** One task of a plan: what a subagent is asked to do. See docs/plan-format.md. */
export interface TaskSpec {
  /** Unique within the plan: letters, digits, `-`, `_`, `.`. */
  id: string;
  /** Short label shown in progress and on the todo list. Default: the id. */
  description?: string;
  /** The ROLE of the role prompt ("You are a [ROLE] specialist ..."). */
  role?: string;
  /** The task itself. */
  prompt: string;
  /** Relevant context about the codebase or project. */
  context?: string;
  /** Globs the task reads (relative to the working directory). */
  files?: string[];
  /** Globs the task may write; empty or absent means read-only. */
  writes?: string[];
  /** Text instructions, or a JSON Schema the final output must validate against. */
  outputFormat?: string | JsonSchema;
  /** Focus areas, highest priority first. */
  focus?: string[];
  /** Ids of tasks that must succeed before this one starts. */
  dependsOn?: string[];
  /** Model spec overriding the plan's (`sim`, `anthropic:<model-id>`). */
  model?: string;
  /** Limit of this task's elapsed time, in ms, on the clock's monotonic reading: when it fires the task stops with status `limit`. */
  timeoutMs?: number;
  /**
   * Most time one of this task's tool calls may take, in ms (default 30,000);
   * past it the call is stopped and the model gets a tool error. bash
   * commands are bounded by their shell's own time limit.
   */
  toolTimeoutMs?: number;
  /** Most model calls of this task's agent loop. Default: its agent definition's, else 20. */
  maxTurns?: number;
  /** Options honoured by the simulated model only. */
  sim?: SimOptions;
  /**
   * Name of an agent definition in Claude Code's format (`.claude/agents/*.md`,
   * see docs/agents.md) whose system prompt, tools, model and maxTurns the task uses.
   */
  agent?: string;
  /**
   * Most tokens of this task: input + output, summed over its model calls.
   * Checked after each call; the task then stops with status `limit`.
   */
  maxTokens?: number;
  /**
   * Most estimated cost of this task's model calls, in US dollars (from the
   * price table). Checked after each call; the task then stops with status
   * `limit`. Its model needs a known price.
   */
  budgetUsd?: number;
  /**
   * The tools offered to the subagent, by name (`read_file`, `write_file`,
   * `edit_file`, `list_files`, `grep`, `bash`). Absent: the file tools, plus
   * `bash` when `shell` is set. Naming `bash` gives the task a shell.
   */
  tools?: string[];
  /** The task's sandboxed shell (the `bash` tool): the hosts it may reach and its time limit per command. */
  shell?: ShellSpec;
  /** `worktree`: the task runs in its own git worktree and branch (see {@link Isolation}). Default: the plan's. */
  isolation?: Isolation;
  /** The CLI agent a task of `model: command` runs (see docs/agents.md); only that model reads it. */
  command?: CommandTemplate;
}

/**
 * A CLI agent as a subagent (`model: command`): a program run once per task
 * in the task's directory. In `run`, `{prompt}` becomes the task prompt,
 * `{system}` the role prompt and `{outputFile}` a file fanout reads the
 * answer from afterwards. Without `{prompt}` the prompt (after the role
 * prompt, unless `{system}` is used) is written to the program's stdin;
 * without `{outputFile}` the answer is its stdout.
 */
export interface CommandTemplate {
  /** The program and its arguments, one list entry each (no shell). */
  run: string[];
  /**
   * Dotted field path of the answer in the output read as JSON (`result`,
   * `choices.0.message.content`); for JSON Lines, the last line holding the
   * path counts. Absent: the whole output, trimmed, is the answer.
   */
  result?: string;
  /** Dotted field paths, in the same JSON, of the usage the agent reports: what caps and the report count. */
  usage?: { inputTokens?: string; outputTokens?: string; costUsd?: string };
}

/** A host name a task may name in `shell.network`: letters, digits, `-`, dots, an optional leading `*.`. */
export const HOST_NAME_PATTERN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** A task's shell settings. */
export interface ShellSpec {
  /**
   * Host names commands may reach, on any port, through fanout's allow-list
   * proxy: exact names (`localhost` is the host's); `*.example.com` allows
   * its subdomains, not `example.com` itself. Absent or empty: no network.
   */
  network?: string[];
  /** Most time one command may take, ms. Default 120,000. */
  timeoutMs?: number;
}

/**
 * Where a task's writes go. `worktree`: its own git worktree on branch
 * `fanout-tasks/<run>/<task>`, merged into `fanout/<run>` when the run ends.
 * `none`: straight into the working directory. Default: `worktree` for tasks
 * that write or have a shell when the working directory is in a git
 * repository, else `none`.
 */
export type Isolation = 'worktree' | 'none';

/** How the todo list treats in-progress items. */
export type TodoMode = 'parallel' | 'sequential';

/** A whole plan, as loaded from YAML/JSON and validated. */
export interface Plan {
  name?: string;
  /** Most tasks running at once. Default 8. */
  concurrency?: number;
  /** Default model spec for tasks and synthesis. */
  model?: string;
  /** `parallel` (default): many items in progress; `sequential`: one at a time. */
  todoMode?: TodoMode;
  /** Synthesis instructions, or `false` to skip synthesis. Default: a generic merge. */
  synthesis?: string | false;
  /*
   * Caps of the WHOLE RUN (the task fields of the same names cap one task).
   * When one is reached, running tasks stop with status `limit`, tasks not
   * started are skipped, the synthesis is skipped and the run fails.
   * See docs/plan-format.md, "Caps and prices".
   */
  /** Most tokens of the run: input + output of every model call, the synthesis included. */
  maxTokens?: number;
  /** Most estimated cost of the run in US dollars, the synthesis included. Every model needs a known price. */
  budgetUsd?: number;
  /** Limit of the run's elapsed time, in ms, from its start, on the clock's monotonic reading. */
  timeoutMs?: number;
  /** Most model calls of the run, over all tasks and the synthesis. */
  maxTurns?: number;
  /** Default isolation of the plan's tasks (see {@link Isolation}). */
  isolation?: Isolation;
  /** True: a write or command the sandbox refuses fails its task at once (the error names the path). Default false: the refusal is recorded and the model told. */
  strictWrites?: boolean;
  /**
   * Static rate-limit caps per provider key (`anthropic`, `openai`, `sim`),
   * for users who know their tier; fanout never exceeds them. Without
   * them, each endpoint's adaptive window alone paces the calls.
   */
  providers?: Record<string, ProviderLimits>;
  tasks: TaskSpec[];
}

/** Each provider's caps of `a` and `b` together, the tighter value where both set one. */
export function tighterLimits(
  a: Readonly<Record<string, ProviderLimits>> | undefined,
  b: Readonly<Record<string, ProviderLimits>> | undefined,
): Record<string, ProviderLimits> {
  const merged: Record<string, ProviderLimits> = { ...a };
  for (const [provider, limits] of Object.entries(b ?? {})) {
    const into: ProviderLimits = { ...merged[provider] };
    for (const key of ['maxConcurrent', 'rpm', 'tpm'] as const) {
      const value = limits[key];
      if (value !== undefined) into[key] = Math.min(value, into[key] ?? Number.POSITIVE_INFINITY);
    }
    merged[provider] = into;
  }
  return merged;
}

/**
 * Caps of one provider's calls, applied to each of its endpoints (base URL
 * and key) and never exceeded; the tighter value wins where a plan, a flag
 * and the library all set one.
 */
export interface ProviderLimits {
  /** Most calls in flight at once. */
  maxConcurrent?: number;
  /** Most calls started in any 60 seconds. */
  rpm?: number;
  /**
   * Most tokens (input + output, as the answers report them) in any 60
   * seconds; calls in flight count at the endpoint's average tokens per call.
   */
  tpm?: number;
}

/** Why one task must wait for another. */
export type EdgeKind = 'dependency' | 'conflict';

/** An edge of the execution DAG: `to` starts only after `from` has finished. */
export interface DagEdge {
  from: string;
  to: string;
  kind: EdgeKind;
  /** For conflict edges: the glob pair that overlaps, e.g. `src/a/** ~ src/a/x.ts`. */
  reason?: string;
}

/** Two tasks whose scopes overlap. */
export interface Conflict {
  /** The earlier task in plan order. */
  first: string;
  /** The later task, which waits for `first` unless strict mode rejects the plan. */
  second: string;
  /** `write-write` (both may write a path) or `write-read` (one writes what the other reads). */
  kind: 'write-write' | 'write-read';
  /** The overlapping glob of `first`. */
  firstGlob: string;
  /** The overlapping glob of `second`. */
  secondGlob: string;
  /**
   * The repository file both globs reach when the globs themselves cannot
   * match one path: one reaches it through a symbolic link.
   */
  file?: string;
  /** False when an explicit dependency already orders the two tasks. */
  serialized: boolean;
}

/** Result of the independence check: the plan is valid, this is how it will run. */
export interface ExecutionDag {
  /** Task ids in plan order. */
  tasks: string[];
  /** All edges: declared dependencies plus added conflict edges. */
  edges: DagEdge[];
  conflicts: Conflict[];
  /** Task ids in a topological order (plan order among independent tasks). */
  order: string[];
  /** Longest chain of tasks (by count), first to last. */
  criticalPath: string[];
  /** Groups of tasks that can run at the same time if nothing else limits them (by depth). */
  levels: string[][];
}

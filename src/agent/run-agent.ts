import { type Clock, systemClock } from '../contracts/clock.js';
import { FanoutError } from '../contracts/errors.js';
import type {
  ContentBlock,
  Message,
  ModelRequest,
  ModelResponse,
  ProviderOptions,
  ToolResultBlock,
  ToolSpec,
  ToolUseBlock,
  Usage,
} from '../contracts/model.js';
import type { JsonSchema } from '../contracts/plan.js';
import { AbortRace } from './abort-race.js';
import { compileOutputCheck, repairRequest } from './output-format.js';
import { createSandbox, type SandboxRoot } from './sandbox.js';
import type { ShellPolicy } from './shell/shell-policy.js';
import {
  agentToolSpecs,
  agentTools,
  bashTool,
  executeToolCalls,
  type AgentTool,
  type ToolCallInfo,
  type ToolExecution,
} from './tools/index.js';

/** Default upper bound of output tokens per model call. */
export const DEFAULT_MAX_TOKENS_PER_CALL = 4096;

/** What one subagent runs with. */
export interface AgentOptions {
  /** Rendered role prompt. */
  system: string;
  /** First user message. */
  prompt: string;
  /** Calls the model; the engine wraps it with retries and caps, errors it throws propagate. */
  call: (request: ModelRequest) => Promise<ModelResponse>;
  /**
   * Working directory; every tool is confined to it. A run passes the
   * {@link SandboxRoot} it shares among its tasks (its real location is
   * resolved once per run).
   */
  cwd: string | SandboxRoot;
  /** Globs (relative to cwd) the agent may write; `[]` means read-only. */
  writes: string[];
  /**
   * Absolute directories the agent may never write into, whatever `writes`
   * allows (fanout's store, when it lives in the workspace). `.git` is
   * always refused and needs no entry.
   */
  protectedPaths?: readonly string[];
  /** Most model calls, including the one JSON repair attempt. */
  maxTurns: number;
  /** @default 4096 */
  maxTokensPerCall?: number;
  /**
   * Names of the tools offered to the model (see {@link agentTools}); absent:
   * every tool. A call to a tool not offered fails like an unknown tool.
   */
  tools?: readonly string[];
  /**
   * The task's shell: when set, the `bash` tool is offered too (unless
   * `tools` leaves it out) and runs commands under this policy.
   */
  shell?: ShellPolicy;
  /**
   * Most tokens the next model call may use under the caller's token caps;
   * the call asks for the smaller of this and `maxTokensPerCall`.
   */
  tokenRoom?: () => number;
  /**
   * Consulted after each model call whose answer needs another call (tool
   * calls pending, or a JSON repair): a reason to stop instead (a cap the
   * caller keeps, such as tokens or cost) ends the run with status `limit`.
   */
  checkLimit?: () => string | undefined;
  /** When set, the final text must be JSON valid against it. */
  outputSchema?: JsonSchema;
  /** Passed through to every ModelRequest unchanged (e.g. a task's `sim` options, under `sim`). */
  providerOptions?: ProviderOptions;
  /** Aborting rejects the run at once with the signal's reason (when a FanoutError) or an `ABORTED` FanoutError. */
  signal: AbortSignal;
  /** Called after each model call; `turn` counts from 1. */
  onModelCall?: (info: ModelCallInfo) => void;
  /** Called after each tool call. */
  onToolCall?: (info: ToolCallInfo) => void;
  /**
   * Most time one tool call may take, ms; past it the model gets a tool
   * error. bash calls are bounded by their shell's own limit instead.
   * @default 30000
   */
  toolTimeLimitMs?: number;
  /** Measures `durationMs`. @default systemClock */
  clock?: Clock;
}

/** What {@link runAgent} reports about each model call. */
export interface ModelCallInfo {
  /** Counts from 1. */
  turn: number;
  inputTokens: number;
  outputTokens: number;
  durationMs: number;
}

/** How a subagent ended. */
export interface AgentResult {
  /**
   * `limit`: maxTurns reached, or `checkLimit` gave a reason, before a final
   * answer; `failed`: the output did not match its schema.
   */
  status: 'succeeded' | 'limit' | 'failed';
  /** The last assistant message's text blocks, concatenated. */
  text: string;
  /** The parsed output, when `outputSchema` is set and it validated. */
  json?: unknown;
  /** Model calls made. */
  turns: number;
  /** Summed over all model calls. */
  usage: Usage;
  /** One line, when not succeeded. */
  error?: string;
}

/**
 * Runs one subagent: calls the model, executes the tools it asks for inside
 * the sandbox of `cwd` and `writes`, feeds the results back, and returns when
 * the model answers without tool calls or `maxTurns` is reached.
 */
export async function runAgent(options: AgentOptions): Promise<AgentResult> {
  // The loop only awaits; each turn's work is in AgentRun's synchronous methods. V8 optimizes a hot async function
  // with all it inlines, and an await saves and restores every register: with the turn's work in the loop, optimizing
  // it was ~20% of the agent's instructions over 1,000 cold two-turn tasks (callgrind, see docs/benchmarks.md).
  const run = new AgentRun(options);
  try {
    for (;;) {
      const ended = run.answered(await run.callModel());
      if (ended !== undefined) return ended;
      if (run.toolCalls.length > 0) {
        const results = run.runToolCalls();
        run.addToolResults(Array.isArray(results) ? results : await results);
      }
    }
  } finally {
    run.release();
  }
}

/**
 * One subagent's conversation: the state of {@link runAgent}'s loop and each
 * turn's work. Plain (TypeScript-private) fields, not `#` ones: code that is
 * not optimized yet, as most of a run's is, reads them faster.
 */
class AgentRun {
  /** The tool calls of the last answer, to run before the next model call; empty when there are none. */
  toolCalls: readonly ToolUseBlock[] = [];
  private readonly options: AgentOptions;
  private readonly output: { schema: JsonSchema; check: ReturnType<typeof compileOutputCheck> } | undefined;
  private readonly toolSpecs: readonly ToolSpec[];
  private readonly maxTokensPerCall: number;
  private readonly clock: Clock;
  private readonly execution: ToolExecution;
  private readonly messages: Message[];
  private readonly usage: Usage = { inputTokens: 0, outputTokens: 0 };
  private readonly abortable: AbortRace;
  private turns = 0;
  private repairAsked = false;
  /** When the current model call started, and the most output tokens it asked for. */
  private started = 0;
  private maxTokens = 0;

  constructor(options: AgentOptions) {
    const { maxTurns } = options;
    if (!Number.isInteger(maxTurns) || maxTurns < 1) {
      throw new FanoutError('OPTION_INVALID', `maxTurns must be an integer >= 1, got ${String(maxTurns)}`);
    }
    this.options = options;
    const schema = options.outputSchema;
    this.output = schema === undefined ? undefined : { schema, check: compileOutputCheck(schema) };
    const tools = offeredTools(options.tools, options.shell !== undefined);
    this.toolSpecs = tools === agentTools ? agentToolSpecs : tools.map((tool) => tool.spec);
    this.maxTokensPerCall = options.maxTokensPerCall ?? DEFAULT_MAX_TOKENS_PER_CALL;
    this.clock = options.clock ?? systemClock;
    // One context for every turn's tool calls: nothing in it changes during the run.
    this.execution = {
      tools,
      sandbox: createSandbox({ cwd: options.cwd, writes: options.writes, protectedPaths: options.protectedPaths }),
      signal: options.signal,
      shell: options.shell,
      onToolCall: options.onToolCall,
      timeLimitMs: options.toolTimeLimitMs,
      clock: this.clock,
    };
    this.messages = [{ role: 'user', content: [{ type: 'text', text: options.prompt }] }];
    this.abortable = new AbortRace(options.signal);
  }

  /** Makes the next model call, raced against the signal. */
  callModel(): Promise<ModelResponse> {
    const options = this.options;
    this.abortable.throwIfAborted();
    this.started = this.clock.monotonic();
    const maxTokens = options.tokenRoom === undefined ? this.maxTokensPerCall : Math.min(this.maxTokensPerCall, options.tokenRoom());
    this.maxTokens = maxTokens;
    return this.abortable.race(
      options.call({
        system: options.system,
        messages: [...this.messages],
        tools: [...this.toolSpecs],
        maxTokens,
        signal: options.signal,
        providerOptions: options.providerOptions,
      }),
    );
  }

  /**
   * Takes a model answer: the run's result when the run ends on it;
   * otherwise undefined, with {@link toolCalls} to run or a JSON repair
   * request appended for the next call.
   */
  answered(response: ModelResponse): AgentResult | undefined {
    const options = this.options;
    const turns = ++this.turns;
    this.usage.inputTokens += response.usage.inputTokens;
    this.usage.outputTokens += response.usage.outputTokens;
    options.onModelCall?.({ turn: turns, inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens, durationMs: this.clock.monotonic() - this.started });
    if (response.content.length > 0) this.messages.push({ role: 'assistant', content: response.content });

    const calls = response.content.filter((block): block is ToolUseBlock => block.type === 'tool_use');
    this.toolCalls = calls;
    if (calls.length > 0) {
      if (turns >= options.maxTurns) return this.end(response, 'limit', `maxTurns ${options.maxTurns} reached (${turns} model calls) before a final answer`);
      const capped = options.checkLimit?.();
      if (capped !== undefined) return this.end(response, 'limit', capped);
      // An abort from onModelCall (a run cap this call reached) must not let these tool calls run.
      this.abortable.throwIfAborted();
      return undefined;
    }

    // An answer the model stopped at max_tokens is cut short, not a finished output.
    if (response.stopReason === 'max_tokens') {
      const cut = `the answer was cut short at ${this.maxTokens} output tokens (max_tokens)`;
      if (this.maxTokens < this.maxTokensPerCall) return this.end(response, 'limit', `${options.checkLimit?.() ?? 'the token cap left no more room'}: ${cut}`);
      return this.end(response, 'failed', `${cut}, the most one model call may write`);
    }
    const output = this.output;
    if (output === undefined) return this.end(response, 'succeeded');
    const checked = output.check(textOf(response));
    if (checked.ok) return { ...this.end(response, 'succeeded'), json: checked.value };
    const errors = checked.errors.join('; ');
    if (this.repairAsked) return this.end(response, 'failed', `output does not match its JSON Schema after one repair attempt: ${errors}`);
    if (turns >= options.maxTurns) {
      return this.end(response, 'failed', `output does not match its JSON Schema and maxTurns (${options.maxTurns}) leaves no turn to repair it: ${errors}`);
    }
    const capped = options.checkLimit?.();
    if (capped !== undefined) return this.end(response, 'limit', `${capped} before the output could be repaired: ${errors}`);
    this.repairAsked = true;
    appendUserContent(this.messages, [{ type: 'text', text: repairRequest(checked.errors, output.schema) }]);
    return undefined;
  }

  /**
   * Runs {@link toolCalls}, raced against the signal: a stop or timeout ends the task at once, whatever its tools are
   * doing. Results its tools gave synchronously come back as they are: no signal can fire meanwhile.
   */
  runToolCalls(): ToolResultBlock[] | Promise<ToolResultBlock[]> {
    const results = executeToolCalls(this.toolCalls, this.execution);
    return Array.isArray(results) ? results : this.abortable.race(results);
  }

  /** Feeds the tool results back for the next model call. */
  addToolResults(results: ToolResultBlock[]): void {
    this.abortable.throwIfAborted();
    appendUserContent(this.messages, results);
  }

  release(): void {
    this.abortable.release();
  }

  /** The result of a run that ends on `response`; its text is read only here, not on every turn of tool calls. */
  private end(response: ModelResponse, status: AgentResult['status'], error?: string): AgentResult {
    const text = textOf(response);
    const turns = this.turns;
    const usage = this.usage;
    return error === undefined ? { status, text, turns, usage } : { status, text, turns, usage, error };
  }
}

/**
 * The tools named in `names` (all of them when absent), `bash` among them
 * only with a shell; an unknown name is a caller's mistake.
 */
function offeredTools(names: readonly string[] | undefined, shell: boolean): readonly AgentTool[] {
  const available = shell ? [...agentTools, bashTool] : agentTools;
  if (names === undefined) return available;
  const known = available.map((tool) => tool.spec.name);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const why = unknown.includes('bash') && !shell ? ' (bash needs a shell policy)' : '';
    throw new FanoutError('OPTION_INVALID', `unknown tool ${unknown.map((name) => `"${name}"`).join(', ')}${why} (expected ${known.join(', ')})`);
  }
  return available.filter((tool) => names.includes(tool.spec.name));
}

function textOf(response: ModelResponse): string {
  return response.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

/**
 * Appends a user turn, merging into the last message when that is a user turn
 * too (after an empty assistant answer), because providers want roles to alternate.
 */
function appendUserContent(messages: Message[], content: ContentBlock[]): void {
  const last = messages.at(-1);
  if (last?.role === 'user') messages[messages.length - 1] = { role: 'user', content: [...last.content, ...content] };
  else messages.push({ role: 'user', content });
}

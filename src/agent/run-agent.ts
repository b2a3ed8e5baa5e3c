import { type Clock, systemClock } from '../contracts/clock.js';
import { FanoutError } from '../contracts/errors.js';
import type {
  ContentBlock,
  Message,
  ModelRequest,
  ModelResponse,
  ProviderOptions,
  ToolUseBlock,
  Usage,
} from '../contracts/model.js';
import type { JsonSchema } from '../contracts/plan.js';
import { compileOutputCheck, repairRequest } from './output-format.js';
import { createSandbox, type SandboxRoot } from './sandbox.js';
import type { ShellPolicy } from './shell/shell-policy.js';
import { agentToolSpecs, agentTools, bashTool, executeToolCalls, type AgentTool, type ToolCallInfo } from './tools/index.js';

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
  onModelCall?: (info: { turn: number; inputTokens: number; outputTokens: number; durationMs: number }) => void;
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
  const { signal, maxTurns } = options;
  if (!Number.isInteger(maxTurns) || maxTurns < 1) {
    throw new FanoutError('OPTION_INVALID', `maxTurns must be an integer >= 1, got ${String(maxTurns)}`);
  }
  const schema = options.outputSchema;
  const output = schema === undefined ? undefined : { schema, check: compileOutputCheck(schema) };
  const tools = offeredTools(options.tools, options.shell !== undefined);
  const toolSpecs = tools === agentTools ? agentToolSpecs : tools.map((tool) => tool.spec);
  const maxTokensPerCall = options.maxTokensPerCall ?? DEFAULT_MAX_TOKENS_PER_CALL;
  const clock = options.clock ?? systemClock;
  const sandbox = createSandbox({ cwd: options.cwd, writes: options.writes, protectedPaths: options.protectedPaths });
  const messages: Message[] = [{ role: 'user', content: [{ type: 'text', text: options.prompt }] }];
  const usage: Usage = { inputTokens: 0, outputTokens: 0 };
  let turns = 0;
  let repairAsked = false;
  const abortable = new AbortRace(signal);
  try {
    for (;;) {
      throwIfAborted(signal);
      const started = clock.now();
      const maxTokens = options.tokenRoom === undefined ? maxTokensPerCall : Math.min(maxTokensPerCall, options.tokenRoom());
      const response = await abortable.race(
        options.call({
          system: options.system,
          messages: [...messages],
          tools: [...toolSpecs],
          maxTokens,
          signal,
          providerOptions: options.providerOptions,
        }),
      );
      turns += 1;
      usage.inputTokens += response.usage.inputTokens;
      usage.outputTokens += response.usage.outputTokens;
      options.onModelCall?.({ turn: turns, inputTokens: response.usage.inputTokens, outputTokens: response.usage.outputTokens, durationMs: clock.now() - started });
      if (response.content.length > 0) messages.push({ role: 'assistant', content: response.content });
      // The text is read only when the run ends here, not on every turn of tool calls.
      const end = (status: AgentResult['status'], error?: string): AgentResult => {
        const text = textOf(response);
        return error === undefined ? { status, text, turns, usage } : { status, text, turns, usage, error };
      };

      const calls = response.content.filter((block): block is ToolUseBlock => block.type === 'tool_use');
      if (calls.length > 0) {
        if (turns >= maxTurns) return end('limit', `maxTurns ${maxTurns} reached (${turns} model calls) before a final answer`);
        const capped = options.checkLimit?.();
        if (capped !== undefined) return end('limit', capped);
        // An abort from onModelCall (a run cap this call reached) must not let these tool calls run.
        throwIfAborted(signal);
        // Raced against the signal: a stop or timeout ends the task at once, whatever its tools are doing.
        const results = await abortable.race(
          executeToolCalls(calls, {
            tools,
            sandbox,
            signal,
            shell: options.shell,
            onToolCall: options.onToolCall,
            timeLimitMs: options.toolTimeLimitMs,
            clock,
          }),
        );
        throwIfAborted(signal);
        appendUserContent(messages, results);
        continue;
      }

      // An answer the model stopped at max_tokens is cut short, not a finished output.
      if (response.stopReason === 'max_tokens') {
        const cut = `the answer was cut short at ${maxTokens} output tokens (max_tokens)`;
        if (maxTokens < maxTokensPerCall) return end('limit', `${options.checkLimit?.() ?? 'the token cap left no more room'}: ${cut}`);
        return end('failed', `${cut}, the most one model call may write`);
      }
      if (output === undefined) return end('succeeded');
      const checked = output.check(textOf(response));
      if (checked.ok) return { ...end('succeeded'), json: checked.value };
      const errors = checked.errors.join('; ');
      if (repairAsked) return end('failed', `output does not match its JSON Schema after one repair attempt: ${errors}`);
      if (turns >= maxTurns) {
        return end('failed', `output does not match its JSON Schema and maxTurns (${maxTurns}) leaves no turn to repair it: ${errors}`);
      }
      const capped = options.checkLimit?.();
      if (capped !== undefined) return end('limit', `${capped} before the output could be repaired: ${errors}`);
      repairAsked = true;
      appendUserContent(messages, [{ type: 'text', text: repairRequest(checked.errors, output.schema) }]);
    }
  } finally {
    abortable.release();
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

function abortError(signal: AbortSignal): FanoutError {
  const reason: unknown = signal.reason;
  return reason instanceof FanoutError ? reason : new FanoutError('ABORTED', 'agent run aborted', { cause: reason });
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal);
}

/**
 * Races each model call and each turn's tool calls of one agent run against
 * its signal, so the run rejects as soon as the signal fires even if the
 * call ignores it. One
 * abort listener for the whole run rather than one per call: listeners on an
 * AbortSignal are not cheap, and a run makes many calls.
 */
class AbortRace {
  readonly #signal: AbortSignal;
  #rejectCurrent: ((error: FanoutError) => void) | undefined;
  readonly #onAbort = (): void => this.#rejectCurrent?.(abortError(this.#signal));

  constructor(signal: AbortSignal) {
    this.#signal = signal;
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Settles like `promise`, or rejects with the abort reason once the signal fires. */
  race<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#rejectCurrent = reject;
      if (this.#signal.aborted) this.#onAbort();
      promise.then(resolve, (error: unknown) => reject(this.#signal.aborted ? abortError(this.#signal) : error));
    });
  }

  release(): void {
    this.#rejectCurrent = undefined;
    this.#signal.removeEventListener('abort', this.#onAbort);
  }
}

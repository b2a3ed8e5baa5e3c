import { FanoutError } from '../../contracts/errors.js';
import type { ModelRequest, ModelResponse } from '../../contracts/model.js';
import type { WholeAgent, WholeAgentResult, WholeAgentTask } from '../../contracts/whole-agent.js';
import { exitFailure, runAgentProcess } from './agent-process.js';
import { ClaudeCodeStream } from './claude-code-stream.js';
import { findProgram, refuseSingleCall } from './whole-agent-base.js';

/** The provider key and spec prefix of Claude Code as a subagent. */
export const CLAUDE_CODE_PROVIDER = 'claude-code';

/** The variable naming the `claude` binary to run; default: `claude` on PATH. */
export const CLAUDE_CODE_BIN_VARIABLE = 'FANOUT_CLAUDE_CODE_BIN';

/** The tools a task has when it names none: fanout's file tools. */
const DEFAULT_TOOLS = ['read_file', 'write_file', 'edit_file', 'list_files', 'grep'];

/** fanout's read-only tools and Claude Code's names for them. */
const READ_TOOLS: Readonly<Record<string, string>> = { read_file: 'Read', list_files: 'Glob', grep: 'Grep', bash: 'Bash' };

/** fanout's writing tools: Claude Code's `Edit(<glob>)` rules grant both Write and Edit within the glob. */
const WRITE_TOOLS: ReadonlySet<string> = new Set(['write_file', 'edit_file']);

/**
 * The `--allowedTools` rules of a task: its read tools as they are, and,
 * when it may write, one `Edit(./<glob>)` rule per write glob (Claude Code
 * checks Write and Edit calls against Edit rules; `./` anchors the glob at
 * the task's directory as fanout's globs are), so Claude Code's permission
 * check confines writes to the scope. Without a write glob no write is
 * allowed; in `-p` mode whatever is not allowed is refused. `Bash` is
 * Claude Code's own shell, not fanout's sandbox: a task that allows it can
 * write wherever its commands can.
 */
export function claudeCodeAllowedTools(tools: readonly string[] | undefined, writes: readonly string[]): string[] {
  const allowed: string[] = [];
  const given = tools ?? DEFAULT_TOOLS;
  for (const tool of given) {
    const read = READ_TOOLS[tool];
    if (read !== undefined) allowed.push(read);
  }
  if (given.some((tool) => WRITE_TOOLS.has(tool))) for (const glob of writes) allowed.push(`Edit(./${glob})`);
  return [...new Set(allowed)];
}

/**
 * `model: claude-code` (or `claude-code:<model>`): each task runs as
 * `claude -p <prompt> --output-format stream-json --verbose` in the task's
 * directory (its worktree when it has one), the role prompt appended to
 * Claude Code's system prompt, its tools and write scope mapped to
 * `--allowedTools`, its `maxTurns` to `--max-turns`. The stream becomes
 * turns and tool calls; the final `result` is the task's output, with
 * Claude Code's token and cost totals. A missing binary, a non-zero exit
 * or a result with `is_error` fails the task with one line. Claude Code
 * gets fanout's environment: its own login or `ANTHROPIC_API_KEY`, and
 * `ANTHROPIC_BASE_URL` (the simulated model, for tests) reach it.
 */
export class ClaudeCodeAgent implements WholeAgent {
  readonly kind = 'whole-agent';
  readonly provider = CLAUDE_CODE_PROVIDER;
  readonly #binary: string;
  readonly #source: string;

  constructor(
    readonly spec: string,
    private readonly modelId: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    const configured = env[CLAUDE_CODE_BIN_VARIABLE] || undefined;
    this.#binary = configured ?? 'claude';
    this.#source = configured === undefined ? 'on PATH' : `(${CLAUDE_CODE_BIN_VARIABLE})`;
  }

  /** Claude Code's result line carries `total_cost_usd`. */
  reportsCost(): boolean {
    return true;
  }

  generate(_request: ModelRequest): Promise<ModelResponse> {
    return refuseSingleCall(this.spec);
  }

  /** Fails with one line when the `claude` binary cannot be found, before a run records anything. */
  preflight(): Promise<void> {
    if (findProgram(this.#binary, this.env) !== undefined) return Promise.resolve();
    return Promise.reject(
      new FanoutError(
        'MODEL_CONFIG',
        `model "${this.spec}": Claude Code's "${this.#binary}" was not found ${this.#source}; install it (npm i -g @anthropic-ai/claude-code) or set ${CLAUDE_CODE_BIN_VARIABLE}`,
      ),
    );
  }

  async runTask(task: WholeAgentTask): Promise<WholeAgentResult> {
    await this.preflight();
    const stream = new ClaudeCodeStream(task.onEvent);
    const args = ['-p', task.prompt, '--output-format', 'stream-json', '--verbose', '--max-turns', String(task.maxTurns)];
    if (task.system !== '') args.push('--append-system-prompt', task.system);
    const allowed = claudeCodeAllowedTools(task.tools, task.writes);
    if (allowed.length > 0) args.push('--allowedTools', allowed.join(','));
    if (this.modelId !== '') args.push('--model', this.modelId);
    const result = await runAgentProcess({
      command: this.#binary,
      args,
      cwd: task.cwd,
      env: this.env,
      signal: task.signal,
      onLine: (line) => stream.read(line),
      // The stream is read line by line as it comes; a long session's transcript is not kept.
      maxStdoutBytes: 0,
      label: 'claude-code',
    });
    const final = stream.result;
    if (final?.isError === true) {
      if (final.subtype === 'error_max_turns') throw new FanoutError('LIMIT_REACHED', `maxTurns ${task.maxTurns} reached (claude-code: ${final.error ?? final.subtype})`);
      throw new FanoutError('MODEL_ERROR', `claude-code ended with an error (${final.subtype})${final.error === undefined ? '' : `: ${final.error}`}`);
    }
    if (result.code !== 0) throw exitFailure('claude-code', result);
    if (final === undefined) throw new FanoutError('MODEL_ERROR', 'claude-code exited without a result line in its stream-json output');
    return { text: final.text, turns: final.turns, usage: final.usage, ...(final.costUsd === undefined ? {} : { costUsd: final.costUsd }) };
  }
}

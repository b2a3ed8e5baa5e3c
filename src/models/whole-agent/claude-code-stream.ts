import type { Usage } from '../../contracts/model.js';
import type { WholeAgentEvent } from '../../contracts/whole-agent.js';
import { TurnCounter } from './whole-agent-base.js';

/** The `result` line that ends Claude Code's stream-json output. */
export interface ClaudeCodeResult {
  isError: boolean;
  /** `success`, `error_max_turns`, `error_during_execution`, ... */
  subtype: string;
  text: string;
  /** What went wrong, when `isError` (Claude Code's `errors`, else its result text). */
  error?: string;
  turns: number;
  usage: Usage;
  costUsd?: number;
}

/** The token counts of an Anthropic `usage` object; cache writes and reads are input too. */
interface WireUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

interface WireBlock {
  type?: string;
  id?: string;
  name?: string;
  tool_use_id?: string;
  is_error?: boolean;
  content?: unknown;
}

interface WireLine {
  type?: string;
  subtype?: string;
  is_error?: boolean;
  result?: unknown;
  errors?: unknown;
  num_turns?: number;
  total_cost_usd?: number;
  usage?: WireUsage;
  message?: { id?: string; content?: WireBlock[]; usage?: WireUsage };
}

/**
 * Reads the lines of `claude -p --output-format stream-json --verbose`
 * (Claude Code 2.1): each new assistant message is a turn (its blocks come
 * as separate lines with the same message id and usage), each tool result
 * a tool call, named by the tool_use it answers and failed when it is an
 * error (a refused permission included), and the final `result` line the
 * answer with the run's totals. Lines it does not know are skipped, so a
 * newer Claude Code that adds some still works.
 */
export class ClaudeCodeStream {
  #result: ClaudeCodeResult | undefined;
  readonly #seen = new Set<string>();
  readonly #tools = new Map<string, string>();
  readonly #counter: TurnCounter;

  constructor(private readonly onEvent: (event: WholeAgentEvent) => void) {
    this.#counter = new TurnCounter(onEvent);
  }

  /** The final result, once its line was read. */
  get result(): ClaudeCodeResult | undefined {
    return this.#result;
  }

  read(line: string): void {
    if (!line.startsWith('{')) return;
    let parsed: WireLine;
    try {
      parsed = JSON.parse(line) as WireLine;
    } catch {
      return;
    }
    if (parsed.type === 'assistant') this.#assistant(parsed);
    else if (parsed.type === 'user') this.#toolResults(parsed);
    else if (parsed.type === 'result') this.#final(parsed);
  }

  #assistant(line: WireLine): void {
    const message = line.message;
    if (message === undefined) return;
    for (const block of message.content ?? []) {
      if (block.type === 'tool_use' && block.id !== undefined && block.name !== undefined) this.#tools.set(block.id, block.name);
    }
    const id = message.id;
    if (id === undefined || this.#seen.has(id)) return;
    this.#seen.add(id);
    const usage = tokens(message.usage);
    this.#counter.turn(usage.inputTokens, usage.outputTokens);
  }

  #toolResults(line: WireLine): void {
    for (const block of line.message?.content ?? []) {
      if (block.type !== 'tool_result' || block.tool_use_id === undefined) continue;
      const tool = this.#tools.get(block.tool_use_id) ?? 'unknown';
      const ok = block.is_error !== true;
      const detail = ok ? undefined : firstLine(block.content);
      this.onEvent({ type: 'tool-call', tool, ok, ...(detail === undefined ? {} : { detail }) });
    }
  }

  #final(line: WireLine): void {
    const text = typeof line.result === 'string' ? line.result : '';
    const isError = line.is_error === true;
    const error = isError ? firstLine(Array.isArray(line.errors) && line.errors.length > 0 ? String(line.errors[0]) : text) : undefined;
    this.#result = {
      isError,
      subtype: line.subtype ?? 'unknown',
      text,
      ...(error === undefined ? {} : { error }),
      turns: line.num_turns ?? this.#counter.turns,
      usage: tokens(line.usage),
      ...(typeof line.total_cost_usd === 'number' ? { costUsd: line.total_cost_usd } : {}),
    };
  }
}

function tokens(usage: WireUsage | undefined): Usage {
  if (usage === undefined) return { inputTokens: 0, outputTokens: 0 };
  const input = (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
  return { inputTokens: input, outputTokens: usage.output_tokens ?? 0 };
}

function firstLine(content: unknown): string | undefined {
  const text =
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? content.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join(' ')
        : '';
  const line = text.trim().split('\n')[0]?.trim();
  if (line === undefined || line === '') return undefined;
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

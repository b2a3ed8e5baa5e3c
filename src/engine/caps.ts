/** Caps counted over model calls, of one task or of a whole run. See docs/plan-format.md, "Caps and prices". */
export interface UsageCaps {
  /** Most model calls. Only run caps use it: a task's turns are capped by its agent loop. */
  maxTurns?: number;
  /** Most tokens, input + output, summed over the calls. */
  maxTokens?: number;
  /** Most estimated cost of the calls, in US dollars. */
  budgetUsd?: number;
}

/** Whose caps a meter counts: a task's messages name the cap alone, a run's say `run` first. */
export type CapScope = 'task' | 'run';

/**
 * Counts the model calls, tokens and estimated cost of one scope against
 * its caps. A cap is reached when the count is at or over it: a call cannot
 * be cut short, so the check comes after each call and forbids the next one.
 */
export class UsageMeter {
  calls = 0;
  tokens = 0;
  costUsd = 0;
  readonly #caps: UsageCaps;
  readonly #prefix: string;

  constructor(caps: UsageCaps, scope: CapScope) {
    this.#caps = caps;
    this.#prefix = scope === 'run' ? 'run ' : '';
  }

  /** Counts model calls (one by default) with their tokens and the cost they added. */
  add(tokens: number, costUsd: number, calls = 1): void {
    this.calls += calls;
    this.tokens += tokens;
    this.costUsd += costUsd;
  }

  /** Why no further call may be made (e.g. `maxTokens 5000 reached (5,210 tokens used)`), or undefined. */
  reached(): string | undefined {
    const { maxTurns, maxTokens, budgetUsd } = this.#caps;
    if (maxTurns !== undefined && this.calls >= maxTurns) {
      return `${this.#prefix}maxTurns ${maxTurns} reached (${formatCount(this.calls)} model calls)`;
    }
    if (maxTokens !== undefined && this.tokens >= maxTokens) {
      return `${this.#prefix}maxTokens ${maxTokens} reached (${formatCount(this.tokens)} tokens used)`;
    }
    if (budgetUsd !== undefined && this.costUsd >= budgetUsd) {
      return `${this.#prefix}budgetUsd ${formatUsd(budgetUsd)} reached (${formatUsd(this.costUsd)} spent)`;
    }
    return undefined;
  }

  /** Tokens left under `maxTokens` (at least 1 while it is not reached); Infinity without that cap. */
  tokenRoom(): number {
    const { maxTokens } = this.#caps;
    return maxTokens === undefined ? Number.POSITIVE_INFINITY : Math.max(1, maxTokens - this.tokens);
  }
}

/** The reason given when a task's or a run's `timeoutMs` fires. */
export function timeoutReason(scope: CapScope, timeoutMs: number): string {
  return `${scope === 'run' ? 'run ' : ''}timeoutMs ${timeoutMs} reached (${formatCount(timeoutMs)} ms elapsed)`;
}

/** `5210` → `5,210`. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/**
 * A dollar amount with cents and up to four decimals: `$0.50`, `$0.5213`,
 * `$12.00`; amounts below a hundredth of a cent keep two significant digits.
 */
export function formatUsd(value: number): string {
  if (value > 0 && value < 0.0001) return `$${value.toPrecision(2)}`;
  return `$${value.toFixed(4).replace(/0{1,2}$/, '')}`;
}

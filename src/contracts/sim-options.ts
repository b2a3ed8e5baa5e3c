/**
 * The simulated model's options: what a task's `sim:` block holds, and what
 * the simulated provider (`models/sim`) reads from
 * `ModelRequest.providerOptions.sim` and puts in its `<fanout-sim>`
 * directive. Every other provider ignores them. Documented in
 * docs/simulated-model.md.
 */
import type { Model } from './model.js';

/** The provider key (and spec prefix) of the simulated model. */
export const SIM_PROVIDER = 'sim';

/** Whether `model` is the simulated one, so that every adapter labels what it shows as simulated. */
export function isSimulated(model: Pick<Model, 'provider'>): boolean {
  return model.provider === SIM_PROVIDER;
}

/** The simulated model's options of one call; a task sets all but `kind`. */
export interface SimOptions {
  /**
   * What the call is for; the simulated model answers each kind in its own
   * deterministic way. Set by the engine, not by plan authors. Default `task`.
   */
  kind?: 'task' | 'synthesis' | 'planner' | 'resolver';
  /** Delay before the simulated server answers each model call, in ms. */
  latencyMs?: number;
  /**
   * Turn-by-turn script. Turn i (i = number of assistant turns already in the
   * conversation) plays `script[i]`; once the script is used up the model
   * answers with its final text.
   */
  script?: SimStep[];
  /** The final answer text. Default: a deterministic summary of the task. */
  output?: string;
  /** Inject faults: the first `times` calls of this conversation fail with `status`. */
  fail?: { status: number; times: number; retryAfterMs?: number };
  /** Simulated output token count per call (default: derived from the text length). */
  outputTokens?: number;
}

/** One scripted turn of the simulated model: some text and/or tool calls. */
export interface SimStep {
  text?: string;
  tools?: Array<{ name: string; input: Record<string, unknown> }>;
}

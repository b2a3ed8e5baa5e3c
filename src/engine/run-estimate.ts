import { agentToolSpecs } from '../agent/index.js';
import type { EstimatedUsage, RunEstimate } from '../contracts/fanout.js';
import type { Plan } from '../contracts/plan.js';
import type { Pricer } from '../contracts/pricing.js';
import type { ResolvedAgent } from '../contracts/records.js';
import { renderTaskPrompt } from '../plan/index.js';
import { taskSystemPrompt } from './task-agents.js';

/** Characters per token of the count: close enough for English and code, and needs no tokenizer. */
const CHARS_PER_TOKEN = 4;
/** Model calls of a task that sets no `maxTurns`: a few tool rounds, then the answer. */
export const ESTIMATED_TURNS = 3;
/** Output tokens of one model call. */
export const ESTIMATED_OUTPUT_PER_TURN = 800;
/** Tool results added to the conversation per turn. */
export const ESTIMATED_TOOL_RESULT_TOKENS = 500;
/** The synthesis's instructions and answer, besides the task outputs it reads. */
const SYNTHESIS_PROMPT_TOKENS = 400;
const SYNTHESIS_OUTPUT_TOKENS = 1_000;

/** The assumptions of every estimate, one line. */
export const ESTIMATE_ASSUMPTIONS =
  `prompts counted at ~${CHARS_PER_TOKEN} characters a token (tool definitions included); ` +
  `${ESTIMATED_TURNS} turns a task unless maxTurns; ${ESTIMATED_OUTPUT_PER_TURN} output and ${ESTIMATED_TOOL_RESULT_TOKENS} tool-result tokens a turn, ` +
  'each turn resending the conversation; one synthesis call; token caps applied';

const TOOL_DEFINITION_TOKENS = tokensOf(JSON.stringify(agentToolSpecs));

function tokensOf(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * What a checked run is expected to use before it starts: per task its
 * prompt counted, its turns from `maxTurns` (else {@link ESTIMATED_TURNS}),
 * each turn resending the conversation so far; the synthesis reading one
 * answer per task; caps applied; costs from `pricers` (absent when a price
 * is unknown). An order of magnitude for deciding, not a bound.
 */
export function estimateRun(
  plan: Plan,
  pricers: ReadonlyMap<string, Pricer | undefined>,
  options: { defaultModel: string; agents?: Readonly<Record<string, ResolvedAgent>>; synthesizes: boolean },
): RunEstimate {
  const fallback = plan.model ?? options.defaultModel;
  const priced = (model: string, usage: { inputTokens: number; outputTokens: number }): EstimatedUsage => {
    const pricer = pricers.get(model);
    return { model, ...usage, ...(pricer === undefined ? {} : { costUsd: pricer(usage) }) };
  };
  const tasks = plan.tasks.map((task) => {
    const agent = task.agent === undefined ? undefined : options.agents?.[task.agent];
    const prompt = tokensOf(taskSystemPrompt(task, agent)) + tokensOf(renderTaskPrompt(task)) + TOOL_DEFINITION_TOKENS;
    const turns = task.maxTurns ?? ESTIMATED_TURNS;
    const growth = ESTIMATED_OUTPUT_PER_TURN + ESTIMATED_TOOL_RESULT_TOKENS;
    // Turn i sends the prompt and everything the i turns before it added.
    const usage = capped({ inputTokens: turns * prompt + growth * ((turns * (turns - 1)) / 2), outputTokens: turns * ESTIMATED_OUTPUT_PER_TURN }, task.maxTokens);
    return { id: task.id, turns, ...priced(task.model ?? fallback, usage) };
  });
  const synthesis =
    options.synthesizes && plan.synthesis !== false
      ? priced(fallback, { inputTokens: SYNTHESIS_PROMPT_TOKENS + tasks.length * ESTIMATED_OUTPUT_PER_TURN, outputTokens: SYNTHESIS_OUTPUT_TOKENS })
      : undefined;
  const all = synthesis === undefined ? tasks : [...tasks, synthesis];
  const total = capped({ inputTokens: sum(all.map((item) => item.inputTokens)), outputTokens: sum(all.map((item) => item.outputTokens)) }, plan.maxTokens);
  const costs = all.map((item) => item.costUsd);
  const known = costs.every((cost) => cost !== undefined);
  // A run cap scales the cost with the tokens it cuts.
  const share = (total.inputTokens + total.outputTokens) / Math.max(1, sum(all.map((item) => item.inputTokens + item.outputTokens)));
  return {
    tasks,
    ...(synthesis === undefined ? {} : { synthesis }),
    ...total,
    ...(known ? { costUsd: sum(costs as number[]) * share } : {}),
    assumptions: ESTIMATE_ASSUMPTIONS,
  };
}

/** Usage scaled down to `maxTokens` (input and output in proportion) when it is over. */
function capped(usage: { inputTokens: number; outputTokens: number }, maxTokens: number | undefined): { inputTokens: number; outputTokens: number } {
  const tokens = usage.inputTokens + usage.outputTokens;
  if (maxTokens === undefined || tokens <= maxTokens) return usage;
  const inputTokens = Math.round((usage.inputTokens * maxTokens) / tokens);
  return { inputTokens, outputTokens: maxTokens - inputTokens };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

import { extractJson } from '../agent/output-format.js';
import { FanoutError } from '../contracts/errors.js';
import { analyzePlan, parsePlan } from '../plan/index.js';
import type { Plan } from '../contracts/plan.js';

/** Options of {@link parsePlannerAnswer}. */
export interface ParsePlannerAnswerOptions {
  /** Reject conflicting write scopes (`PLAN_CONFLICT`) instead of serializing them. Default false. */
  strict?: boolean;
}

/**
 * The plan in a planner's answer — the whole answer as JSON, or else its
 * first fenced block that parses (```json blocks first) — validated with the
 * plan schema and the independence check. Throws FanoutError `PLAN_INVALID`
 * (or `PLAN_CONFLICT` when strict) with one line starting with `source`.
 */
export function parsePlannerAnswer(text: string, source: string, options: ParsePlannerAnswerOptions = {}): Plan {
  const extracted = extractJson(text);
  if (!extracted.ok) throw new FanoutError('PLAN_INVALID', `${source}: ${extracted.error}`, { where: source });
  const plan = parsePlan(extracted.value, source);
  analyzePlan(plan, { source, strict: options.strict ?? false });
  return plan;
}

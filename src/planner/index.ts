export { parsePlannerAnswer } from './parse-planner-answer.js';
export type { ParsePlannerAnswerOptions } from './parse-planner-answer.js';
export { planFromRequest } from './plan-from-request.js';
export type { PlanFromRequestOptions } from './plan-from-request.js';
export { buildPlannerRequest } from './planner-prompt.js';
export type { PlannerPromptOptions } from './planner-prompt.js';

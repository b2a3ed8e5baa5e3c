import { FanoutError, isFanoutError } from '../contracts/errors.js';
import type { Message, ModelRequest, ModelResponse } from '../contracts/model.js';
import type { Plan } from '../contracts/plan.js';
import { parsePlannerAnswer, type ParsePlannerAnswerOptions } from './parse-planner-answer.js';
import { buildPlannerRequest, type PlannerPromptOptions } from './planner-prompt.js';

/** Options of {@link planFromRequest}. */
export interface PlanFromRequestOptions extends PlannerPromptOptions, ParsePlannerAnswerOptions {
  /** Cancels the planner call. */
  signal?: AbortSignal;
  /** Most output tokens of each planner call. Default 8192. */
  maxTokens?: number;
  /** Label that starts validation messages. Default `planner`. */
  source?: string;
}

const DEFAULT_MAX_TOKENS = 8192;

/**
 * Turns a request into a validated plan with one model call. When the
 * answer is not a valid plan, the problem is sent back once for a repair;
 * if the repaired answer is still invalid, throws FanoutError `PLAN_INVALID`
 * (`the planner's plan is invalid after one repair: <problem>`). Model
 * errors propagate as they are.
 */
export async function planFromRequest(
  request: string,
  call: (request: ModelRequest) => Promise<ModelResponse>,
  options: PlanFromRequestOptions = {},
): Promise<Plan> {
  const source = options.source ?? 'planner';
  const { system, messages, providerOptions } = buildPlannerRequest(request, options);
  const ask = async (conversation: Message[]): Promise<string> => {
    const response = await call({
      system,
      messages: conversation,
      tools: [],
      maxTokens: options.maxTokens ?? DEFAULT_MAX_TOKENS,
      signal: options.signal ?? new AbortController().signal,
      providerOptions,
    });
    return answerText(response);
  };

  const first = await ask(messages);
  let problem: FanoutError;
  try {
    return parsePlannerAnswer(first, source, options);
  } catch (error) {
    problem = planProblem(error);
  }
  const repair: Message[] = [
    ...messages,
    { role: 'assistant', content: [{ type: 'text', text: first }] },
    { role: 'user', content: [{ type: 'text', text: repairRequest(problem.message) }] },
  ];
  const second = await ask(repair);
  try {
    return parsePlannerAnswer(second, source, options);
  } catch (error) {
    const last = planProblem(error);
    throw new FanoutError('PLAN_INVALID', `the planner's plan is invalid after one repair: ${last.message}`, {
      cause: last,
      where: last.where,
    });
  }
}

/** Plan problems are worth a repair; anything else is a bug and goes up as it is. */
function planProblem(error: unknown): FanoutError {
  if (isFanoutError(error, 'PLAN_INVALID') || isFanoutError(error, 'PLAN_CONFLICT')) return error;
  throw error;
}

function repairRequest(problem: string): string {
  return (
    `That plan is not valid: ${problem}\n\n` +
    'Fix it and answer with the whole corrected plan as JSON in one ```json block, and nothing else.'
  );
}

function answerText(response: ModelResponse): string {
  return response.content
    .filter((block) => block.type === 'text')
    .map((block) => block.text)
    .join('');
}

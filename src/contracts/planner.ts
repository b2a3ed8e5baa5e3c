import type { ModelRequest, ModelResponse } from './model.js';
import type { Plan } from './plan.js';

/** One model call as the engine makes it: through the provider's gate (its cap, retries and shared backoff). */
export type ModelCall = (request: ModelRequest) => Promise<ModelResponse>;

/**
 * Turns a request in plain words into a validated plan, calling the model
 * through `call`; `Fanout.plan` runs it. The composition root supplies
 * fanout's planner (src/planner). Throws FanoutError `PLAN_INVALID` when
 * no valid plan comes of it; model errors propagate as they are.
 */
export type Planner = (request: string, call: ModelCall, options: { signal?: AbortSignal }) => Promise<Plan>;

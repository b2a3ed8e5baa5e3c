/**
 * The simulated model: a local, deterministic HTTP server speaking the
 * Anthropic Messages API and the OpenAI Chat Completions API. See
 * docs/simulated-model.md.
 */
export { startSimServer } from './sim-server.js';
export type { SimServer, SimServerOptions, SimServerStats } from './sim-server.js';
export type { RateLimitOptions } from './rate-limiter.js';
export type { RandomFaultKind, RandomFaultOptions } from './fault-injector.js';
export { SIM_DIRECTIVE_TAG, encodeSimDirective, extractSimDirective, requestSimDirective } from './sim-directives.js';
export { simulatedPlan, findPlannerRequest } from './sim-planner.js';
export { parseSynthesisSections } from './sim-synthesis.js';

/** The plan module: what to run. Schema, loading, independence check, role prompts. */
export type * from '../contracts/plan.js';
export { checkJsonSchema, compileJsonSchema } from './json-schema.js';
export {
  planJsonSchema,
  planSchema,
  renderPlanJsonSchema,
  taskSpecSchema,
  TASK_ID_PATTERN,
  type ParsedPlan,
} from './schema.js';
export { loadPlanFile, normalizePlan, parsePlan } from './load-plan.js';
export { analyzePlan, type AnalyzeOptions } from './independence.js';
export { compileGlob, compiledGlobsOverlap, globsCanOverlap, type CompiledGlob } from './glob-overlap.js';
export { longestPath, topologicalOrder, type OrderEdge } from './critical-path.js';
export { DEFAULT_ROLE, renderSystemPrompt, renderTaskPrompt, type RenderSystemPromptOptions } from './render-prompt.js';

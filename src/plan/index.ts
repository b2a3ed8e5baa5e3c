/** The plan module: what to run. Schema, loading, independence check, role prompts. */
export type * from '../contracts/plan.js';
export { checkJsonSchema, compileJsonSchema } from './json-schema.js';
export {
  planJsonSchema,
  planSchema,
  renderPlanJsonSchema,
  taskSpecSchema,
  TASK_ID_PATTERN,
} from './schema.js';
export { loadPlanFile, normalizePlan, parsePlan } from './load-plan.js';
export { analyzePlan, type AnalyzeOptions } from './independence.js';
export { compileGlob, compiledGlobsOverlap, globsCanOverlap, type CompiledGlob } from './glob-overlap.js';
export { longestPath, topologicalOrder } from './critical-path.js';
export { renderSystemPrompt, renderTaskPrompt } from './render-prompt.js';

/**
 * fanout — run many LLM subagents at once and turn their work into one result.
 *
 * Start with {@link createDefaultFanout} (SQLite store under `$FANOUT_HOME`,
 * models from the environment, the simulated model when no API key is set):
 *
 * ```ts
 * import { createDefaultFanout } from 'fanout';
 * const fanout = createDefaultFanout();
 * const { handles } = fanout.spawn([{ id: 'a', prompt: '...' }, { id: 'b', prompt: '...' }]);
 * const result = await fanout.output(handles[0].handle, { block: true });
 * await fanout.close();
 * ```
 *
 * Build your own with {@link createFanout} and any {@link RunStore} and
 * {@link ModelResolver}.
 *
 * @packageDocumentation
 */

export { FanoutError, isFanoutError, toFanoutError, type FanoutErrorCode, type FanoutErrorOptions } from './contracts/errors.js';
export { createDefaultFanout, fanoutHome, loadPriceTable, PRICE_FILE_NAMES, type DefaultFanoutOptions } from './compose.js';

// Engine: the Fanout object, its options, events, records and report.
export * from './engine/index.js';

// Plans: schema, loading, the independence check, role prompts.
export * from './plan/index.js';

// Stores.
export * from './store/index.js';

// Models: contract, resolver, providers, the simulated server, a scripted fake for tests.
export * from './models/index.js';
export {
  startSimServer,
  encodeSimDirective,
  SIM_DIRECTIVE_TAG,
  type SimServer,
  type SimServerOptions,
  type SimServerStats,
} from './models/sim/index.js';
export { ScriptedModel, textResponse, toolResponse, type ScriptedStep } from './models/scripted-model.js';
export {
  BUILT_IN_PRICES,
  createPriceTable,
  estimateCostUsd,
  findModelPrice,
  loadPriceOverrides,
  priceLookup,
  type ModelPrice,
  type PriceTable,
} from './models/pricing.js';

// One subagent run on its own (the engine uses this for every task).
// Git worktrees for coding tasks: merge, diff, apply and clean a run's branches.
export { createWorktreeManager, type WorktreeManagerOptions } from './workspace/index.js';
export type {
  ApplyResult,
  CleanResult,
  ConflictHunk,
  FileChange,
  MergeConflict,
  MergeResult,
  RunWorkspace,
  TaskWorktree,
  UnmergedBranch,
  WorktreeManager,
} from './contracts/workspace.js';
export { runAgent, createSandbox, agentToolSpecs, type AgentOptions, type AgentResult, type Sandbox } from './agent/index.js';

// Claude Code agent definitions, the pattern's presets, and the planner.
export {
  agentDirectories,
  claudeCodeAgentSource,
  findAgent,
  loadAgentDefinitions,
  type AgentDefinition,
  type AgentScope,
  type LoadedAgentDefinitions,
} from './agents/index.js';
export {
  buildAnalyzePlan,
  buildReviewPlan,
  mergeReviewFindings,
  parsePerspectives,
  renderMergedReview,
  REVIEW_FINDINGS_SCHEMA,
  REVIEW_PERSPECTIVE_NAMES,
  type MergedReview,
  type ReviewFinding,
} from './presets/index.js';
export { planFromRequest, buildPlannerRequest, parsePlannerAnswer } from './planner/index.js';

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
 * Every name is listed here on purpose (docs/api.md groups them the same
 * way); src/index-exports.test.ts pins the list, so adding one is a decision.
 * Each is re-exported from the file that declares it.
 *
 * @packageDocumentation
 */

// The Fanout: making one, what it takes, and what it returns.
export { createDefaultFanout, fanoutHome, loadPriceTable, type DefaultFanoutOptions } from './compose.js';
export { createFanout } from './engine/create-fanout.js';
export type {
  CheckedRun,
  EstimatedUsage,
  EventsOptions,
  Fanout,
  FanoutOptions,
  FollowEventsOptions,
  OutputOptions,
  OutputResult,
  PlanInput,
  PruneResult,
  RunEstimate,
  RunResult,
  RunStatusView,
  SpawnOptions,
  SpawnResult,
  StartOptions,
  StopResult,
  TaskHandle,
} from './contracts/fanout.js';
export type { RunReport, TaskTiming } from './contracts/run-report.js';
export type { FanoutEvent, StoredEvent } from './contracts/events.js';
export type {
  RefusedCall,
  ResolvedAgent,
  RunAttempt,
  RunRecord,
  RunStatus,
  SynthesisResult,
  TaskOutput,
  TaskRecord,
  TaskStatus,
  TodoItem,
  TodoStatus,
  WaitReason,
} from './contracts/records.js';
export type { Clock } from './contracts/clock.js';

// Plans: loading, the independence check, the JSON Schema of plan files.
export { loadPlanFile, normalizePlan, parsePlan } from './plan/load-plan.js';
export { analyzePlan, type AnalyzeOptions } from './plan/independence.js';
export { PLAN_JSON_SCHEMA } from './plan/plan-json-schema.js';
export type {
  CommandTemplate,
  Conflict,
  DagEdge,
  EdgeKind,
  ExecutionDag,
  Isolation,
  JsonSchema,
  Plan,
  ProviderLimits,
  ShellSpec,
  TaskSpec,
  TodoMode,
} from './contracts/plan.js';

// Stores: the contract and its two implementations.
export type { RunPatch, RunStore, StopRequest, TaskPatch } from './contracts/run-store.js';
export { MemoryRunStore, type MemoryRunStoreOptions } from './store/memory-run-store.js';
export { openRunStore, SqliteRunStore, type SqliteRunStoreOptions } from './store/sqlite-run-store.js';

// Models: the contract, the resolver of model specs, the two real providers, prices.
export type {
  ContentBlock,
  Message,
  Model,
  ModelDelta,
  ModelRequest,
  ModelResolver,
  ModelResponse,
  ProviderOptions,
  RateLimitBucket,
  RateLimitInfo,
  StopReason,
  TextBlock,
  ToolResultBlock,
  ToolSpec,
  ToolUseBlock,
  Usage,
} from './contracts/model.js';
// Whole agents (`model: claude-code`, `model: command`): the contract, for an agent of your own.
export {
  isWholeAgent,
  type WholeAgent,
  type WholeAgentEvent,
  type WholeAgentResult,
  type WholeAgentTask,
} from './contracts/whole-agent.js';
export { createModelResolver, defaultModelSpec, type ModelResolverOptions } from './models/resolver.js';
export { AnthropicModel, type AnthropicModelOptions } from './models/anthropic/anthropic-model.js';
export { OpenAIModel, type OpenAIModelOptions, type TokenLimitParam } from './models/openai/openai-model.js';
export { createPriceTable, loadPriceOverrides, priceLookup, type ModelPrice, type PriceTable } from './models/pricing.js';
export type { PriceLookup, Pricer } from './contracts/pricing.js';

// Errors: one type, stable codes.
export { FanoutError, isFanoutError, type FanoutErrorCode, type FanoutErrorOptions } from './contracts/errors.js';

// Claude Code agent definitions (`agent:` in a task).
export type { AgentDefinitionSource, AgentLookup } from './contracts/agent-definitions.js';
export type { AgentDefinition, AgentScope } from './agents/agent-definition.js';
export { claudeCodeAgentSource } from './agents/agent-source.js';
export {
  findAgent,
  loadAgentDefinitions,
  type AgentLookupOptions,
  type InvalidAgentFile,
  type LoadedAgentDefinitions,
} from './agents/load-agent-definitions.js';

// Presets: plans for a review and an analysis, and the merged review.
export type { PresetOptions } from './presets/preset-options.js';
export { buildAnalyzePlan } from './presets/analyze-preset.js';
export { buildReviewPlan } from './presets/review-preset.js';
export { REVIEW_PERSPECTIVE_NAMES, type ReviewPerspectiveName } from './presets/review-perspectives.js';
export { REVIEW_FINDINGS_SCHEMA, type ReviewFinding, type Severity } from './presets/review-findings.js';
export { mergeReviewFindings, type MergedFinding, type MergedReview } from './presets/merge-review-findings.js';
export { renderMergedReview, type MergedReviewRenderOptions } from './presets/render-merged-review.js';

// The planner: a request in plain words to a plan (what `Fanout.plan` runs).
export type { ModelCall, Planner } from './contracts/planner.js';
export { planFromRequest, type PlanFromRequestOptions } from './planner/plan-from-request.js';

// Git worktrees of coding tasks: diff, merge, apply and clean a run's branches.
export { createWorktreeManager, type WorktreeManagerOptions } from './workspace/worktree-manager.js';
export type {
  ApplyResult,
  ChangeReview,
  CleanResult,
  ConflictHunk,
  ConflictResolveRequest,
  ConflictResolver,
  FileChange,
  MergeConflict,
  MergeResult,
  OperationOptions,
  RepositoryState,
  ResolvedConflict,
  RunWorkspace,
  TaskCommit,
  TaskWorktree,
  UnmergedBranch,
  WorktreeManager,
} from './contracts/workspace.js';

// The sandboxed shell on its own: whether bubblewrap works here, and one command under it (the bash tool's runner).
export { shellSandboxStatus, type ShellSandboxStatus } from './agent/shell/sandbox-probe.js';
export { runShellCommand, type CommandResult } from './agent/shell/run-command.js';
export { DEFAULT_SHELL_OUTPUT_BYTES, type ShellPolicy } from './agent/shell/shell-policy.js';

// Testing: the simulated model, a real HTTP server speaking both providers' APIs.
export { startSimServer, type SimServer, type SimServerOptions, type SimServerStats } from './models/sim/sim-server.js';
export { encodeSimDirective } from './models/sim/sim-directives.js';
export type { SimOptions, SimStep } from './contracts/sim-options.js';
export type { RateLimitOptions } from './models/sim/rate-limiter.js';
export type { RandomFaultKind, RandomFaultOptions } from './models/sim/fault-injector.js';

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as api from './index.js';
import { planJsonSchema } from './plan/schema.js';

// The public API, pinned: adding or removing a name is a decision, made here and in docs/api.md.
const RUNTIME = [
  'AnthropicModel',
  'DEFAULT_SHELL_OUTPUT_BYTES',
  'FanoutError',
  'MemoryRunStore',
  'OpenAIModel',
  'PLAN_JSON_SCHEMA',
  'REVIEW_FINDINGS_SCHEMA',
  'REVIEW_PERSPECTIVE_NAMES',
  'SqliteRunStore',
  'analyzePlan',
  'buildAnalyzePlan',
  'buildReviewPlan',
  'claudeCodeAgentSource',
  'createDefaultFanout',
  'createFanout',
  'createModelResolver',
  'createPriceTable',
  'createWorktreeManager',
  'defaultModelSpec',
  'encodeSimDirective',
  'fanoutHome',
  'findAgent',
  'isFanoutError',
  'isWholeAgent',
  'loadAgentDefinitions',
  'loadPlanFile',
  'loadPriceOverrides',
  'loadPriceTable',
  'mergeReviewFindings',
  'normalizePlan',
  'openRunStore',
  'parsePlan',
  'planFromRequest',
  'priceLookup',
  'renderMergedReview',
  'runShellCommand',
  'shellSandboxStatus',
  'startSimServer',
];

const TYPES = [
  'AgentDefinition', 'AgentDefinitionSource', 'AgentLookup', 'AgentLookupOptions', 'AgentScope', 'AnalyzeOptions',
  'AnthropicModelOptions', 'ApplyResult', 'ChangeReview', 'CheckedRun', 'CleanResult', 'CommandResult', 'Clock', 'Conflict', 'ConflictHunk', 'ConflictResolveRequest', 'ConflictResolver',
  'CommandTemplate', 'ContentBlock', 'DagEdge', 'DefaultFanoutOptions', 'EdgeKind', 'EstimatedUsage', 'EventsOptions', 'ExecutionDag', 'Fanout', 'FanoutErrorCode',
  'FanoutErrorOptions', 'FanoutEvent', 'FanoutOptions', 'FileChange', 'FollowEventsOptions', 'InvalidAgentFile', 'Isolation',
  'JsonSchema', 'LoadedAgentDefinitions', 'MemoryRunStoreOptions', 'MergeConflict', 'MergeResult', 'MergedFinding',
  'MergedReview', 'MergedReviewRenderOptions', 'Message', 'Model', 'ModelCall', 'ModelDelta', 'ModelPrice', 'ModelRequest',
  'ModelResolver', 'ModelResolverOptions', 'ModelResponse', 'OpenAIModelOptions', 'OperationOptions', 'OutputOptions',
  'OutputResult', 'Plan', 'PlanFromRequestOptions', 'PlanInput', 'Planner', 'PresetOptions', 'PriceLookup', 'PriceTable',
  'Pricer', 'PruneResult', 'ProviderLimits', 'ProviderOptions', 'RandomFaultKind', 'RandomFaultOptions', 'RateLimitBucket', 'RateLimitInfo', 'RateLimitOptions', 'RefusedCall', 'RepositoryState', 'ResolvedAgent', 'ResolvedConflict',
  'ReviewFinding', 'ReviewPerspectiveName', 'RunAttempt', 'RunEstimate', 'RunPatch', 'RunRecord', 'RunReport', 'RunResult', 'RunStatus', 'RunStatusView',
  'RunStore', 'RunWorkspace', 'Severity', 'ShellPolicy', 'ShellSandboxStatus', 'ShellSpec', 'SimOptions', 'SimServer', 'SimServerOptions', 'SimServerStats',
  'SimStep', 'SpawnOptions', 'SpawnResult', 'SqliteRunStoreOptions', 'StartOptions', 'StopReason', 'StopRequest',
  'StopResult', 'StoredEvent', 'SynthesisResult', 'TaskCommit', 'TaskHandle', 'TaskOutput', 'TaskPatch', 'TaskRecord',
  'TaskSpec', 'TaskStatus', 'TaskTiming', 'TaskWorktree', 'TextBlock', 'TodoItem', 'TodoMode', 'TodoStatus', 'TokenLimitParam',
  'ToolResultBlock', 'ToolSpec', 'ToolUseBlock', 'Usage', 'UnmergedBranch', 'WaitReason', 'WholeAgent', 'WholeAgentEvent',
  'WholeAgentResult', 'WholeAgentTask', 'WorktreeManager', 'WorktreeManagerOptions',
];

const SRC = path.dirname(fileURLToPath(import.meta.url));
const read = (file: string): string => readFileSync(path.join(SRC, file), 'utf8');

interface ExportedName {
  name: string;
  type: boolean;
  /** The file it is re-exported from, relative to src/. */
  from: string;
}

/** The names src/index.ts exports, read from its `export [type] { ... } from '...'` statements. */
function exportedNames(code: string): ExportedName[] {
  return [...code.matchAll(/^export\s+(type\s+)?\{([^}]*)\}\s*from\s*'([^']+)'/gm)].flatMap((match) =>
    (match[2] ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const typeOnly = match[1] !== undefined || entry.startsWith('type ');
        const name = entry.replace(/^type\s+/, '').split(/\s+as\s+/).at(-1) ?? entry;
        return { name, type: typeOnly, from: path.normalize(match[3]!.replace(/\.js$/, '.ts')) };
      }),
  );
}

/** The TSDoc comment right before the declaration of `name` in `code`: its text, none, or no such declaration. */
function tsDocOf(code: string, name: string): string | undefined | 'not declared' {
  const declaration = new RegExp(
    `^export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:function\\*?|class|interface|type|const|let|enum)\\s+${name}\\b`,
    'm',
  ).exec(code);
  if (declaration === null) return 'not declared';
  const before = code.slice(0, declaration.index).trimEnd();
  const start = before.lastIndexOf('/**');
  return before.endsWith('*/') && start > before.lastIndexOf('*/', before.length - 3) ? before.slice(start) : undefined;
}

/** Whether the declaration of `name` in `code` is preceded by a TSDoc comment. */
function hasTsDoc(code: string, name: string): boolean | 'not declared' {
  const doc = tsDocOf(code, name);
  return doc === 'not declared' ? doc : doc !== undefined;
}

describe('public API', () => {
  const index = read('index.ts');
  const names = exportedNames(index);

  it('exports exactly the pinned runtime names, fewer than 70', () => {
    expect(Object.keys(api).sort()).toEqual([...RUNTIME].sort());
    expect(RUNTIME.length).toBeLessThan(70);
  });

  it('names every export explicitly: no export *, and the parsed list is the pinned one', () => {
    expect(index).not.toMatch(/^export\s+(type\s+)?\*/m);
    // Each statement of index.ts is read, so a name hidden from the parser would be missing here.
    expect(index.match(/^export\b/gm)?.length).toBe(index.match(/^export\s+(type\s+)?\{[^}]*\}\s*from\s*'[^']+';/gm)?.length);
    expect(names.filter((entry) => !entry.type).map((entry) => entry.name).sort()).toEqual([...RUNTIME].sort());
    expect(names.filter((entry) => entry.type).map((entry) => entry.name).sort()).toEqual([...TYPES].sort());
  });

  it('has TSDoc on the declaration of every export', () => {
    const missing = names
      .map((entry) => ({ ...entry, doc: hasTsDoc(read(entry.from), entry.name) }))
      .filter((entry) => entry.doc !== true)
      .map((entry) => `${entry.name} (src/${entry.from})${entry.doc === 'not declared' ? ': not declared there' : ''}`);
    expect(missing).toEqual([]);
  });

  it('links from TSDoc only to names the API exports (a reader of the API cannot follow the others)', () => {
    const exported = new Set(names.map((entry) => entry.name));
    const broken = names.flatMap((entry) => {
      const doc = tsDocOf(read(entry.from), entry.name);
      if (doc === undefined || doc === 'not declared') return [];
      return [...doc.matchAll(/\{@link\s+([A-Za-z_$][\w$]*)/g)]
        .map((link) => link[1] ?? '')
        .filter((target) => !exported.has(target))
        .map((target) => `${entry.name} (src/${entry.from}) links ${target}`);
    });
    expect(broken).toEqual([]);
  });

  it('exports the plan JSON Schema as plain data, the same as the generated one', () => {
    expect(api.PLAN_JSON_SCHEMA).toEqual(planJsonSchema());
    expect(JSON.parse(JSON.stringify(api.PLAN_JSON_SCHEMA))).toEqual(api.PLAN_JSON_SCHEMA);
  });
});

describe('the TSDoc check', () => {
  it('tells a documented declaration from an undocumented one', () => {
    expect(hasTsDoc('/** Doc. */\nexport interface A {}\n', 'A')).toBe(true);
    expect(hasTsDoc('/* not TSDoc */\nexport interface A {}\n', 'A')).toBe(false);
    expect(hasTsDoc('/** Doc of B. */\nexport type B = 1;\nexport interface A {}\n', 'A')).toBe(false);
    expect(hasTsDoc('export interface AB {}\n', 'A')).toBe('not declared');
  });
});

import path from 'node:path';
import { unmatchedFileGlobs } from './unmatched-globs.js';
import { repositoryAliases } from './repository-aliases.js';
import { estimateRun } from './run-estimate.js';
import type { AgentDefinitionSource } from '../contracts/agent-definitions.js';
import { FanoutError, isFanoutError } from '../contracts/errors.js';
import type { Model, ModelResolver } from '../contracts/model.js';
import { isSimulated } from '../contracts/sim-options.js';
import type { Pricer, PriceLookup } from '../contracts/pricing.js';
import { analyzePlan, loadPlanFile, normalizePlan } from '../plan/index.js';
import type { ExecutionDag, Plan } from '../contracts/plan.js';
import type { PlanInput, RunEstimate, SpawnOptions } from '../contracts/fanout.js';
import { checkBudgetsPriced } from './run-costs.js';
import { COMMAND_PROVIDER, isWholeAgent } from '../contracts/whole-agent.js';
import { wholeAgentOptions } from './whole-agent-task.js';
import { effectivePlan } from './run-records.js';
import { resolveAgents } from './task-agents.js';
import { taskEnvironments, type ShellSandboxMode } from './task-environment.js';
import type { WorktreeManager } from '../contracts/workspace.js';
import type { ResolvedAgent } from '../contracts/records.js';

/** How error messages name a plan that did not come from a file. */
export const DEFAULT_PLAN_SOURCE = 'plan';

/** The models a run uses, resolved, with their prices. */
export interface RunModels {
  /** By model spec: every task's and the run's own (the synthesis's). */
  models: Map<string, Model>;
  /** Pricers by the same specs; undefined where the price is unknown. */
  pricers: Map<string, Pricer | undefined>;
  /** Whether a model that answers in this run (a task's, or the synthesis's unless it is off) is the simulated one. */
  simulated: boolean;
}

/**
 * A plan that passed every check of spawn: as it will run, with its DAG,
 * agent definitions, models and the spawn options that are not applied to
 * the plan itself.
 */
export interface CheckedPlan extends RunModels {
  /** The effective plan (see `effectivePlan`), as it is recorded. */
  plan: Plan;
  dag: ExecutionDag;
  agents?: Record<string, ResolvedAgent>;
  /** The run's name (SpawnOptions.name). */
  name?: string;
  /** The synthesis that replaces the LLM's (SpawnOptions.synthesize). */
  synthesize?: SpawnOptions['synthesize'];
  estimate: RunEstimate;
  warnings: string[];
}

/** What checking a run needs from the engine. */
export interface RunCheckContext {
  models: ModelResolver;
  pricing: PriceLookup;
  /** Model spec used where neither the task, the plan nor the options name one. */
  defaultModel: string;
  /** Where the tasks' agent definitions come from (none: a task naming one is refused), and the working directory they are seen from. */
  agents: AgentDefinitionSource | undefined;
  cwd: string;
  workspaces: WorktreeManager | undefined;
  shellSandbox: ShellSandboxMode;
}

/**
 * The one validation of a batch that spawn, prepare and check share: the
 * plan file read, the plan's schema, its agent definitions, the spawn
 * options, independence (conflicts rejected with `strict`), every model
 * resolved, and a price for every budget. Throws the first one-line
 * FanoutError, naming the plan by `options.source` (default: the plan
 * file); records and starts nothing, calls no model.
 */
export function checkRun(input: PlanInput, options: SpawnOptions, ctx: RunCheckContext): CheckedPlan {
  const source = options.source ?? (typeof input === 'string' ? input : DEFAULT_PLAN_SOURCE);
  const normalized = typeof input === 'string' ? loadPlanFile(input) : normalizePlan(input, source);
  const agents = resolveAgents(normalized, ctx, source);
  const plan = effectivePlan(normalized, options, ctx.defaultModel, agents);
  // Write scopes meet the repository's real files: globs that look apart but reach one file through a link conflict.
  const dag = analyzePlan(plan, { strict: options.strict === true, source, aliases: repositoryAliases(ctx.cwd, plan) });
  const resolved = resolveRunModels(plan, ctx, source, agentModelFields(normalized, options, agents, ctx.cwd));
  const fallback = plan.model ?? ctx.defaultModel;
  taskEnvironments(plan, agents, {
    cwd: ctx.cwd,
    workspaces: ctx.workspaces,
    shellSandbox: ctx.shellSandbox,
    source,
    wholeAgent: (spec) => runsWholeAgent(resolved.models.get(spec.model ?? fallback)),
  });
  checkWholeAgents(plan, resolved.models, { defaultModel: ctx.defaultModel, synthesizes: options.synthesize === undefined, source, cwd: ctx.cwd });
  checkBudgetsPriced(plan, resolved.pricers, {
    defaultModel: ctx.defaultModel,
    synthesizes: options.synthesize === undefined,
    source,
    reportsCost: (spec, task) => {
      const model = resolved.models.get(spec);
      return model !== undefined && isWholeAgent(model) && model.reportsCost(wholeAgentOptions(task));
    },
  });
  const unmatched = unmatchedFileGlobs(plan, ctx.cwd);
  const warnings = unmatched.map(({ field, taskId, glob }) => `${source}: ${field}: "${glob}" matches no file in ${ctx.cwd} (task ${taskId})`);
  // Strict: a typo'd path is an error, like a conflict.
  if (options.strict === true && unmatched[0] !== undefined) {
    throw new FanoutError('PLAN_INVALID', `${warnings[0]}; strict refuses a glob that matches nothing`, { where: `${source}: ${unmatched[0].field}` });
  }
  return {
    plan,
    dag,
    warnings,
    ...resolved,
    estimate: estimateRun(plan, resolved.pricers, {
      defaultModel: ctx.defaultModel,
      synthesizes: options.synthesize === undefined,
      ...(agents === undefined ? {} : { agents }),
    }),
    ...(agents === undefined ? {} : { agents }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.synthesize === undefined ? {} : { synthesize: options.synthesize }),
  };
}

/**
 * Where the model of each task that took it from its agent definition was
 * written: `.claude/agents/x.md: model` (relative to `cwd` when inside it),
 * so an error about it points at the file the user wrote, not at a plan
 * field they never did. By task index.
 */
function agentModelFields(
  plan: Plan,
  options: SpawnOptions,
  agents: Readonly<Record<string, ResolvedAgent>> | undefined,
  cwd: string,
): Map<number, string> {
  const fields = new Map<number, string>();
  if (options.modelOverride !== undefined) return fields;
  plan.tasks.forEach((task, index) => {
    const agent = task.agent === undefined ? undefined : agents?.[task.agent];
    if (task.model !== undefined || agent?.model === undefined) return;
    const relative = path.relative(cwd, agent.source);
    fields.set(index, `${relative.startsWith('..') || path.isAbsolute(relative) ? agent.source : relative}: model`);
  });
  return fields;
}

/** Whether a resolved model is a whole agent. */
export function runsWholeAgent(model: Model | undefined): boolean {
  return model !== undefined && isWholeAgent(model);
}

/**
 * Refuses, one line naming the field, what whole agents cannot run: a task
 * the agent finds fault with (`command` without a template, a program not
 * on PATH), a budget on a task whose agent reports no cost, a `command`
 * field on a task whose model does not read it, and the synthesis on a
 * whole agent (it answers no single call).
 */
function checkWholeAgents(
  plan: Plan,
  models: ReadonlyMap<string, Model>,
  options: { defaultModel: string; synthesizes: boolean; source: string; cwd: string },
): void {
  const { source } = options;
  const fallback = plan.model ?? options.defaultModel;
  plan.tasks.forEach((task, index) => {
    const spec = task.model ?? fallback;
    const model = models.get(spec);
    const where = `${source}: tasks[${index}]`;
    if (task.command !== undefined && model?.provider !== COMMAND_PROVIDER) {
      throw new FanoutError('PLAN_INVALID', `${where}.command: only model "command" runs a command, and task ${task.id} has model "${spec}"`, {
        where: `${where}.command`,
      });
    }
    if (model === undefined || !isWholeAgent(model)) return;
    const wholeOptions = wholeAgentOptions(task);
    const problem = model.checkTask?.(wholeOptions, options.cwd);
    if (problem !== undefined) throw new FanoutError('PLAN_INVALID', `${where}: ${problem}`, { where });
    const budget = task.budgetUsd !== undefined ? `${where}.budgetUsd` : plan.budgetUsd !== undefined ? `${source}: budgetUsd` : undefined;
    if (budget !== undefined && !model.reportsCost(wholeOptions)) {
      throw new FanoutError(
        'PLAN_INVALID',
        `${budget}: model "${spec}" reports no cost for task ${task.id}, so the budget cannot be enforced (see docs/agents.md: a command template reports it with usage.costUsd)`,
        { where: budget },
      );
    }
  });
  const synthesis = models.get(fallback);
  if (options.synthesizes && plan.synthesis !== false && synthesis !== undefined && isWholeAgent(synthesis)) {
    throw new FanoutError(
      'PLAN_INVALID',
      `${source}: model: "${fallback}" runs whole tasks and cannot write the synthesis; name it per task (tasks[].model) or set synthesis: false`,
      { where: `${source}: model` },
    );
  }
}

/**
 * Resolves every model the run may use (each task's, and the run's own for
 * the synthesis), so a bad spec fails before anything is recorded, and looks
 * up each one's price once.
 */
export function resolveRunModels(
  plan: Plan,
  ctx: Pick<RunCheckContext, 'models' | 'pricing' | 'defaultModel'>,
  source?: string,
  fromAgents: ReadonlyMap<number, string> = new Map(),
): RunModels {
  const models = new Map<string, Model>();
  const pricers = new Map<string, Pricer | undefined>();
  const fallback = plan.model ?? ctx.defaultModel;
  const where = (field: string): string | undefined => (source === undefined ? undefined : `${source}: ${field}`);
  const uses: Array<[spec: string, where: string | undefined]> = [
    [fallback, where('model')],
    ...plan.tasks.map((task, index): [string, string | undefined] => [task.model ?? fallback, fromAgents.get(index) ?? where(`tasks[${index}].model`)]),
  ];
  for (const [spec, named] of uses) {
    if (models.has(spec)) continue;
    const model = resolveNamed(ctx.models, spec, named);
    models.set(spec, model);
    pricers.set(spec, ctx.pricing(model.spec));
  }
  // Only models that answer something label the run: a fallback that no task uses and no synthesis calls does not.
  const called = plan.tasks.map((task) => task.model ?? fallback);
  if (plan.synthesis !== false) called.push(fallback);
  const simulated = called.some((spec) => {
    const model = models.get(spec);
    return model !== undefined && isSimulated(model);
  });
  return { models, pricers, simulated };
}

/**
 * Runs `Model.preflight` once for every distinct model the run will call
 * (its tasks', and the synthesis's unless a `synthesize` function replaces
 * it or the plan turns the synthesis off), all at once. Rejects with the failure of the
 * first of them in plan order, so the error does not depend on timing.
 */
export async function preflightModels(
  checked: CheckedPlan,
  options: { defaultModel: string; signal?: AbortSignal },
): Promise<void> {
  const { plan, models } = checked;
  const fallback = plan.model ?? options.defaultModel;
  const specs = plan.tasks.map((task) => task.model ?? fallback);
  if (checked.synthesize === undefined && plan.synthesis !== false) specs.push(fallback);
  const called = new Set<Model>();
  for (const spec of specs) {
    const model = models.get(spec);
    if (model !== undefined) called.add(model);
  }
  const results = await Promise.allSettled([...called].map((model) => model.preflight?.(options.signal)));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/** Resolves a spec; a MODEL_CONFIG error is prefixed with where the spec was written (`plan.yaml: tasks[2].model`). */
function resolveNamed(models: ModelResolver, spec: string, where: string | undefined): Model {
  try {
    return models.resolve(spec);
  } catch (error) {
    if (where === undefined || !isFanoutError(error, 'MODEL_CONFIG')) throw error;
    throw new FanoutError('MODEL_CONFIG', `${where}: ${error.message}`, { cause: error, where });
  }
}

import type { AgentDefinitionSource } from '../contracts/agent-definitions.js';
import { FanoutError, toFanoutError } from '../contracts/errors.js';
import { renderSystemPrompt } from '../plan/index.js';
import type { Plan, TaskSpec } from '../contracts/plan.js';
import type { ResolvedAgent } from '../contracts/records.js';

/**
 * The agent definitions the plan's tasks name (`agent:`), by name, read
 * once from `ctx.agents` as seen from `ctx.cwd`; undefined when no task
 * names one. Throws the one-line FanoutError `PLAN_INVALID` of an unknown
 * name or a broken definition file, prefixed with where the plan (named by
 * `source`, its file path) names the agent; without a source of agent
 * definitions every name is unknown.
 */
export function resolveAgents(
  plan: Plan,
  ctx: { agents: AgentDefinitionSource | undefined; cwd: string },
  source = 'plan',
): Record<string, ResolvedAgent> | undefined {
  const names = new Set<string>();
  for (const task of plan.tasks) if (task.agent !== undefined) names.add(task.agent);
  if (names.size === 0) return undefined;
  const find = ctx.agents?.load(ctx.cwd) ?? noAgents;
  const resolved: Record<string, ResolvedAgent> = {};
  for (const name of names) {
    try {
      resolved[name] = find(name);
    } catch (error) {
      const where = `${source}: tasks[${plan.tasks.findIndex((task) => task.agent === name)}].agent`;
      throw new FanoutError('PLAN_INVALID', `${where}: ${toFanoutError(error).message}`, { cause: error, where });
    }
  }
  return resolved;
}

function noAgents(name: string): never {
  throw new FanoutError('PLAN_INVALID', `unknown agent "${name}" (this Fanout has no agent definitions: FanoutOptions.agents)`);
}

/**
 * A task's system prompt. With an agent definition that has a prompt of its
 * own, that prompt takes the place of the template's role sentence and the
 * template's other sections (task, context, files, output format, focus,
 * write scope) follow it.
 */
export function taskSystemPrompt(spec: TaskSpec, agent: ResolvedAgent | undefined): string {
  return renderSystemPrompt(spec, agent === undefined ? {} : { rolePrompt: agent.systemPrompt });
}

import { findAgent, loadAgentDefinitions, type AgentDefinition, type AgentLookupOptions } from '../agents/index.js';
import { FanoutError, toFanoutError } from '../contracts/errors.js';
import { renderSystemPrompt } from '../plan/index.js';
import type { Plan, TaskSpec } from '../contracts/plan.js';
import type { ResolvedAgent } from '../contracts/records.js';

/**
 * The agent definitions the plan's tasks name (`agent:`), by name, read
 * once from the project's and the user's `.claude/agents/`; undefined when
 * no task names one. Throws the one-line FanoutError `PLAN_INVALID` of a
 * definition file with bad frontmatter (naming the file), or of an unknown
 * name (naming the plan by `source`, its file path, and the task's field).
 */
export function resolveAgents(
  plan: Plan,
  lookup: AgentLookupOptions,
  source = 'plan',
): Record<string, ResolvedAgent> | undefined {
  const names = new Set<string>();
  for (const task of plan.tasks) if (task.agent !== undefined) names.add(task.agent);
  if (names.size === 0) return undefined;
  const { agents } = loadAgentDefinitions(lookup);
  const resolved: Record<string, ResolvedAgent> = {};
  for (const name of names) {
    const definition = agents.find((agent) => agent.name === name) ?? unknownAgent(plan, name, lookup, source);
    resolved[name] = asResolved(definition);
  }
  return resolved;
}

/** Throws findAgent's message (it names the directories searched and what they hold), prefixed with where the plan names the agent. */
function unknownAgent(plan: Plan, name: string, lookup: AgentLookupOptions, source: string): AgentDefinition {
  try {
    // Found after all when a definition was added since the directories were read.
    return findAgent(name, lookup);
  } catch (error) {
    const where = `${source}: tasks[${plan.tasks.findIndex((task) => task.agent === name)}].agent`;
    throw new FanoutError('PLAN_INVALID', `${where}: ${toFanoutError(error).message}`, { cause: error, where });
  }
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

function asResolved(definition: AgentDefinition): ResolvedAgent {
  const { name, source, systemPrompt, tools, model, maxTurns } = definition;
  return {
    name,
    source,
    systemPrompt,
    ...(tools === undefined ? {} : { tools: [...tools] }),
    ...(model === undefined ? {} : { model }),
    ...(maxTurns === undefined ? {} : { maxTurns }),
  };
}

import { findAgent, loadAgentDefinitions, type AgentDefinition, type AgentLookupOptions } from '../agents/index.js';
import { renderSystemPrompt } from '../plan/index.js';
import type { Plan, TaskSpec } from '../plan/types.js';
import type { ResolvedAgent } from './types.js';

/**
 * The agent definitions the plan's tasks name (`agent:`), by name, read
 * once from the project's and the user's `.claude/agents/`; undefined when
 * no task names one. Throws the one-line FanoutError `PLAN_INVALID` of an
 * unknown name or a definition file with bad frontmatter.
 */
export function resolveAgents(plan: Plan, lookup: AgentLookupOptions): Record<string, ResolvedAgent> | undefined {
  const names = new Set<string>();
  for (const task of plan.tasks) if (task.agent !== undefined) names.add(task.agent);
  if (names.size === 0) return undefined;
  const { agents } = loadAgentDefinitions(lookup);
  const resolved: Record<string, ResolvedAgent> = {};
  for (const name of names) {
    // findAgent throws the message that names the directories searched and what they hold.
    const definition = agents.find((agent) => agent.name === name) ?? findAgent(name, lookup);
    resolved[name] = asResolved(definition);
  }
  return resolved;
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

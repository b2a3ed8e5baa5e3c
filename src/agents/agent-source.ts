import { homedir } from 'node:os';
import type { AgentDefinitionSource } from '../contracts/agent-definitions.js';
import type { ResolvedAgent } from '../contracts/records.js';
import type { AgentDefinition } from './agent-definition.js';
import { findLoadedAgent, loadAgentDefinitions } from './load-agent-definitions.js';

/**
 * Claude Code's agent definitions as the engine's source of them: a run
 * reads `<cwd>/.claude/agents/` and `<home>/.claude/agents/` once, when it
 * is checked. `home` defaults to os.homedir().
 */
export function claudeCodeAgentSource(options: { home?: string } = {}): AgentDefinitionSource {
  return {
    load(cwd) {
      const lookup = { cwd, home: options.home ?? homedir() };
      const loaded = loadAgentDefinitions(lookup);
      return (name) => asResolved(findLoadedAgent(name, loaded, lookup));
    },
  };
}

/** What a run keeps of a definition (it is stored with the run). */
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

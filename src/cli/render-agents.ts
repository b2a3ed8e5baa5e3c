import type { AgentDefinition, AgentScope, LoadedAgentDefinitions } from '../index.js';
import { formatColumns, truncate } from './format.js';

/** Longest description shown per agent: its first line, cut here. */
const DESCRIPTION_WIDTH = 60;

function toolsCell(agent: AgentDefinition): string {
  if (agent.tools === undefined) return 'all tools';
  return agent.tools.length === 0 ? 'no tools' : agent.tools.join(', ');
}

/**
 * What `fanout agents` prints: where it looked, one row per definition
 * (name, scope, tools, model, description) with the file it came from and
 * the user definition it hides, then the warnings.
 */
export function renderAgents(loaded: LoadedAgentDefinitions, directories: ReadonlyArray<{ dir: string; scope: AgentScope }>): string[] {
  const looked = directories.map((entry) => `${entry.scope}: ${entry.dir}`).join('; ');
  const lines: string[] = [];
  if (loaded.agents.length === 0) {
    lines.push(`No agent definitions found (looked in ${looked}).`);
  } else {
    lines.push(`${loaded.agents.length} agent definition${loaded.agents.length === 1 ? '' : 's'} (looked in ${looked})`, '');
    const header = ['name', 'scope', 'tools', 'model', 'description'];
    const rows = loaded.agents.map((agent) => [
      agent.name,
      agent.scope,
      toolsCell(agent),
      agent.model ?? 'inherit',
      truncate(agent.description.split('\n')[0]?.trim() ?? '', DESCRIPTION_WIDTH),
    ]);
    const [head, ...body] = formatColumns([header, ...rows]);
    lines.push(`  ${head}`);
    loaded.agents.forEach((agent, index) => {
      lines.push(`  ${body[index]}`, `      ${agent.source}${agent.shadows === undefined ? '' : ` (shadows ${agent.shadows})`}`);
    });
  }
  if (loaded.warnings.length > 0) lines.push('', 'Warnings:', ...loaded.warnings.map((warning) => `  ! ${warning}`));
  return lines;
}

import { AGENT_TOOL_NAMES, type AgentToolName } from './agent-definition.js';

/**
 * Claude Code tool names and the fanout tool each one maps to. fanout's own
 * names are accepted as well, so one file can serve both.
 */
export const CLAUDE_CODE_TOOLS: Readonly<Record<string, AgentToolName>> = {
  Read: 'read_file',
  Write: 'write_file',
  Edit: 'edit_file',
  // MultiEdit is several Edits in one call; edit_file covers the same ground one edit at a time.
  MultiEdit: 'edit_file',
  Glob: 'list_files',
  LS: 'list_files',
  Grep: 'grep',
  // Bash gives the task fanout's sandboxed shell.
  Bash: 'bash',
};

/**
 * Claude Code's model aliases and the fanout model spec each one stands for:
 * the current model of each family (none the Anthropic SDK lists as deprecated).
 */
export const CLAUDE_CODE_MODEL_ALIASES: Readonly<Record<string, string>> = {
  sonnet: 'anthropic:claude-sonnet-5-5',
  opus: 'anthropic:claude-opus-5-5',
  haiku: 'anthropic:claude-haiku-5-5',
};

/** The result of mapping a frontmatter tool list. */
export interface MappedTools {
  /** fanout tools, without duplicates, in the order first named. */
  tools: AgentToolName[];
  /** Names that fanout has no tool for, as written (e.g. `Bash(git:*)`). */
  unknown: string[];
}

/**
 * Maps Claude Code tool names to fanout's. Entries may carry a Claude Code
 * permission pattern (`Bash(git:*)`); it is ignored, the base name decides.
 */
export function mapClaudeCodeTools(names: readonly string[]): MappedTools {
  const tools: AgentToolName[] = [];
  const unknown: string[] = [];
  for (const entry of names) {
    const base = entry.replace(/\(.*\)$/s, '').trim();
    const tool = CLAUDE_CODE_TOOLS[base] ?? (isAgentToolName(base) ? base : undefined);
    if (tool === undefined) unknown.push(entry);
    else if (!tools.includes(tool)) tools.push(tool);
  }
  return { tools, unknown };
}

/**
 * Maps a frontmatter `model` to a fanout model spec: an alias to its model,
 * `inherit` to none (the task's or plan's model applies), a spec that already
 * names its provider (`openai:gpt-4o`, `sim`) as it is, and any other id to
 * the Anthropic provider, which is where Claude Code sends it.
 */
export function mapClaudeCodeModel(model: string): string | undefined {
  const value = model.trim();
  if (value === 'inherit') return undefined;
  const alias = CLAUDE_CODE_MODEL_ALIASES[value];
  if (alias !== undefined) return alias;
  if (value === 'sim' || value.includes(':')) return value;
  return `anthropic:${value}`;
}

function isAgentToolName(name: string): name is AgentToolName {
  return (AGENT_TOOL_NAMES as readonly string[]).includes(name);
}

/** Where an agent definition was found: the project's `.claude/agents/` or the user's `~/.claude/agents/`. */
export type AgentScope = 'project' | 'user';

/** The subagent tools of fanout that an agent definition can allow. */
export const AGENT_TOOL_NAMES = ['read_file', 'write_file', 'edit_file', 'list_files', 'grep', 'bash'] as const;

/** The tools of an agent whose file does not list them: the file tools (the shell only when named). */
export const DEFAULT_AGENT_TOOLS: readonly AgentToolName[] = ['read_file', 'write_file', 'edit_file', 'list_files', 'grep'];

/** One of {@link AGENT_TOOL_NAMES}. */
export type AgentToolName = (typeof AGENT_TOOL_NAMES)[number];

/**
 * A subagent defined in Claude Code's format: a Markdown file whose YAML
 * frontmatter names and describes the agent and whose body is its system
 * prompt. See docs/agents.md.
 */
export interface AgentDefinition {
  /** The frontmatter `name`: what a task's `agent:` refers to. */
  name: string;
  /** The frontmatter `description`: when to use the agent. */
  description: string;
  /**
   * The tools the agent may use, in fanout's names. Absent when the file does
   * not restrict tools (Claude Code's meaning of an omitted `tools`): every tool.
   */
  tools?: AgentToolName[];
  /** A fanout model spec such as `anthropic:claude-sonnet-5-5`; absent for `inherit` or no `model`. */
  model?: string;
  /** The frontmatter `maxTurns`, when set. */
  maxTurns?: number;
  /** The Markdown body, trimmed: the agent's system prompt. */
  systemPrompt: string;
  /** Absolute path of the file the definition was read from. */
  source: string;
  scope: AgentScope;
  /** For a project definition: the user definition with the same name that it hides. */
  shadows?: string;
  /** Things in the file that fanout ignored (tools it does not have, ...), one line each. */
  warnings: string[];
}

import type { ResolvedAgent } from './records.js';

/**
 * Finds an agent definition by the name a task's `agent:` gives, among the
 * definitions read by {@link AgentDefinitionSource.load}. Throws FanoutError
 * `PLAN_INVALID` in one line: for an unknown name, naming where it looked
 * and what it found; for a definition whose file is broken, naming the file.
 */
export type AgentLookup = (name: string) => ResolvedAgent;

/**
 * Where the agent definitions that tasks name come from. The composition
 * root supplies Claude Code's `.claude/agents/*.md` files (src/agents).
 */
export interface AgentDefinitionSource {
  /** Reads the definitions visible from the working directory `cwd`, once; the lookup answers from what was read. */
  load(cwd: string): AgentLookup;
}

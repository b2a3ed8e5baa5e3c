import { resolve } from 'node:path';
import { ExitCode } from '../exit-codes.js';
import { writeLines, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { agentsHomeOf } from '../library.js';
import { renderAgents } from '../render-agents.js';

/** Flags of `fanout agents`. */
export interface AgentsFlags {
  json?: boolean;
  cwd?: string;
}

/**
 * `fanout agents`: the agent definitions (Claude Code format) found in the
 * working directory's `.claude/agents/` and in `~/.claude/agents/`. A file
 * with bad frontmatter stops it with one line (exit 2).
 */
export async function agentsCommand(flags: AgentsFlags, io: CliIo): Promise<number> {
  const { agentDirectories, loadAgentDefinitions } = await import('../../agents/index.js');
  const lookup = { cwd: resolve(io.cwd, flags.cwd ?? '.'), home: agentsHomeOf(io) };
  const loaded = loadAgentDefinitions(lookup);
  const directories = agentDirectories(lookup);
  if (flags.json) {
    io.stdout.write(jsonLine({ directories, agents: loaded.agents, warnings: loaded.warnings }));
  } else {
    writeLines(io.stdout, renderAgents(loaded, directories));
  }
  return ExitCode.ok;
}

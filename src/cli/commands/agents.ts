import { ExitCode } from '../exit-codes.js';
import { writeLines, type CliIo } from '../io.js';
import { jsonLine } from '../json-lines.js';
import { agentsHomeOf } from '../library.js';
import { renderAgents } from '../render-agents.js';
import { workingDirOf } from '../working-dir.js';

/** Flags of `fanout agents`. */
export interface AgentsFlags {
  json?: boolean;
  cwd?: string;
}

/**
 * `fanout agents`: the agent definitions (Claude Code format) found in the
 * working directory's `.claude/agents/` and in `~/.claude/agents/`. A file
 * that cannot be loaded is listed among the warnings (and under `invalid`
 * with `--json`); a task naming its agent fails its check.
 */
export async function agentsCommand(flags: AgentsFlags, io: CliIo): Promise<number> {
  const lookup = { cwd: workingDirOf(io.cwd, flags.cwd), home: agentsHomeOf(io) };
  const { agentDirectories, loadAgentDefinitions } = await import('../../agents/index.js');
  const loaded = loadAgentDefinitions(lookup);
  const directories = agentDirectories(lookup);
  if (flags.json) {
    io.stdout.write(jsonLine({ directories, agents: loaded.agents, warnings: loaded.warnings, invalid: loaded.invalid ?? [] }));
  } else {
    writeLines(io.stdout, renderAgents(loaded, directories));
  }
  return ExitCode.ok;
}

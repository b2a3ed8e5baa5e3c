import { homedir } from 'node:os';
import type { Fanout } from '../engine/api.js';
import type { RunStore } from '../store/run-store.js';
import type { CliIo } from './io.js';

// The library is imported on demand: it pulls in SQLite and the model SDKs,
// which `--help` and `--version` must not pay for.

/** The store directory for this invocation (`$FANOUT_HOME` or `./.fanout`), absolute. */
export async function homeOf(io: CliIo): Promise<string> {
  const { fanoutHome } = await import('../compose.js');
  return fanoutHome(io.env);
}

/** A Fanout on the default store and models (or `io.createFanout`'s); `cwd` confines its subagents. */
export async function openFanout(io: CliIo, cwd: string = io.cwd): Promise<Fanout> {
  if (io.createFanout !== undefined) return io.createFanout(cwd);
  const { createDefaultFanout, fanoutHome } = await import('../compose.js');
  return createDefaultFanout({ home: fanoutHome(io.env), env: io.env, cwd, agentsHome: agentsHomeOf(io) });
}

/**
 * The home directory whose `.claude/agents/` holds the user's agent
 * definitions: `$HOME` of this invocation's environment, as os.homedir()
 * reads it from the process's, so `fanout agents` and the tasks agree.
 */
export function agentsHomeOf(io: CliIo): string {
  return io.env.HOME || homedir();
}

/** The run store alone, for read-only commands (`status`, `runs`). */
export async function openStore(io: CliIo): Promise<RunStore> {
  const [{ fanoutHome }, { openRunStore }] = await Promise.all([import('../compose.js'), import('../store/index.js')]);
  return openRunStore(fanoutHome(io.env));
}

/** Runs `body` with a Fanout and always closes it. */
export async function withFanout<T>(io: CliIo, cwd: string | undefined, body: (fanout: Fanout) => Promise<T>): Promise<T> {
  const fanout = await openFanout(io, cwd);
  try {
    return await body(fanout);
  } finally {
    await fanout.close();
  }
}

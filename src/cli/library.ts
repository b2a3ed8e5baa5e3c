import { homedir } from 'node:os';
import type { CheckedRun, Fanout, PlanInput, SpawnOptions } from '../contracts/fanout.js';
import type { CliIo } from './io.js';

// The library is imported on demand: it pulls in SQLite and the model SDKs,
// which `--help` and `--version` must not pay for.

/** The store directory for this invocation (`$FANOUT_HOME` or `./.fanout`), absolute. */
export async function homeOf(io: CliIo): Promise<string> {
  const { fanoutHome } = await import('../compose.js');
  return fanoutHome(io.env);
}

/**
 * A Fanout of the composition root (or `io.createFanout`'s); `cwd` confines
 * its subagents. `persist: false`: one that can check plans but records
 * nothing, so `fanout check` and the demo's up-front check never create or
 * open `$FANOUT_HOME` — with the same models, prices, agents and protected
 * paths as the one that runs.
 */
export async function openFanout(io: CliIo, cwd: string = io.cwd, options: { persist?: boolean } = {}): Promise<Fanout> {
  if (io.createFanout !== undefined) return io.createFanout(cwd);
  const { createDefaultFanout, fanoutHome } = await import('../compose.js');
  return createDefaultFanout({ home: fanoutHome(io.env), env: io.env, cwd, agentsHome: agentsHomeOf(io), ...options });
}

/**
 * Everything a run would check of `plan` in `cwd` (schema, independence,
 * agents, models and their endpoints, budgets), without recording anything.
 * Throws the one-line FanoutError the run would. The checked run it returns
 * can be read, not spawned: its Fanout is closed.
 */
export async function checkPlan(io: CliIo, cwd: string, plan: PlanInput, options: Omit<SpawnOptions, 'signal' | 'onEvent'>): Promise<CheckedRun> {
  const fanout = await openFanout(io, cwd, { persist: false });
  try {
    return await fanout.check(plan, options);
  } finally {
    await fanout.close();
  }
}

/**
 * The home directory whose `.claude/agents/` holds the user's agent
 * definitions: `$HOME` of this invocation's environment, as os.homedir()
 * reads it from the process's, so `fanout agents` and the tasks agree.
 */
export function agentsHomeOf(io: CliIo): string {
  return io.env.HOME || homedir();
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

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FanoutError } from '../contracts/errors.js';
import type { CheckedRun, Fanout, PlanInput, SpawnOptions } from '../contracts/fanout.js';
import type { CliIo } from './io.js';

// The library is imported on demand: it pulls in SQLite and the model SDKs,
// which `--help` and `--version` must not pay for.

/** The store directory for this invocation (`$FANOUT_HOME`, else the nearest `.fanout` up from the current directory, else `./.fanout`), absolute. */
export async function homeOf(io: CliIo): Promise<string> {
  const { fanoutHome } = await import('../compose.js');
  return fanoutHome(io.env, io.cwd);
}

/**
 * The store directory of a command that only reads runs (or acts on
 * existing ones): throws NOT_FOUND in one line naming where it looked when
 * there is no store, so such a command never creates one.
 */
export async function existingHomeOf(io: CliIo): Promise<string> {
  const { locateFanoutHome } = await import('../compose.js');
  const { home, source, from } = locateFanoutHome(io.env, io.cwd);
  // A test's injected Fanout has its own store.
  if (io.createFanout !== undefined || existsSync(join(home, 'fanout.db'))) return home;
  const start = 'start one with: fanout run <plan> or fanout demo';
  if (source === 'env') throw new FanoutError('NOT_FOUND', `no fanout store in FANOUT_HOME=${home} (no runs there yet); ${start}`);
  if (source === 'found') throw new FanoutError('NOT_FOUND', `no fanout store in ${home} (no runs there yet); ${start}`);
  throw new FanoutError('NOT_FOUND', `no fanout store: no .fanout directory in ${from} or its parents, and FANOUT_HOME is not set; ${start}`);
}

/**
 * A Fanout of the composition root (or `io.createFanout`'s); `cwd` confines
 * its subagents. `persist: false`: one that can check plans but records
 * nothing, so `fanout check` never creates or opens `$FANOUT_HOME` — with the same models, prices, agents and protected
 * paths as the one that runs.
 */
export async function openFanout(io: CliIo, cwd: string = io.cwd, options: { persist?: boolean; home?: string; shellReadPaths?: readonly string[] } = {}): Promise<Fanout> {
  if (io.createFanout !== undefined) return io.createFanout(cwd);
  const { createDefaultFanout } = await import('../compose.js');
  return createDefaultFanout({ home: options.home ?? (await homeOf(io)), env: io.env, cwd, agentsHome: agentsHomeOf(io), ...options });
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
 * Runs `body` with a Fanout on the existing store ({@link existingHomeOf}):
 * for commands that read runs or act on them, which must not create a store.
 */
export async function withExistingStore<T>(io: CliIo, body: (fanout: Fanout, home: string) => Promise<T>): Promise<T> {
  const home = await existingHomeOf(io);
  return withFanout(io, undefined, (fanout) => body(fanout, home), { home });
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
export async function withFanout<T>(
  io: CliIo,
  cwd: string | undefined,
  body: (fanout: Fanout) => Promise<T>,
  options: { home?: string; shellReadPaths?: readonly string[] } = {},
): Promise<T> {
  const fanout = await openFanout(io, cwd, options);
  try {
    return await body(fanout);
  } finally {
    await fanout.close();
  }
}

import { homedir } from 'node:os';
import type { Fanout, SpawnOptions } from '../engine/api.js';
import type { ExecutionDag, Plan } from '../contracts/plan.js';
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
 * A Fanout that can check plans but records nothing: the default models,
 * prices and agents of {@link openFanout}, on a memory store, so `fanout
 * check` and the demo's up-front check never create or open `$FANOUT_HOME`.
 */
async function openCheckingFanout(io: CliIo, cwd: string): Promise<Fanout> {
  if (io.createFanout !== undefined) return io.createFanout(cwd);
  const [{ createFanout }, { createModelResolver, defaultModelSpec }, { MemoryRunStore }, { fanoutHome, loadPriceTable }] = await Promise.all([
    import('../engine/index.js'),
    import('../models/index.js'),
    import('../store/index.js'),
    import('../compose.js'),
  ]);
  return createFanout({
    store: new MemoryRunStore(),
    models: createModelResolver({ env: io.env }),
    cwd,
    defaultModel: defaultModelSpec(io.env),
    prices: loadPriceTable(io.env, fanoutHome(io.env)),
    agentsHome: agentsHomeOf(io),
  });
}

/**
 * Everything a run would check of `plan` in `cwd` (schema, independence,
 * agents, models and their endpoints, budgets), without recording anything.
 * Throws the one-line FanoutError the run would.
 */
export async function checkPlan(io: CliIo, cwd: string, plan: Plan, options: Omit<SpawnOptions, 'signal'>): Promise<ExecutionDag> {
  const fanout = await openCheckingFanout(io, cwd);
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

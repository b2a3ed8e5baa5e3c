import type { Plan, SpawnOptions, TaskHandle, TaskSpec } from '../index.js';
import type { McpContext } from './mcp-context.js';

/** A run recorded and started in the background. */
export interface StartedRun {
  runId: string;
  handles: TaskHandle[];
}

/**
 * Checks a batch as `fanout run` does (schema, independence, agents, models
 * and their endpoints, budgets), records it, and hands it to a detached
 * process: nothing is recorded when a check fails, and the tasks outlive
 * this server. Throws the library's one-line FanoutError.
 */
export async function startRun(context: McpContext, plan: Plan | TaskSpec[], options: SpawnOptions): Promise<StartedRun> {
  // The run prepared is the one checked: the plan and its agent files are not read again.
  const prepared = context.fanout.prepare(await context.fanout.check(plan, options));
  await context.startDetached(prepared.runId);
  return { runId: prepared.runId, handles: prepared.handles };
}

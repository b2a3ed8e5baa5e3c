import { FanoutError } from '../../contracts/errors.js';
import type { WorktreeManager } from '../../contracts/workspace.js';
import { ExitCode } from '../exit-codes.js';
import { writeLines, type CliIo } from '../io.js';
import { existingHomeOf, withExistingStore } from '../library.js';
import { renderClean, renderConflicts, renderResolved } from '../render-changes.js';

async function manager(io: CliIo): Promise<WorktreeManager> {
  const { createWorktreeManager } = await import('../../index.js');
  return createWorktreeManager({ home: await existingHomeOf(io) });
}

/** `fanout diff <handle|run>`: a task branch's diff against its base, or the merged result's against the run's base. */
export async function diffCommand(target: string, io: CliIo): Promise<number> {
  const { run, task } = target.startsWith('task-')
    ? await withExistingStore(io, async (fanout) => {
        const view = fanout.status(target);
        const found = view.tasks.find((candidate) => candidate.handle === target);
        return { run: view.run.runId, task: found?.taskId };
      })
    : { run: target, task: undefined };
  const workspace = await (await manager(io)).openRun(run);
  io.stdout.write(await workspace.diff(task));
  return ExitCode.ok;
}

/**
 * `fanout merge <run> [--resolve]`: merges the run's task branches into
 * fanout/<run> again, with resolver subagents for conflicts when asked;
 * exit 1 when some conflict stands.
 */
export async function mergeCommand(run: string, flags: { resolve?: boolean }, io: CliIo): Promise<number> {
  const result =
    flags.resolve === true
      ? await withExistingStore(io, (fanout) => fanout.merge(run, { resolve: true }))
      : await (await (await manager(io)).openRun(run)).merge();
  writeLines(io.stdout, [
    `merged ${result.merged.length} task${result.merged.length === 1 ? '' : 's'} into ${result.branch} (${result.commit.slice(0, 12)})${result.merged.length > 0 ? `: ${result.merged.join(', ')}` : ''}`,
    ...renderResolved(result.resolved ?? []),
    ...renderConflicts(result.conflicts, run),
  ]);
  return result.conflicts.length === 0 ? ExitCode.ok : ExitCode.failed;
}

/** `fanout apply <run>`: moves the user's branch to fanout/<run>; refused (exit 2, nothing changed) with uncommitted changes. */
export async function applyCommand(run: string, io: CliIo): Promise<number> {
  const workspace = await (await manager(io)).openRun(run);
  const result = await workspace.apply();
  const moved = result.how === 'up-to-date' ? 'already holds it' : `${result.how}: ${result.from.slice(0, 12)} -> ${result.to.slice(0, 12)}`;
  io.stdout.write(`${workspace.resultBranch} applied to ${result.branch} (${moved})\n`);
  return ExitCode.ok;
}

/**
 * `fanout clean [run] [--force]`: removes the worktrees and merged branches
 * of a run (default: every run that is not running); branches with work
 * merged nowhere are kept and listed, or deleted and listed with --force.
 */
export async function cleanCommand(run: string | undefined, flags: { force?: boolean }, io: CliIo): Promise<number> {
  const worktrees = await manager(io);
  const active = await withExistingStore(io, async (fanout) =>
    new Set(fanout.runs(1000).filter((record) => ['queued', 'running', 'synthesizing'].includes(record.status)).map((record) => record.runId)),
  );
  const targets = run === undefined ? worktrees.runs().filter((id) => !active.has(id)) : [run];
  if (run !== undefined && active.has(run)) throw new FanoutError('OPTION_INVALID', `run ${run} is still running; stop it first (fanout stop ${run})`);
  if (targets.length === 0) {
    io.stdout.write('no finished run has worktrees or branches\n');
    return ExitCode.ok;
  }
  for (const target of targets) {
    const result = await (await worktrees.openRun(target)).clean({ force: flags.force === true });
    writeLines(io.stdout, renderClean(target, result));
  }
  return ExitCode.ok;
}

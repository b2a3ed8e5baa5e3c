import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FanoutError } from '../contracts/errors.js';
import type { MergeResult, TaskWorktree } from '../contracts/workspace.js';

/**
 * What fanout keeps about one run's worktrees, beside them in
 * `$FANOUT_HOME/worktrees/<run>/.run.json`, so that `merge`, `diff`, `apply`
 * and `clean` work from another process and after a crash.
 */
export interface RunRecord {
  version: 1;
  run: string;
  /** Top of the user's work tree. */
  repo: string;
  /** The repository's common git directory. */
  commonDir: string;
  /** Where the run was started, relative to `repo` (`.` for its top): tasks work at the same place in their worktrees. */
  subdir: string;
  /** The branch HEAD was on when the run started. */
  baseBranch: string;
  /** Its commit then: every task without dependencies starts from it, and the result is merged onto it. */
  baseCommit: string;
  /** Tasks by id, in the order their worktrees were made (dependencies first). */
  tasks: Record<string, TaskWorktree>;
  /** The last merge, once there was one. */
  merge?: MergeResult;
}

const RECORD_FILE = '.run.json';

/** Directory of a run's worktrees. */
export function runDirectory(worktreesRoot: string, run: string): string {
  return path.join(worktreesRoot, run);
}

/** Reads a run's record, or undefined when the run has none. */
export function readRunRecord(worktreesRoot: string, run: string): RunRecord | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(runDirectory(worktreesRoot, run), RECORD_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const record = JSON.parse(text) as RunRecord;
  if (record.version !== 1) {
    throw new FanoutError('WORKSPACE_FAILED', `worktree record of run ${run} has version ${String(record.version)}; this fanout reads version 1`);
  }
  return record;
}

/** Writes a run's record whole (through a rename, so a crash leaves the old or the new one). */
export function writeRunRecord(worktreesRoot: string, record: RunRecord): void {
  const dir = runDirectory(worktreesRoot, record.run);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, RECORD_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** Runs that have a worktree record, sorted by id. */
export function listRunRecords(worktreesRoot: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(worktreesRoot);
  } catch {
    return [];
  }
  return entries.filter((run) => readRunRecordSafe(worktreesRoot, run) !== undefined).sort();
}

function readRunRecordSafe(worktreesRoot: string, run: string): RunRecord | undefined {
  try {
    return readRunRecord(worktreesRoot, run);
  } catch {
    return undefined;
  }
}

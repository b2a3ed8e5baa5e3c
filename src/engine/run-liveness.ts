import type { RunRecord, TaskStatus } from '../contracts/records.js';

/** True for the statuses a task ends in. */
export function isTerminal(status: TaskStatus): boolean {
  return status !== 'queued' && status !== 'running';
}

/** True while a run has not reached a final status. */
export function isRunActive(run: RunRecord): boolean {
  return run.status === 'running' || run.status === 'synthesizing';
}

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True when a run is recorded as active but the process executing it is gone
 * (it crashed or was killed): such a run will never finish by itself.
 */
export function isRunOrphaned(run: RunRecord): boolean {
  return isRunActive(run) && run.pid !== undefined && run.pid !== process.pid && !isProcessAlive(run.pid);
}

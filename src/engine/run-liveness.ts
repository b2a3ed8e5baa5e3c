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
 * How long a lease lasts by default, ms: six renewals, so an event loop held
 * up for half a minute (a huge synchronous write, a debugger) is not taken
 * for a dead process, while a killed one is found out within 30 s.
 */
export const LEASE_TTL_MS = 30_000;
/** How often the process executing a run renews a lease of {@link LEASE_TTL_MS}, ms. */
export const LEASE_RENEW_MS = leaseRenewMs(LEASE_TTL_MS);

/** How often a lease of `leaseMs` is renewed: six times per lease. */
export function leaseRenewMs(leaseMs: number): number {
  return leaseMs / 6;
}

/**
 * True when a run is recorded as active but the process executing it is gone
 * (it crashed or was killed): such a run will never finish by itself. Judged
 * by the run's lease, which its process renews every {@link LEASE_RENEW_MS}:
 * the lease has passed `now`. A pid proves nothing across PID namespaces
 * (another container sees no such process), for a zombie (it exists but runs
 * nothing), or once the pid is reused. A run recorded by a version without
 * leases falls back to its pid; a run not started yet is never orphaned.
 */
export function isRunOrphaned(run: RunRecord, now: number): boolean {
  if (!isRunActive(run)) return false;
  if (run.leaseUntil !== undefined) return run.leaseUntil < now;
  return run.pid !== undefined && run.pid !== process.pid && !isProcessAlive(run.pid);
}

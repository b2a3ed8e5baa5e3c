import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, isRunOrphaned } from './run-liveness.js';
import type { RunRecord } from '../contracts/records.js';

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid ?? 0;
}

const run = (patch: Partial<RunRecord>): RunRecord =>
  ({ runId: 'r', name: 'n', status: 'running', createdAt: 0, cwd: '/', ...patch }) as RunRecord;

describe('run liveness', () => {
  it('tells a live process from one that has exited', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(deadPid())).toBe(false);
  });

  it('judges an active run by its lease alone: expired is orphaned, whatever its pid', () => {
    const gone = deadPid();
    const now = 1_000_000;
    // A live pid (this process, a zombie, a reused pid) does not keep an expired lease alive...
    expect(isRunOrphaned(run({ pid: process.pid, leaseUntil: now - 1 }), now)).toBe(true);
    // ...and a pid this process cannot see (another PID namespace) does not end a valid one.
    expect(isRunOrphaned(run({ pid: gone, leaseUntil: now }), now)).toBe(false);
    expect(isRunOrphaned(run({ leaseUntil: now - 1, status: 'succeeded' }), now)).toBe(false);
    expect(isRunOrphaned(run({ leaseUntil: now - 1, status: 'synthesizing' }), now)).toBe(true);
  });

  it('falls back to the pid for a run recorded without a lease, and never orphans a run not started', () => {
    const gone = deadPid();
    expect(isRunOrphaned(run({ pid: gone }), 0)).toBe(true);
    expect(isRunOrphaned(run({ pid: gone, status: 'succeeded' }), 0)).toBe(false);
    expect(isRunOrphaned(run({ pid: process.pid }), 0)).toBe(false);
    expect(isRunOrphaned(run({}), Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});

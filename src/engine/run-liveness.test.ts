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

  it('calls a run orphaned only when it is active and its process is gone', () => {
    const gone = deadPid();
    expect(isRunOrphaned(run({ pid: gone }))).toBe(true);
    expect(isRunOrphaned(run({ pid: gone, status: 'succeeded' }))).toBe(false);
    expect(isRunOrphaned(run({ pid: process.pid }))).toBe(false);
    expect(isRunOrphaned(run({}))).toBe(false);
  });
});

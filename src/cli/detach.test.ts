import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import type { Fanout, RunStatusView } from '../index.js';
import { awaitDetachedStart, spawnDetachedRun } from './detach.js';

describe('spawnDetachedRun', () => {
  it('without an entry script to start again: FanoutError INTERNAL naming the run, and no log file', () => {
    const home = join(mkdtempSync(join(tmpdir(), 'fanout-detach-')), 'home');
    let error: unknown;
    try {
      spawnDetachedRun({ runId: 'run-x', home, cwd: home, env: {}, entry: '' });
    } catch (caught) {
      error = caught;
    }
    expect(isFanoutError(error, 'INTERNAL')).toBe(true);
    expect((error as Error).message).toMatch(/^cannot start run run-x in the background: /);
    expect(existsSync(join(home, 'logs'))).toBe(false);
  });
});

describe('awaitDetachedStart', () => {
  /** A stand-in for the library: the run counts as started once `started()` says so. */
  const fanoutWhere = (started: () => boolean): Pick<Fanout, 'status'> => ({
    status: () => ({ run: started() ? { startedAt: Date.now() } : {} }) as RunStatusView,
  });

  it('returns once the child recorded itself as the executor', async () => {
    const home = mkdtempSync(join(tmpdir(), 'fanout-detach-'));
    const script = join(home, 'wait.mjs');
    writeFileSync(script, 'setTimeout(() => {}, 2000);\n');
    const detached = spawnDetachedRun({ runId: 'run-ok', home, cwd: home, env: {}, entry: script, execArgv: [] });
    let polls = 0;
    await expect(awaitDetachedStart(fanoutWhere(() => ++polls > 3), 'run-ok', detached)).resolves.toBeUndefined();
    expect(polls).toBe(4);
    detached.child.kill();
  });

  it('fails in one line naming the log and resume when the child exits before it started the run', async () => {
    const home = mkdtempSync(join(tmpdir(), 'fanout-detach-'));
    const script = join(home, 'crash.mjs');
    writeFileSync(script, 'process.exit(3);\n');
    const detached = spawnDetachedRun({ runId: 'run-crash', home, cwd: home, env: {}, entry: script, execArgv: [] });
    const error = await awaitDetachedStart(fanoutWhere(() => false), 'run-crash', detached).catch((caught: unknown) => caught);
    expect(isFanoutError(error, 'INTERNAL')).toBe(true);
    expect((error as Error).message).toBe(
      `the background process of run run-crash exited (code 3) before it started it; see ${detached.logFile}, then: fanout resume run-crash`,
    );
  });
});

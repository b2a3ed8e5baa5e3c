import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { spawnDetachedRun } from './detach.js';

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

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFanoutError } from '../contracts/errors.js';
import { workingDirOf } from './working-dir.js';

describe('workingDirOf', () => {
  const base = mkdtempSync(join(tmpdir(), 'fanout-cwd-'));
  writeFileSync(join(base, 'file.txt'), 'x');

  it('is the current directory without --cwd, and --cwd resolved against it', () => {
    expect(workingDirOf(base, undefined)).toBe(base);
    expect(workingDirOf(base, '.')).toBe(base);
    expect(workingDirOf(join(base, 'nested'), '..')).toBe(base);
  });

  it('refuses a missing directory and a file with OPTION_INVALID naming the flag', () => {
    for (const [flag, message] of [
      ['nope', `--cwd nope: no such directory (looked for ${join(base, 'nope')})`],
      ['file.txt', `--cwd file.txt: not a directory (${join(base, 'file.txt')} is a file)`],
    ] as const) {
      let error: unknown;
      try {
        workingDirOf(base, flag);
      } catch (caught) {
        error = caught;
      }
      expect(isFanoutError(error, 'OPTION_INVALID')).toBe(true);
      expect((error as Error).message).toBe(message);
    }
  });
});

import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { holdMigrationMarker, migratingProcess } from './migration-marker.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function storePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-marker-'));
  dirs.push(dir);
  return join(dir, 'fanout.db');
}

describe('migration marker', () => {
  it('replaces a symlink planted at its name instead of writing through it', () => {
    const path = storePath();
    const victim = `${path}-victim`;
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, `${path}-migrating`);
    const release = holdMigrationMarker(path);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(`${path}-migrating`).isSymbolicLink()).toBe(false);
    expect(migratingProcess(path)).toBe(process.pid);
    release();
  });
});

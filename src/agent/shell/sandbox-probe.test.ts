import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./sandbox-probe.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `tool` is on this process's PATH. */
function onPath(tool: string): string {
  const found = (process.env['PATH'] ?? '').split(path.delimiter).map((dir) => path.join(dir, tool)).find((file) => existsSync(file));
  if (found === undefined) throw new Error(`${tool} is not on PATH`);
  return found;
}

describe('shellSandboxStatus', () => {
  let bin: string | undefined;
  afterEach(() => {
    if (bin !== undefined) rmSync(bin, { recursive: true, force: true });
  });

  // The status is cached per process: a fresh Node process whose PATH has bubblewrap and no socat.
  it('wants socat only for commands that reach named hosts, and says how to install it', { timeout: 60_000 }, async () => {
    bin = mkdtempSync(path.join(tmpdir(), 'fanout-bin-'));
    for (const tool of ['bwrap', 'true']) symlinkSync(onPath(tool), path.join(bin, tool));
    const script = `const { shellSandboxStatus } = await import(${JSON.stringify(PROBE)}); console.log(JSON.stringify([shellSandboxStatus(), shellSandboxStatus({ network: true })]));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, PATH: bin },
      timeout: 50_000,
    });
    expect(JSON.parse(stdout)).toEqual([
      { available: true, problem: '' },
      { available: false, problem: 'commands reach named hosts through socat: install it (apt-get install socat, dnf install socat) or pass --no-sandbox' },
    ]);
  });
});

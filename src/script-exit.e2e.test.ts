import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// A library script ends when its work does: nothing fanout starts (the in-process simulated
// model server, keep-alive sockets, timers) may hold the event loop of a script that never
// calls close(). The guard below kills a script that hangs; it is not a timing claim.

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const GUARD_MS = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'fanout-script-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
import { createDefaultFanout } from ${JSON.stringify(join(REPO_ROOT, 'src/index.ts'))};
const options = { cwd: ${JSON.stringify(dir)}, home: ${JSON.stringify(join(dir, 'home'))}, env: {} };
const tasks = [{ id: 'hello', prompt: 'Say hello.', sim: { output: 'hello' } }];

let scoped;
{
  await using fanout = createDefaultFanout(options);
  scoped = fanout;
  console.log('scoped', (await fanout.run(tasks, { model: 'sim' })).status);
}
try {
  scoped.runs();
  console.log('scoped fanout still open');
} catch (error) {
  console.log('scoped fanout closed:', error.code);
}

// Never closed: the script must still exit once this run is over.
const fanout = createDefaultFanout(options);
const result = await fanout.run(tasks, { model: 'sim' });
console.log('unclosed', result.status, result.outputs.hello?.text);
`;

function runScript(file: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  for (const key of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'FANOUT_HOME', 'FANOUT_SIM_URL', 'NODE_OPTIONS']) delete env[key];
  // From the repository, so `--import tsx` resolves; tsx lowers `await using` for Node 20.
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const guard = setTimeout(() => child.kill('SIGKILL'), GUARD_MS);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('a library script', () => {
  it('exits by itself without close(), and await using closes a Fanout at the end of its scope', async () => {
    const file = join(dir, 'script.mts');
    writeFileSync(file, SCRIPT);
    const result = await runScript(file);
    expect({ code: result.code, signal: result.signal, stderr: result.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
    expect(result.stdout).toBe('scoped succeeded\nscoped fanout closed: STORE_ERROR\nunclosed succeeded hello\n');
  }, GUARD_MS + 30_000);
});

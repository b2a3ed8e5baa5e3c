import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: tsx is resolved from here. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = join(REPO_ROOT, 'src/cli/main.ts');

/** What a finished CLI process left behind. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A fresh FANOUT_HOME and a scratch directory for plans. */
export function scratch(): { home: string; dir: string; plan(name: string, yaml: string): string } {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-e2e-'));
  return {
    home: join(dir, 'home'),
    dir,
    plan(name, yaml) {
      const file = join(dir, name);
      writeFileSync(file, yaml);
      return file;
    },
  };
}

/** The environment of a CLI process: no API key (so `sim` is the default), its own home. */
function cliEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FANOUT_HOME: home };
  delete env.ANTHROPIC_API_KEY;
  delete env.FANOUT_SIM_URL;
  return env;
}

/** Starts `node --import tsx src/cli/main.ts ...args` (stdout is a pipe, not a TTY). */
export function startCli(args: readonly string[], home: string): ChildProcess & { output: CliResult; exited: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO_ROOT, env: cliEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
  const output: CliResult = { code: null, signal: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output.stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output.stderr += text));
  const exited = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve(Object.assign(output, { code, signal })));
  });
  return Object.assign(child, { output, exited });
}

/** Runs the CLI to completion. */
export function runCliProcess(args: readonly string[], home: string): Promise<CliResult> {
  return startCli(args, home).exited;
}

/** Resolves once `predicate` holds for the output so far (polled; the process is running). */
export async function outputMatches(output: CliResult, predicate: (output: CliResult) => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate(output)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for output; stdout so far:\n${output.stdout}\nstderr:\n${output.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

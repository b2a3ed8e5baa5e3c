import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What a finished CLI process left behind. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running CLI process; `output` fills as it writes. */
export type CliChild = ChildProcess & { output: CliResult; exited: Promise<CliResult> };

/** The CLI as a package in a temp directory, started as a user starts it: `node bin/fanout.js`. */
export interface BuiltCli {
  /** `bin/fanout.js` of the built package, for clients that start the CLI themselves (an MCP client). */
  entry: string;
  /** Starts `node bin/fanout.js ...args` in `cwd` (default: the repository; stdout is a pipe, not a TTY), with `env` added to its environment. */
  start(args: readonly string[], home: string, env?: NodeJS.ProcessEnv, cwd?: string): CliChild;
  /** Runs the CLI to completion. */
  run(args: readonly string[], home: string, cwd?: string): Promise<CliResult>;
  /** Removes the package directory. */
  dispose(): void;
}

/**
 * Compiles `src` with the project's build config (no type check: the
 * typecheck is its own step) into a temp directory shaped like the
 * installed package: `bin/fanout.js`, `dist/`, `package.json`, and links to
 * `examples/`, `schema/` and `node_modules/`. A process started from JS takes about
 * 0.5 s of CPU; through tsx, which compiles every module it loads, about
 * 1.3 s — on two cores that difference decides how long the e2e suite takes.
 */
export async function buildCli(): Promise<BuiltCli> {
  const root = mkdtempSync(join(tmpdir(), 'fanout-e2e-pkg-'));
  const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  await promisify(execFile)(
    process.execPath,
    [tsc, '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--noCheck', '--declaration', 'false', '--sourceMap', 'false', '--outDir', join(root, 'dist')],
    { cwd: REPO_ROOT },
  );
  mkdirSync(join(root, 'bin'));
  // A copy, not a link: Node runs the real path of a linked entry, which would load the repository's dist/.
  copyFileSync(join(REPO_ROOT, 'bin/fanout.js'), join(root, 'bin/fanout.js'));
  copyFileSync(join(REPO_ROOT, 'package.json'), join(root, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'examples'), join(root, 'examples'));
  symlinkSync(join(REPO_ROOT, 'schema'), join(root, 'schema'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  const entry = join(root, 'bin/fanout.js');

  const start = (args: readonly string[], home: string, env: NodeJS.ProcessEnv = {}, cwd = REPO_ROOT): CliChild => {
    const child = spawn(process.execPath, [entry, ...args], { cwd, env: { ...cliEnv(home), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: CliResult = { code: null, signal: null, stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (text: string) => (output.stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output.stderr += text));
    const exited = new Promise<CliResult>((resolve) => {
      child.on('close', (code, signal) => resolve(Object.assign(output, { code, signal })));
    });
    return Object.assign(child, { output, exited });
  };
  return {
    entry,
    start,
    run: (args, home, cwd) => start(args, home, {}, cwd).exited,
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
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

/** The environment of a CLI process: no API keys (so `sim` is the default), its own home. */
export function cliEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FANOUT_HOME: home };
  delete env.ANTHROPIC_API_KEY;
  delete env.OPENAI_API_KEY;
  delete env.FANOUT_SIM_URL;
  return env;
}

/** Resolves once `predicate` holds for the output so far (polled; the process is running). */
export async function outputMatches(output: CliResult, predicate: (output: CliResult) => boolean, timeoutMs = 50_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate(output)) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for output; stdout so far:\n${output.stdout}\nstderr:\n${output.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

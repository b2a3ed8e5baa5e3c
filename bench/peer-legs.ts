/**
 * The parent's side of the peer legs: installing bench/peers/ (its own
 * package.json and lockfile, never dependencies of fanout) and handing a
 * peer its workload. The peers run in `bench/peers/peer-process.ts`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_MAX_TOKENS, BENCH_TOOL_RESULT, BENCH_TOOLS, benchPrompt, benchSim, benchSystem, type LegArgs } from './bench-kit.js';
import { encodeSimDirective } from './fanout-lib.js';
import type { PeerWorkload } from './peer-workload.js';

/** The peers' package directory. */
export const PEERS_DIR = fileURLToPath(new URL('./peers/', import.meta.url));

/** The peer legs' process entry. */
export const PEER_PROCESS = join(PEERS_DIR, 'peer-process.ts');

/** Where the hash of the lockfile last installed is kept, inside the peers' node_modules. */
const INSTALLED_MARK = join(PEERS_DIR, 'node_modules', '.fanout-bench-lock');

/** An install over a slow registry mirror still ends. */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

/**
 * Installs the peers with `npm ci` unless what is installed came from the
 * same lockfile. Install scripts are off: every peer is plain JavaScript.
 */
export function ensurePeersInstalled(log: (line: string) => void): void {
  const lock = createHash('sha256').update(readFileSync(join(PEERS_DIR, 'package-lock.json'))).digest('hex');
  if (existsSync(INSTALLED_MARK) && readFileSync(INSTALLED_MARK, 'utf8') === lock) return;
  log('installing the peers (npm ci --prefix bench/peers) ...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // npm's output goes to stderr with the benchmark's progress: stdout carries only the results (--json).
  const result = spawnSync(npm, ['ci', '--prefix', PEERS_DIR, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    stdio: ['ignore', 2, 2],
    timeout: INSTALL_TIMEOUT_MS,
  });
  if (result.status !== 0) {
    throw new Error(`npm ci --prefix bench/peers failed (${result.error?.message ?? `exit code ${result.status}`}); --skip-peers runs the benchmark without them`);
  }
  writeFileSync(INSTALLED_MARK, lock);
}

/**
 * Writes a peer's workload to a temporary file: the same system prompts,
 * tools and `max_tokens` as every leg; the sim directive travels in the
 * first user message, as on the fanout leg with a real provider's spec.
 */
export function writePeerWorkload(args: LegArgs): string {
  const tasks = Array.from({ length: args.tasks }, (_, task) => task);
  const workload: PeerWorkload = {
    args,
    tools: BENCH_TOOLS.map(({ name, description, inputSchema }) => ({ name, description, inputSchema })),
    toolResult: BENCH_TOOL_RESULT,
    maxTokens: BENCH_MAX_TOKENS,
    systems: tasks.map((task) => benchSystem(args, task)),
    prompts: tasks.map((task) => `${benchPrompt(task)}\n\n${encodeSimDirective(benchSim(args, task))}`),
  };
  const file = join(mkdtempSync(join(tmpdir(), 'fanout-bench-peer-')), 'workload.json');
  writeFileSync(file, JSON.stringify(workload));
  return file;
}

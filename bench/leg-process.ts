/**
 * Runs one benchmark leg in its own process, so each leg's CPU time and peak
 * RSS are its own: `node --import tsx bench/leg-process.ts <leg> '<LegArgs json>'`
 * prints the LegResult as one JSON line. Importing this file runs nothing;
 * use {@link runLegInChild} from the parent.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runAgentLoop } from './agent-loop.js';
import type { LegArgs, LegResult } from './bench-kit.js';
import { runAsLegProcess } from './leg-main.js';
import { runFanoutLeg } from './fanout-leg.js';
import { runFloor } from './floor-http.js';
import { runInstantLeg } from './instant-leg.js';
import { withMemoryReads } from './memory-reads.js';
import { PEER_PROCESS, writePeerWorkload } from './peer-legs.js';
import { isPeerLeg } from './peer-workload.js';
import { runProviderLoop } from './provider-loop.js';
import { runSdkLoop } from './sdk-loop.js';

/** The legs by name. A new leg is one entry here. */
export const LEGS: Readonly<Record<string, (args: LegArgs) => Promise<LegResult>>> = {
  floor: runFloor,
  'sdk-loop': runSdkLoop,
  provider: (args) => runProviderLoop(args),
  'provider-stream': (args) => runProviderLoop(args, { stream: true }),
  'openai-provider': (args) => runProviderLoop(args, { wire: 'openai' }),
  fanout: (args) => runFanoutLeg(args),
  // Diagnostics, between `provider` and `fanout`: the agent loop alone, the engine on the in-memory store,
  // and both with read_file answering from memory (no file-system work).
  'agent-loop': runAgentLoop,
  'fanout-memory': (args) => runFanoutLeg(args, { store: 'memory' }),
  // The engine alone: the fanout leg over a model answering in-process at once, no HTTP.
  'fanout-instant': runInstantLeg,
  'agent-loop-no-fs': (args) => withMemoryReads(() => runAgentLoop(args)),
  'fanout-no-fs': (args) => withMemoryReads(() => runFanoutLeg(args)),
};

/** Legs whose model answers in their own process: the benchmark's server sees none of their calls. */
export const IN_PROCESS_LEGS: ReadonlySet<string> = new Set(['fanout-instant']);

const SELF = fileURLToPath(import.meta.url);

/**
 * Runs leg `leg` in a child process and resolves with what it measured. A
 * peer leg (bench/peers/) runs in a process of its own kind, which never
 * loads fanout, on the workload written for it to a temporary file. A leg
 * still running `timeoutMs` after its clock started (or 10 minutes after
 * its process did, if the clock never starts) is killed and the promise
 * rejects: getting ready (10,000 workspace files, a framework's import) is
 * not what the limit is about.
 */
export async function runLegInChild(leg: string, args: LegArgs, { timeoutMs = DEFAULT_LEG_TIMEOUT_MS }: { timeoutMs?: number } = {}): Promise<LegResult> {
  if (!isPeerLeg(leg)) return runChild(leg, [SELF, leg, JSON.stringify(args)], timeoutMs);
  const file = writePeerWorkload(args);
  try {
    return await runChild(leg, [PEER_PROCESS, leg, file], timeoutMs);
  } finally {
    rmSync(dirname(file), { recursive: true, force: true });
  }
}

/** A leg that has not finished in this time is stuck (the slowest full-size leg takes about a minute). */
const DEFAULT_LEG_TIMEOUT_MS = 30 * 60_000;

/** A leg process whose clock has not started after this long is stuck getting ready. */
const READY_TIMEOUT_MS = 10 * 60_000;

function runChild(leg: string, argv: readonly string[], timeoutMs: number): Promise<LegResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...argv], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let timedOut: number | undefined;
    const limit = (ms: number): NodeJS.Timeout =>
      setTimeout(() => {
        timedOut = ms;
        child.kill('SIGKILL');
      }, ms);
    let timer = limit(READY_TIMEOUT_MS);
    child.on('message', (message: { started?: boolean }) => {
      if (message.started !== true) return;
      clearTimeout(timer);
      timer = limit(timeoutMs);
    });
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').pop() ?? '';
      if (timedOut !== undefined) reject(new Error(`bench leg "${leg}" did not finish within ${Math.round(timedOut / 1000)} s and was killed`));
      else if (code !== 0) reject(new Error(`bench leg "${leg}" exited with code ${code}`));
      else {
        try {
          resolve(JSON.parse(line) as LegResult);
        } catch {
          reject(new Error(`bench leg "${leg}" printed no result: ${line.slice(0, 200)}`));
        }
      }
    });
  });
}

async function main(legName: string | undefined, json: string | undefined): Promise<void> {
  const leg = legName === undefined ? undefined : LEGS[legName];
  if (leg === undefined || json === undefined) {
    throw new Error(`usage: leg-process.ts <${Object.keys(LEGS).join('|')}> '<LegArgs json>'`);
  }
  const result = await leg(JSON.parse(json) as LegArgs);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runAsLegProcess('bench leg', () => main(process.argv[2], process.argv[3]));
}

/**
 * Counts the instructions that legs execute inside their measured windows
 * (from `measureLeg`'s start to the end of the work), on every thread, under
 * callgrind: a figure that repeats within about 1 % where CPU time on this
 * shared 2-core machine swings by a third. Legs given together run at the
 * same time, because V8's heuristics (when to collect, when to compile)
 * follow the wall clock and so the machine's load: a leg counted alone counts
 * ~12 % more than the same leg beside another. Compare legs counted together.
 *
 *   node --import tsx bench/instructions.ts [--runs N] '<LegArgs json>' <leg>[@<checkout>] ...
 *
 * `leg@/path/to/checkout` runs that checkout's bench/leg-process.ts (its
 * dist/ must be built): A/B of two builds on one workload. Without `url` in
 * the JSON, a simulated server is started for the legs that need one.
 * Needs valgrind (`apt-get install valgrind`).
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LegArgs } from './bench-kit.js';
import { startBenchServer, type BenchServer } from './bench-server.js';
import { median } from './bench-stats.js';
import { IN_PROCESS_LEGS } from './leg-process.js';
import { runAsLegProcess } from './leg-main.js';

/** One leg to count: its name and the checkout whose leg-process.ts runs it. */
export interface CountedLeg {
  leg: string;
  checkout: string;
  /** As given on the command line, to name it in the output. */
  label: string;
}

/** What the command line asks for. */
export interface InstructionsRequest {
  runs: number;
  /** The workload; without `url`, a server is started when a leg needs one. */
  args: Omit<LegArgs, 'url'> & { url?: string };
  legs: CountedLeg[];
}

const THIS_CHECKOUT = resolve(fileURLToPath(new URL('..', import.meta.url)));

const USAGE = "usage: bench/instructions.ts [--runs N] '<LegArgs json>' <leg>[@<checkout>] ...";

/** Reads the command line; throws a one-line usage error on anything else. */
export function parseInstructionsArgs(argv: readonly string[], here = THIS_CHECKOUT): InstructionsRequest {
  let runs = 3;
  let args: InstructionsRequest['args'] | undefined;
  const legs: CountedLeg[] = [];
  for (let at = 0; at < argv.length; at++) {
    const word = argv[at] as string;
    if (word === '--runs') {
      const value = Number(argv[++at]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`--runs: expected a whole number ≥ 1, got ${String(argv[at])}\n${USAGE}`);
      runs = value;
    } else if (word.startsWith('{')) {
      try {
        args = JSON.parse(word) as InstructionsRequest['args'];
      } catch {
        throw new Error(`the LegArgs JSON does not parse: ${word.slice(0, 80)}\n${USAGE}`);
      }
    } else {
      const split = word.indexOf('@');
      const leg = split < 0 ? word : word.slice(0, split);
      const checkout = split < 0 ? here : resolve(word.slice(split + 1));
      if (leg === '') throw new Error(`no leg name in "${word}"\n${USAGE}`);
      legs.push({ leg, checkout, label: word });
    }
  }
  if (args === undefined) throw new Error(`no LegArgs JSON given\n${USAGE}`);
  if (legs.length === 0) throw new Error(`no leg given\n${USAGE}`);
  return { runs, args, legs };
}

/** The instructions a callgrind output file counted (its `totals:` line). */
export function callgrindTotal(text: string): number {
  const line = /^totals:\s+(\d+)/m.exec(text);
  if (line === null) throw new Error('callgrind output has no totals line');
  return Number(line[1]);
}

/** Waits for `path` to exist, looking every 50 ms; false when `alive()` turns false first. */
async function appears(path: string, alive: () => boolean): Promise<boolean> {
  while (!existsSync(path)) {
    if (!alive()) return false;
    await new Promise((done) => setTimeout(done, 50));
  }
  return true;
}

/** Turns callgrind's counting on or off in process `pid`. */
function instrumentation(pid: number, on: boolean): Promise<void> {
  return new Promise((done, fail) => {
    execFile('callgrind_control', ['-i', on ? 'on' : 'off', String(pid)], { timeout: 60_000 }, (error) => (error ? fail(error) : done()));
  });
}

/** A counted leg running under callgrind longer than this is stuck. */
const RUN_TIMEOUT_MS = 30 * 60_000;

/** Runs `leg` under callgrind, counting only inside its measured window; resolves with the count. */
async function countLeg(leg: CountedLeg, args: LegArgs, workDir: string, index: number): Promise<number> {
  const prefix = join(workDir, `window-${index}`);
  const out = join(workDir, `callgrind-${index}`);
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${out}.%p`, process.execPath, '--import', 'tsx', 'bench/leg-process.ts', leg.leg, JSON.stringify(args)],
    { cwd: leg.checkout, env: { ...process.env, FANOUT_BENCH_WINDOW: prefix }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  child.stdout?.resume();
  const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  let alive = true;
  void exited.then(() => (alive = false));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  try {
    const pid = child.pid;
    if (pid === undefined) throw new Error('valgrind did not start');
    let edges = 0;
    for (const edge of ['start', 'end'] as const) {
      if (!(await appears(`${prefix}.${edge}`, () => alive))) break;
      await instrumentation(pid, edge === 'start');
      writeFileSync(`${prefix}.${edge}-ack`, '');
      edges++;
    }
    const code = await exited;
    if (code !== 0) throw new Error(`${leg.label} exited with code ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    if (edges < 2) throw new Error(`${leg.label} never told its measured window: does ${leg.checkout} have bench/measured-window.ts?`);
    const files = readdirSync(workDir).filter((name) => name.startsWith(`callgrind-${index}.`));
    return files.reduce((sum, name) => sum + callgrindTotal(readFileSync(join(workDir, name), 'utf8')), 0);
  } finally {
    clearTimeout(timer);
    if (alive) child.kill('SIGKILL');
  }
}

function checkValgrind(): void {
  for (const tool of ['valgrind', 'callgrind_control']) {
    const probe = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (probe.error !== undefined) throw new Error(`${tool} is not installed: apt-get install valgrind`);
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const request = parseInstructionsArgs(argv);
  checkValgrind();
  let server: BenchServer | undefined;
  let url = request.args.url;
  if (url === undefined && request.legs.some(({ leg }) => !IN_PROCESS_LEGS.has(leg))) {
    server = await startBenchServer();
    url = server.url;
  }
  // An in-process leg calls no server: any address does.
  const args: LegArgs = { ...request.args, url: url ?? 'http://127.0.0.1:1' };
  const counts: number[][] = request.legs.map(() => []);
  const mega = (count: number): string => `${Math.round(count / 1e6)} M`;
  try {
    for (let run = 1; run <= request.runs; run++) {
      const workDir = mkdtempSync(join(tmpdir(), 'fanout-instructions-'));
      try {
        const counted = await Promise.all(request.legs.map((leg, index) => countLeg(leg, args, workDir, index)));
        counted.forEach((count, index) => counts[index]?.push(count));
        process.stderr.write(`run ${run}: ${request.legs.map((leg, index) => `${leg.label} ${mega(counted[index] as number)}`).join(', ')}\n`);
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
    }
  } finally {
    await server?.stop();
  }
  const medians = counts.map((list) => median(list));
  const base = medians[0] as number;
  for (const [index, leg] of request.legs.entries()) {
    const value = medians[index] as number;
    const ratio = index === 0 ? '' : ` (${(value / base).toFixed(3)}× ${request.legs[0]?.label})`;
    process.stdout.write(`${leg.label}: median ${mega(value)} of ${request.runs} run(s)${ratio}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runAsLegProcess('bench instructions', () => main(process.argv.slice(2)));
}

/**
 * Starts the simulated model server in its own process, so its CPU work
 * does not count against (or compete inside) the process being measured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SimServerOptions, SimServerStats } from '../src/models/sim/index.js';

/** The server's counters and the CPU time its process used so far. */
export interface BenchServerStats extends SimServerStats {
  cpuMs: number;
}

/** A simulated server in a child process. */
export interface BenchServer {
  url: string;
  /** The server's counters, asked of its process; the difference over a leg is the calls (and CPU) it spent on it. */
  stats(): Promise<BenchServerStats>;
  /** Stops the server process and waits for it to exit. */
  stop(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('./sim-process.ts', import.meta.url));

/** Spawns `bench/sim-process.ts` (with `options`: limits, faults) and resolves once it prints its URL. */
export function startBenchServer(options: SimServerOptions = {}): Promise<BenchServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // stdio 'pipe' makes stdout a stream; the 'ipc' entry widens the spawn overload's type to nullable.
  const output = child.stdout;
  if (output === null) throw new Error('bench server: spawn gave no stdout pipe');
  return new Promise((resolve, reject) => {
    let stdout = '';
    const onData = (chunk: string): void => {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      output.off('data', onData);
      try {
        const { url } = JSON.parse(stdout.slice(0, newline)) as { url: string };
        resolve({
          url,
          stats: () => askStats(child),
          async stop() {
            if (child.exitCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      } catch (error) {
        child.kill('SIGTERM');
        reject(new Error(`bench server printed no URL: ${stdout.slice(0, 200)}`, { cause: error }));
      }
    };
    output.setEncoding('utf8').on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited early with code ${code}`)));
  });
}

function askStats(child: ChildProcess): Promise<BenchServerStats> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown): void => resolve(message as BenchServerStats);
    child.once('message', onMessage);
    child.send('stats', (error) => {
      if (error === null) return;
      child.off('message', onMessage);
      reject(new Error(`bench server: cannot ask for stats (${error.message})`));
    });
  });
}

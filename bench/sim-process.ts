/**
 * Entry of the benchmark's simulated server process: starts the server on
 * 127.0.0.1 (with the SimServerOptions given as JSON in its first argument:
 * rate limits, faults), prints `{"url": ...}` as one JSON line, answers `stats`
 * messages on its IPC channel (when it has one) with the server's counters
 * and this process's CPU time, and stops on SIGTERM or when stdin closes (the parent died).
 */
import type { SimServerOptions } from '../src/models/sim/index.js';
import { startSimServer } from './fanout-lib.js';

const server = await startSimServer(JSON.parse(process.argv[2] ?? '{}') as SimServerOptions);
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);

const stop = (): void => {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop).resume();
process.on('message', (message) => {
  if (message !== 'stats') return;
  const cpu = process.cpuUsage();
  process.send?.({ ...server.stats, cpuMs: (cpu.user + cpu.system) / 1000 });
});

/**
 * Entry of the benchmark's simulated server process: starts the server on
 * 127.0.0.1, prints `{"url": ...}` as one JSON line, answers `stats`
 * messages on its IPC channel (when it has one) with the server's counters
 * and this process's CPU time, and stops on SIGTERM or when stdin closes (the parent died).
 */
import { startSimServer } from './fanout-lib.js';

const server = await startSimServer();
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

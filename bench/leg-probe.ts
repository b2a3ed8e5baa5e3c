/**
 * A preload that tells where a leg process's time went, printed to stderr
 * as one `PROBE {...}` line when the process exits: user and system CPU,
 * GC pauses by kind (1 scavenge, 4 mark-compact, 8 incremental, 16 weak
 * callbacks), event-loop utilisation and delay, and the client sockets it
 * opened (calls in flight when keep-alive reuses them). For the whole
 * process, start-up included:
 * `node --import tsx --import ./bench/leg-probe.ts bench/leg-process.ts provider '<LegArgs json>'`.
 */
import diagnostics from 'node:diagnostics_channel';
import { monitorEventLoopDelay, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

const pauses = new Map<number, number>();
let scavenges = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>) {
    const kind = entry.detail?.kind ?? 0;
    if (kind === 1) scavenges++;
    pauses.set(kind, (pauses.get(kind) ?? 0) + entry.duration);
  }
}).observe({ entryTypes: ['gc'] });
let sockets = 0;
diagnostics.subscribe('net.client.socket', () => sockets++);
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const utilisation = performance.eventLoopUtilization();
const cpu = process.cpuUsage();

process.on('exit', () => {
  const used = process.cpuUsage(cpu);
  const ms = (ns: number): number => Math.round(ns / 1e6);
  const probe = {
    userMs: Math.round(used.user / 1000),
    systemMs: Math.round(used.system / 1000),
    gcMsByKind: Object.fromEntries([...pauses].map(([kind, total]) => [kind, Math.round(total)])),
    scavenges,
    eventLoopUtilisation: Number(performance.eventLoopUtilization(utilisation).utilization.toFixed(3)),
    delayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
    sockets,
  };
  process.stderr.write(`PROBE ${JSON.stringify(probe)}\n`);
});

/**
 * The edges of a leg's measured window, told to a process that counts
 * instructions from outside (bench/instructions.ts, which drives callgrind).
 * With `FANOUT_BENCH_WINDOW` set to a path prefix, each edge writes
 * `<prefix>.start` or `<prefix>.end` and blocks until the counter answers
 * with `<prefix>.start-ack` or `<prefix>.end-ack`: blocking, so that not one
 * instruction of the leg runs on the wrong side of the edge. Without it, an
 * edge does nothing. Imports nothing of fanout's (the peers' legs use it too).
 */
import { existsSync, writeFileSync } from 'node:fs';

/** Which edge of the measured window. */
export type WindowEdge = 'start' | 'end';

/** How long an edge waits for the counter's answer before the leg fails: the counter is gone or stuck. */
const ACK_TIMEOUT_MS = 120_000;

/** How often an edge looks for the answer; a sleeping wait, which runs no instructions in between. */
const POLL_MS = 10;

/** Tells the counter (if any) that the leg's window reaches `edge`, and waits for it to answer. */
export function measuredWindowEdge(edge: WindowEdge, prefix = process.env.FANOUT_BENCH_WINDOW, timeoutMs = ACK_TIMEOUT_MS): void {
  if (prefix === undefined || prefix === '') return;
  writeFileSync(`${prefix}.${edge}`, '');
  const ack = `${prefix}.${edge}-ack`;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(ack)) {
    if (Date.now() >= deadline) throw new Error(`bench window: no answer at ${ack} within ${timeoutMs} ms (is the instruction counter running?)`);
    Atomics.wait(cell, 0, 0, POLL_MS);
  }
}

/**
 * The peer legs' process: `node --import tsx bench/peers/peer-process.ts
 * <peer> <workload.json>` runs one peer on the workload the parent wrote
 * (bench/peer-legs.ts) and prints its LegResult as one JSON line, as
 * bench/leg-process.ts does for fanout's legs. It never loads fanout.
 */
import { readFileSync } from 'node:fs';
import type { LegResult } from '../measure.js';
import type { PeerLeg, PeerWorkload } from '../peer-workload.js';

/** Each peer's module, imported only when it runs (each framework is large to load). */
const PEERS: Record<PeerLeg, () => Promise<{ runPeer(workload: PeerWorkload): Promise<LegResult> }>> = {
  langgraph: () => import('./langgraph.js'),
  mastra: () => import('./mastra.js'),
  'openai-agents': () => import('./openai-agents.js'),
  'ai-sdk': () => import('./ai-sdk.js'),
};

async function main(peer: string | undefined, file: string | undefined): Promise<void> {
  const load = peer === undefined ? undefined : PEERS[peer as PeerLeg];
  if (load === undefined || file === undefined) throw new Error(`usage: peer-process.ts <${Object.keys(PEERS).join('|')}> <workload.json>`);
  const workload = JSON.parse(readFileSync(file, 'utf8')) as PeerWorkload;
  const { runPeer } = await load();
  process.stdout.write(`${JSON.stringify(await runPeer(workload))}\n`);
}

// The parent's IPC channel (the clock-start message) must not keep the event loop alive: the guard below relies on it emptying.
process.channel?.unref();
// Without this, a peer awaiting something nothing will settle would end with code 0 and no result.
process.once('beforeExit', () => {
  process.stderr.write('bench peer: the event loop emptied before the leg finished (a promise nothing will settle)\n');
  process.exit(1);
});
main(process.argv[2], process.argv[3]).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

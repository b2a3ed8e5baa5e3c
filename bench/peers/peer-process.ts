/**
 * The peer legs' process: `node --import tsx bench/peers/peer-process.ts
 * <peer> <workload.json>` runs one peer on the workload the parent wrote
 * (bench/peer-legs.ts) and prints its LegResult as one JSON line, as
 * bench/leg-process.ts does for fanout's legs. It never loads fanout.
 */
import { readFileSync } from 'node:fs';
import { runAsLegProcess } from '../leg-main.js';
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

runAsLegProcess('bench peer', () => main(process.argv[2], process.argv[3]));

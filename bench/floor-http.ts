/**
 * The floor: the same model calls over a bare `node:http` keep-alive loop,
 * no SDK, no engine. Nothing in Node talks to the server for less.
 */
import http from 'node:http';
import { measureLeg, runTaskPool, runWireConversation, type LegArgs, type LegResult, type WireBlock, type WireRequest } from './bench-kit.js';

/** Runs the workload over raw HTTP and measures it. */
export async function runFloor(args: LegArgs): Promise<LegResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const target = new URL('/v1/messages', args.url);
  const post = (body: WireRequest): Promise<{ content: WireBlock[] }> =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const headers = {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(payload)),
        'x-api-key': 'bench',
        'anthropic-version': '2023-06-01',
      };
      const req = http.request(target, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`floor: HTTP ${res.statusCode}`));
          else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { content: WireBlock[] });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  try {
    return await measureLeg(() => runTaskPool(args.tasks, args.concurrency, (task) => runWireConversation(args, task, post)));
  } finally {
    agent.destroy();
  }
}

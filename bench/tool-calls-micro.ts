/**
 * Micro-benchmark of the tool path: the main-thread CPU of
 * - `reads` read_file calls through `executeToolCalls` (time limit and all),
 *   `inFlight` agents' calls at once, as a wave of answers brings them;
 * - `greps` grep calls over a tree of 1,000 files three directories deep
 *   (a pattern that matches nothing: every file is opened and searched).
 * Prints one line per part with every round and the median.
 *
 *   node --import tsx bench/tool-calls-micro.ts [reads=1000] [inFlight=200] [greps=20] [rounds=7]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSandbox, SandboxRoot } from '../src/agent/sandbox.js';
import { agentTools, executeToolCalls } from '../src/agent/tools/index.js';
import { BENCH_TOOL_RESULT, benchFile } from './bench-kit.js';
import { median } from './bench-stats.js';
import { createBenchWorkspace } from './bench-workspace.js';

const [reads = 1000, inFlight = 200, greps = 20, rounds = 7] = process.argv.slice(2).map(Number);

/** CPU ms of each of `rounds` runs of `run`. */
async function cpuRounds(run: () => Promise<void>): Promise<number[]> {
  const spent: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.cpuUsage();
    await run();
    const used = process.cpuUsage(start);
    spent.push(Math.round((used.user + used.system) / 100) / 10);
  }
  return spent;
}

const line = (what: string, spent: number[]): string => `${what}: CPU ms per round ${spent.join(', ')}; median ${median(spent)}`;

const workspace = createBenchWorkspace(reads);
const tree = mkdtempSync(path.join(tmpdir(), 'fanout-bench-grep-'));
try {
  const execution = { tools: agentTools, sandbox: createSandbox({ cwd: new SandboxRoot(workspace.cwd), writes: [] }), signal: new AbortController().signal };
  const readCalls = Array.from({ length: reads }, (_, task) => [{ type: 'tool_use' as const, id: `r${task}`, name: 'read_file', input: { path: benchFile(task) } }]);
  const readsSpent = await cpuRounds(async () => {
    for (let first = 0; first < reads; first += inFlight) {
      await Promise.all(readCalls.slice(first, first + inFlight).map((calls) => executeToolCalls(calls, { ...execution, signal: new AbortController().signal })));
    }
  });
  console.log(line(`${reads} read_file calls, ${inFlight} at once`, readsSpent));

  for (let file = 0; file < 1000; file++) {
    const directory = path.join(tree, `pkg-${file % 10}`, 'src', `part-${file % 7}`);
    mkdirSync(directory, { recursive: true });
    writeFileSync(path.join(directory, `module-${file}.ts`), BENCH_TOOL_RESULT);
  }
  const grepExecution = { ...execution, sandbox: createSandbox({ cwd: new SandboxRoot(tree), writes: [] }) };
  const grepCall = [{ type: 'tool_use' as const, id: 'g', name: 'grep', input: { pattern: 'TODO: \\w+' } }];
  const grepsSpent = await cpuRounds(async () => {
    for (let call = 0; call < greps; call++) await executeToolCalls(grepCall, grepExecution);
  });
  console.log(line(`${greps} grep calls over 1,000 files`, grepsSpent));
} finally {
  workspace.remove();
  rmSync(tree, { recursive: true, force: true });
}

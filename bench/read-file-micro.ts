/**
 * Micro-benchmark of the `read_file` tool: the main-thread CPU of reading
 * `reads` files of the bench workspace one after another, through the
 * sandbox, as an agent does. Prints one line per round.
 *
 *   node --import tsx bench/read-file-micro.ts [reads=1000] [rounds=7]
 */
import { createSandbox, SandboxRoot } from '../src/agent/sandbox.js';
import { readFileTool } from '../src/agent/tools/read-file.js';
import { benchFile } from './bench-kit.js';
import { createBenchWorkspace } from './bench-workspace.js';

const reads = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 7);
const workspace = createBenchWorkspace(reads);
try {
  const root = new SandboxRoot(workspace.cwd);
  const context = { sandbox: createSandbox({ cwd: root, writes: [] }), signal: new AbortController().signal };
  const results: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.cpuUsage();
    for (let task = 0; task < reads; task++) await readFileTool.run({ path: benchFile(task) }, context);
    const spent = process.cpuUsage(start);
    results.push((spent.user + spent.system) / 1000);
  }
  const sorted = [...results].sort((a, b) => a - b);
  console.log(`${reads} reads, CPU ms per round: ${results.map((ms) => ms.toFixed(1)).join(', ')}; median ${sorted[Math.floor(rounds / 2)]?.toFixed(1)}`);
} finally {
  workspace.remove();
}

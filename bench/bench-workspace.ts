/** The temporary workspace of the legs whose agent really runs its tools. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_TOOL_RESULT, benchFile } from './bench-kit.js';

/** A workspace directory and how to remove it. */
export interface BenchWorkspace {
  cwd: string;
  remove(): void;
}

/** Creates a temporary directory holding each task's file (`benchFile`), with the other legs' tool result as content. */
export function createBenchWorkspace(tasks: number): BenchWorkspace {
  const cwd = mkdtempSync(join(tmpdir(), 'fanout-bench-cwd-'));
  mkdirSync(join(cwd, 'src'));
  for (let task = 0; task < tasks; task++) writeFileSync(join(cwd, benchFile(task)), BENCH_TOOL_RESULT);
  return { cwd, remove: () => rmSync(cwd, { recursive: true, force: true }) };
}

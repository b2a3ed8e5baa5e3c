/**
 * Diagnostic only: makes the agent's `read_file` answer from memory (the
 * same text the workspace file holds) while a leg runs, so the leg shows
 * what the tool's file-system work costs.
 */
import { BENCH_TOOL_RESULT } from './bench-kit.js';
import { readFileTool } from './fanout-lib.js';

/** Runs `leg` with `read_file` answering from memory, and restores the real tool after it. */
export async function withMemoryReads<T>(leg: () => Promise<T>): Promise<T> {
  const real = readFileTool.run;
  readFileTool.run = () => BENCH_TOOL_RESULT;
  try {
    return await leg();
  } finally {
    readFileTool.run = real;
  }
}

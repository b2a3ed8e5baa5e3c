import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { ToolResultBlock } from '../../contracts/model.js';
import { createSandbox } from '../sandbox.js';
import { agentTools, executeToolCalls } from '../tools/index.js';

/**
 * Registers cleanup of the temp directories a test file makes, and returns a
 * maker: `make({ 'src/a.ts': 'text' })` creates a fresh directory with those files.
 */
export function useTempDirs(): (files?: Record<string, string>) => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (files = {}) => {
    const dir = await realpath(await mkdtemp(path.join(tmpdir(), 'fanout-agent-')));
    made.push(dir);
    for (const [relative, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
      await writeFile(path.join(dir, relative), content);
    }
    return dir;
  };
}

/** Runs one tool call the way the agent loop does and returns its result block. */
export async function runTool(
  name: string,
  input: Record<string, unknown>,
  scope: { cwd: string; writes?: string[]; protectedPaths?: string[] },
): Promise<ToolResultBlock> {
  const [result] = await executeToolCalls([{ type: 'tool_use', id: 'call_1', name, input }], {
    tools: agentTools,
    sandbox: createSandbox({ cwd: scope.cwd, writes: scope.writes ?? [], protectedPaths: scope.protectedPaths }),
    signal: new AbortController().signal,
  });
  if (result === undefined) throw new Error('executeToolCalls returned no result');
  return result;
}

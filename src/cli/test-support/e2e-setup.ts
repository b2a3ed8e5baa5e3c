/** The setup the CLI and MCP end-to-end test files share: the built CLI, in-process commands, a plan. */
import { afterAll, beforeAll } from 'vitest';
import { runCli } from '../program.js';
import { buildCli, type BuiltCli } from './cli-process.js';
import { recordingIo, type RecordingIo } from './fake-io.js';

/**
 * The CLI built once for the calling test file (in its `beforeAll`) and
 * removed after its tests. Call at the top of the file; the object it
 * returns stands for the built CLI inside tests.
 */
export function useBuiltCli(): BuiltCli {
  let built: BuiltCli | undefined;
  beforeAll(async () => {
    built = await buildCli();
  });
  afterAll(() => built?.dispose());
  const current = (): BuiltCli => {
    if (built === undefined) throw new Error('the CLI is built in beforeAll: use it inside a test');
    return built;
  };
  return {
    get entry() {
      return current().entry;
    },
    start: (...args) => current().start(...args),
    run: (...args) => current().run(...args),
    dispose: () => current().dispose(),
  };
}

/** Runs a command in this process against the store of `home`, with `env` added. */
export async function runInProcess(argv: string[], home: string, env: Record<string, string> = {}): Promise<RecordingIo & { code: number }> {
  const io = recordingIo({ env: { FANOUT_HOME: home, ...env } });
  const code = await runCli(argv, io);
  return Object.assign(io, { code });
}

/** A plan of a task that ends at once and one that runs 20 s (to be stopped, killed or waited on). */
export const QUICK_AND_SLOW = `
tasks:
  - id: quick
    prompt: quick one
    sim: { latencyMs: 10, output: "quick result" }
  - id: slow
    prompt: slow one
    sim: { latencyMs: 20000 }
`;

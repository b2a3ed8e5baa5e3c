import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./test-support/loaded-modules-probe.ts', import.meta.url));

interface Loaded {
  answered: boolean;
  /** fanout's model modules, relative to src/models. */
  models: string[];
  /** The model SDKs among the packages. */
  sdks: string[];
}

/** Resolves `spec` and calls it once in a fresh Node process; what that process loaded. */
async function loadedBy(spec: string): Promise<Loaded> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', PROBE, spec], { timeout: 80_000 });
  return JSON.parse(stdout) as Loaded;
}

// Each case starts a Node process with tsx: seconds, not milliseconds, on a busy machine.
describe.concurrent('createModelResolver: what a spec loads', { timeout: 90_000 }, () => {
  it.each([
    ['anthropic:claude-x', '@anthropic-ai/sdk', 'anthropic/'],
    ['openai:gpt-x', 'openai', 'openai/'],
  ])('%s loads its own SDK and provider, not the simulator nor the other SDK', async (spec, sdk, provider) => {
    const loaded = await loadedBy(spec);
    expect(loaded.answered).toBe(true);
    expect(loaded.sdks).toEqual([sdk]);
    expect(loaded.models.some((path) => path.startsWith(provider))).toBe(true);
    expect(loaded.models.filter((path) => path.startsWith('sim/'))).toEqual([]);
  });

  it('sim loads the simulator and the Anthropic wire only', async () => {
    const loaded = await loadedBy('sim');
    expect(loaded.answered).toBe(true);
    expect(loaded.sdks).toEqual(['@anthropic-ai/sdk']);
    expect(loaded.models).toEqual(expect.arrayContaining(['sim/sim-model.ts', 'sim/sim-server.ts']));
  });
});

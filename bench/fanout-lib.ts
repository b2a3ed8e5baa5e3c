/**
 * The fanout code the legs run: the compiled `dist/` — what `bin/fanout.js`
 * and library users run (`run.ts` builds it first) — not the TypeScript
 * sources through tsx, whose per-function helpers cost about a tenth of
 * fanout's CPU on the 1,000-task workload. Under vitest (which checks the
 * benchmark's own code without a build) and with `FANOUT_BENCH_SOURCE=1`,
 * the sources. Every bench file takes fanout from here, so all legs and the
 * server run the same build.
 */
const fromSource = process.env.VITEST !== undefined || process.env.FANOUT_BENCH_SOURCE === '1';

/** Where the legs' fanout comes from: `dist` or `src`. */
export const FANOUT_BUILD: 'dist' | 'src' = fromSource ? 'src' : 'dist';

async function load<T>(path: string): Promise<T> {
  // Which build is chosen at run time: nothing for Vite to resolve (and warn about) when it transforms this file.
  return (await import(/* @vite-ignore */ `../${FANOUT_BUILD}/${path}`)) as T;
}

export const { runAgent, agentToolSpecs, DEFAULT_MAX_TOKENS_PER_CALL, SandboxRoot } = await load<typeof import('../src/agent/index.js')>('agent/index.js');
export const { readFileTool } = await load<typeof import('../src/agent/tools/read-file.js')>('agent/tools/read-file.js');
export const { createFanout } = await load<typeof import('../src/engine/index.js')>('engine/index.js');
export const { AnthropicModel } = await load<typeof import('../src/models/anthropic/anthropic-model.js')>('models/anthropic/anthropic-model.js');
export const { OpenAIModel } = await load<typeof import('../src/models/openai/openai-model.js')>('models/openai/openai-model.js');
export const { createNodeFetch } = await load<typeof import('../src/models/http/node-fetch.js')>('models/http/node-fetch.js');
export const { SimModel } = await load<typeof import('../src/models/sim/sim-model.js')>('models/sim/sim-model.js');
export const { createModelResolver } = await load<typeof import('../src/models/resolver.js')>('models/resolver.js');
export const { priceLookup } = await load<typeof import('../src/models/pricing.js')>('models/pricing.js');
export const { encodeSimDirective, startSimServer } = await load<typeof import('../src/models/sim/index.js')>('models/sim/index.js');
export const { renderSystemPrompt } = await load<typeof import('../src/plan/index.js')>('plan/index.js');
export const { MemoryRunStore, openRunStore } = await load<typeof import('../src/store/index.js')>('store/index.js');

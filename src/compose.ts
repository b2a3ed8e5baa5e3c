import { resolve } from 'node:path';
import { createFanout } from './engine/index.js';
import type { Fanout, FanoutOptions } from './engine/api.js';
import { createModelResolver, defaultModelSpec } from './models/index.js';
import { openRunStore } from './store/index.js';

/** Options of {@link createDefaultFanout}. */
export interface DefaultFanoutOptions extends Partial<Omit<FanoutOptions, 'store' | 'models'>> {
  /** Where the store lives. Default: {@link fanoutHome}. */
  home?: string;
  /** Environment used for `FANOUT_HOME`, API keys and base URLs. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/** `$FANOUT_HOME`, or `./.fanout` under the current directory. */
export function fanoutHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.FANOUT_HOME ?? '.fanout');
}

/**
 * The composition root: a Fanout on the SQLite store at `home`, with models
 * resolved from the environment (`sim` unless an API key is set). The only
 * place where concrete store and providers meet the engine.
 */
export function createDefaultFanout(options: DefaultFanoutOptions = {}): Fanout {
  const { home, env = process.env, ...rest } = options;
  return createFanout({
    defaultModel: defaultModelSpec(env),
    ...rest,
    store: openRunStore(home ?? fanoutHome(env)),
    models: createModelResolver({ env }),
  });
}

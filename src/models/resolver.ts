import { FanoutError } from '../errors.js';
import { AnthropicModel } from './anthropic/anthropic-model.js';
import { createNodeFetch, type FetchFunction } from './http/node-fetch.js';
import { OpenAIModel } from './openai/openai-model.js';
import type { Model, ModelRequest, ModelResponse, ModelResolver } from './model.js';
import { startSimServer } from './sim/index.js';

/** Options of {@link createModelResolver}. */
export interface ModelResolverOptions {
  /** Where API keys and base URLs are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * A running simulated server to use for `sim` specs, instead of starting
   * one in this process. Also read from `FANOUT_SIM_URL`.
   */
  simUrl?: string;
}

/** What a provider entry gets to build a Model from a spec. */
export interface ProviderContext {
  /** The whole spec, e.g. `anthropic:claude-sonnet-4-5`. */
  spec: string;
  /** The part after the first `:`, e.g. `claude-sonnet-4-5`; empty when absent. */
  modelId: string;
  env: NodeJS.ProcessEnv;
  /** The resolver's keep-alive fetch, shared by all its models. */
  fetch: FetchFunction;
  /** The base URL of the simulated server, started on first use. */
  simUrl(): Promise<string>;
}

/** Builds the Model of one spec prefix; throws FanoutError `MODEL_CONFIG` when it cannot. */
export type ProviderEntry = (context: ProviderContext) => Model;

/** Model used when a plan names none: a real one when its key is set, else the simulated one. */
export function defaultModelSpec(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ANTHROPIC_API_KEY) return 'anthropic:claude-sonnet-4-5';
  if (env.OPENAI_API_KEY) return 'openai:gpt-4o';
  return 'sim';
}

/**
 * Model spec prefixes and how each becomes a Model. Adding a provider is
 * one entry here.
 */
const PROVIDERS: Readonly<Record<string, ProviderEntry>> = {
  sim: ({ spec, modelId, fetch, simUrl }) =>
    new LazyModel({ spec, provider: 'sim', simulated: true }, async () => {
      const baseURL = await simUrl();
      // `sim:openai` drives the same simulated server through the OpenAI wire format and provider.
      return modelId === SIM_OPENAI
        ? new OpenAIModel({ spec, modelId: 'sim', apiKey: 'sim', baseURL: `${baseURL}/v1`, simulated: true, fetch })
        : new AnthropicModel({ spec, modelId: modelId || 'sim', apiKey: 'sim', baseURL, simulated: true, fetch });
    }),
  anthropic: ({ spec, modelId, env, fetch }) => {
    const apiKey = env.ANTHROPIC_API_KEY;
    if (!apiKey) throw new FanoutError('MODEL_CONFIG', `ANTHROPIC_API_KEY is not set (needed by model "${spec}")`);
    requireModelId(spec, modelId, 'anthropic:claude-sonnet-4-5');
    const baseURL = env.ANTHROPIC_BASE_URL || undefined;
    return new AnthropicModel({ spec, modelId, apiKey, baseURL, fetch });
  },
  openai: ({ spec, modelId, env, fetch }) => {
    const apiKey = env.OPENAI_API_KEY;
    if (!apiKey) throw new FanoutError('MODEL_CONFIG', `OPENAI_API_KEY is not set (needed by model "${spec}")`);
    requireModelId(spec, modelId, 'openai:gpt-4o');
    const baseURL = env.OPENAI_BASE_URL || undefined;
    if (baseURL !== undefined) requireHttpUrl('OPENAI_BASE_URL', baseURL, 'http://127.0.0.1:11434/v1');
    return new OpenAIModel({
      spec,
      modelId,
      apiKey,
      baseURL,
      organization: env.OPENAI_ORG_ID || undefined,
      project: env.OPENAI_PROJECT_ID || undefined,
      fetch,
    });
  },
};

/** The model id after `sim:` that selects the OpenAI wire format. */
const SIM_OPENAI = 'openai';

/**
 * Resolves model specs: `sim` (or `sim:<anything>`) is the simulated model,
 * reached through the Anthropic wire format except for `sim:openai`, which
 * goes through the OpenAI one; `anthropic:<model-id>` the Anthropic API
 * (needs `ANTHROPIC_API_KEY`, honours `ANTHROPIC_BASE_URL`);
 * `openai:<model>` the OpenAI Chat Completions API or any compatible server
 * (needs `OPENAI_API_KEY`, any non-empty value for local servers; honours
 * `OPENAI_BASE_URL`, `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`). See
 * docs/models.md. Models are cached per spec and share one keep-alive
 * connection pool.
 *
 * `resolve` is synchronous, so the simulated server (one per resolver, on
 * 127.0.0.1 and a free port) is started by the first `generate` of a sim
 * model, not by `resolve`. `close()` stops it and the connection pool.
 */
export function createModelResolver(options: ModelResolverOptions = {}): ModelResolver {
  const env = options.env ?? process.env;
  const externalSimUrl = options.simUrl ?? (env.FANOUT_SIM_URL || undefined);
  const models = new Map<string, Model>();
  const http = createNodeFetch();
  let simServer: Promise<{ url: string; close(): Promise<void> }> | undefined;

  const simUrl = async (): Promise<string> => {
    if (externalSimUrl !== undefined) return externalSimUrl;
    simServer ??= startSimServer();
    return (await simServer).url;
  };

  return {
    resolve(spec: string): Model {
      const cached = models.get(spec);
      if (cached !== undefined) return cached;
      const separator = spec.indexOf(':');
      const prefix = separator < 0 ? spec : spec.slice(0, separator);
      const entry = Object.hasOwn(PROVIDERS, prefix) ? PROVIDERS[prefix] : undefined;
      if (entry === undefined) {
        const known = Object.keys(PROVIDERS).join(', ');
        throw new FanoutError('MODEL_CONFIG', `unknown model "${spec}": expected a spec starting with one of ${known}`);
      }
      const modelId = separator < 0 ? '' : spec.slice(separator + 1);
      const model = entry({ spec, modelId, env, fetch: http.fetch, simUrl });
      models.set(spec, model);
      return model;
    },
    async close(): Promise<void> {
      const server = simServer;
      simServer = undefined;
      models.clear();
      http.close();
      if (server !== undefined) await (await server).close();
    },
  };
}

function requireHttpUrl(variable: string, value: string, example: string): void {
  // `localhost:11434/v1` parses, with `localhost:` as its protocol: checking the protocol catches it too.
  const protocol = URL.canParse(value) ? new URL(value).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new FanoutError('MODEL_CONFIG', `${variable} is not an http(s) URL: "${value}" (expected e.g. "${example}")`);
  }
}

function requireModelId(spec: string, modelId: string, example: string): void {
  if (modelId === '') throw new FanoutError('MODEL_CONFIG', `model "${spec}" names no model id: expected e.g. "${example}"`);
}

/**
 * A Model whose real instance needs async setup (a server to start): built
 * on the first `generate`, once, and shared by the calls that follow. A
 * failed setup is retried on the next call.
 */
class LazyModel implements Model {
  readonly spec: string;
  readonly provider: string;
  readonly simulated: boolean;
  private model: Promise<Model> | undefined;

  constructor(
    identity: { spec: string; provider: string; simulated: boolean },
    private readonly create: () => Promise<Model>,
  ) {
    this.spec = identity.spec;
    this.provider = identity.provider;
    this.simulated = identity.simulated;
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    this.model ??= this.create().catch((error: unknown) => {
      this.model = undefined;
      throw new FanoutError('MODEL_CONFIG', `model ${this.spec}: setup failed (${(error as Error).message})`, {
        cause: error,
      });
    });
    return (await this.model).generate(request);
  }
}

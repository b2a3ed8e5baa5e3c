import { FanoutError } from '../contracts/errors.js';
import { createEndpointReachability } from './http/endpoint-reachability.js';
import { injectedClock, type Clock } from '../contracts/clock.js';
import { createNodeFetch, type CallTimeouts, type FetchFunction } from './http/node-fetch.js';
import type { Model, ModelRequest, ModelResponse, ModelResolver } from '../contracts/model.js';
import { SIM_PROVIDER } from '../contracts/sim-options.js';
import { ANTHROPIC_DEFAULT_BASE_URL, OPENAI_DEFAULT_BASE_URL } from './provider-endpoints.js';
import { ClaudeCodeAgent, CLAUDE_CODE_PROVIDER } from './whole-agent/claude-code-agent.js';
import { CommandAgent } from './whole-agent/command-agent.js';
import { COMMAND_PROVIDER } from '../contracts/whole-agent.js';
import { endpointIdentity } from './http/rate-limit-headers.js';
import type { CommandTemplate } from '../contracts/plan.js';

// Providers and the simulated server are imported on a model's first call, not at resolve:
// commands that never call a model (status, runs, output, check) then start without loading an SDK,
// and a real provider loads neither the simulator nor the other provider's SDK.
const loadAnthropic = () => import('./anthropic/anthropic-model.js').then((module) => module.AnthropicModel);
const loadOpenAI = () => import('./openai/openai-model.js').then((module) => module.OpenAIModel);
const loadSimModel = () => import('./sim/sim-model.js').then((module) => module.SimModel);

/** Options of {@link createModelResolver}. */
export interface ModelResolverOptions {
  /** Where API keys and base URLs are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * A running simulated server to use for `sim` specs, instead of starting
   * one in this process. Also read from `FANOUT_SIM_URL`.
   */
  simUrl?: string;
  /**
   * Time limits of every model call on the wire (see {@link CallTimeouts}):
   * a stalled answer or an overlong call fails with a retryable
   * `MODEL_ERROR`. Also read from `FANOUT_STREAM_IDLE_TIMEOUT_MS` and
   * `FANOUT_CALL_TIMEOUT_MS`. @default 60 s idle, 600 s per call
   */
  callTimeouts?: Partial<CallTimeouts>;
  /** Per model spec (`anthropic:claude-sonnet-5-5`, `sim`), over {@link callTimeouts}. */
  modelCallTimeouts?: Readonly<Record<string, Partial<CallTimeouts>>>;
  /** The clock the call time limits run on: its `monotonic()` reading and `sleep` (see {@link Clock}). @default the system clock */
  clock?: Clock;
  /**
   * The named command templates `command:<name>` runs, read on the first
   * such spec; `source` names where they came from in errors (a file path).
   */
  commandTemplates?: () => CommandTemplates;
}

/** Named command templates (`model: command:<name>`) and the file they came from. */
export interface CommandTemplates {
  templates: Readonly<Record<string, CommandTemplate>>;
  source: string | undefined;
}

/** What a provider entry gets to build a Model from a spec. */
export interface ProviderContext {
  /** The whole spec, e.g. `anthropic:claude-sonnet-5-5`. */
  spec: string;
  /** The part after the first `:`, e.g. `claude-sonnet-5-5`; empty when absent. */
  modelId: string;
  env: NodeJS.ProcessEnv;
  /** The resolver's keep-alive fetch, shared by all its models. */
  fetch: FetchFunction;
  /** The base URL of the simulated server, started on first use. */
  simUrl(): Promise<string>;
  /** The simulated server to use instead of an in-process one, and where its URL came from (`FANOUT_SIM_URL`). */
  externalSim: { url: string; source: string } | undefined;
  /**
   * The {@link Model.preflight} of this spec against `url`: a TCP connection,
   * remembered per host and port for the resolver's lifetime once it
   * succeeded. `source` is the variable the URL came from, named in the error.
   */
  preflight(url: string, source: string | undefined): (signal?: AbortSignal) => Promise<void>;
  /** The named command templates (ModelResolverOptions.commandTemplates); none without them. */
  commandTemplates(): CommandTemplates;
}

/** Builds the Model of one spec prefix; throws FanoutError `MODEL_CONFIG` when it cannot. */
export type ProviderEntry = (context: ProviderContext) => Model;

/** The Anthropic model used when a plan names none: the current Sonnet. */
const DEFAULT_ANTHROPIC_SPEC = 'anthropic:claude-sonnet-5-5';

/** Model used when a plan names none: a real one when its key is set, else the simulated one. */
export function defaultModelSpec(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ANTHROPIC_API_KEY) return DEFAULT_ANTHROPIC_SPEC;
  if (env.OPENAI_API_KEY) return 'openai:gpt-4o';
  return 'sim';
}

/**
 * Model spec prefixes and how each becomes a Model. Adding a provider is
 * one entry here.
 */
const PROVIDERS: Readonly<Record<string, ProviderEntry>> = {
  sim: ({ spec, modelId, fetch, simUrl, externalSim, preflight }) => {
    if (!SIM_WIRES.includes(modelId)) {
      throw new FanoutError('MODEL_CONFIG', `unknown simulated model "${spec}": expected sim, sim:anthropic or sim:openai`);
    }
    if (externalSim !== undefined) requireHttpUrl(externalSim.source, externalSim.url, 'http://127.0.0.1:8787');
    // Both wire formats reach one server, which enforces one set of limits.
    const endpoint = externalSim === undefined ? SIM_PROVIDER : endpointIdentity(SIM_PROVIDER, externalSim.url, SIM_PROVIDER);
    return new LazyModel({ spec, provider: SIM_PROVIDER, endpoint }, async () => {
      const baseURL = await simUrl();
      const check = preflight(baseURL, externalSim?.source);
      const SimModel = await loadSimModel();
      // `sim:openai` drives the same simulated server through the OpenAI wire format and provider.
      if (modelId === SIM_OPENAI) {
        const OpenAIModel = await loadOpenAI();
        const wire = new OpenAIModel({ spec, modelId: 'sim', apiKey: 'sim', baseURL: `${baseURL}/v1`, provider: SIM_PROVIDER, fetch, preflight: check });
        return new SimModel(spec, wire);
      }
      const AnthropicModel = await loadAnthropic();
      const wire = new AnthropicModel({ spec, modelId: 'sim', apiKey: 'sim', baseURL, provider: SIM_PROVIDER, fetch, preflight: check });
      return new SimModel(spec, wire);
    });
  },
  anthropic: ({ spec, modelId, env, fetch, preflight }) => {
    const apiKey = env.ANTHROPIC_API_KEY;
    if (!apiKey) throw new FanoutError('MODEL_CONFIG', `ANTHROPIC_API_KEY is not set (needed by model "${spec}")`);
    requireModelId(spec, modelId, DEFAULT_ANTHROPIC_SPEC);
    const { baseURL, source } = baseUrlFromEnv(env, 'ANTHROPIC_BASE_URL', ANTHROPIC_DEFAULT_BASE_URL, 'https://api.anthropic.com');
    const check = preflight(baseURL, source);
    const endpoint = endpointIdentity('anthropic', baseURL, apiKey);
    return new LazyModel({ spec, provider: 'anthropic', endpoint }, async () => {
      const AnthropicModel = await loadAnthropic();
      return new AnthropicModel({ spec, modelId, apiKey, baseURL, fetch, preflight: check });
    });
  },
  openai: ({ spec, modelId, env, fetch, preflight }) => {
    const apiKey = env.OPENAI_API_KEY;
    if (!apiKey) throw new FanoutError('MODEL_CONFIG', `OPENAI_API_KEY is not set (needed by model "${spec}")`);
    requireModelId(spec, modelId, 'openai:gpt-4o');
    const { baseURL, source } = baseUrlFromEnv(env, 'OPENAI_BASE_URL', OPENAI_DEFAULT_BASE_URL, 'http://127.0.0.1:11434/v1');
    const check = preflight(baseURL, source);
    const endpoint = endpointIdentity('openai', baseURL, apiKey);
    return new LazyModel({ spec, provider: 'openai', endpoint }, async () => {
      const OpenAIModel = await loadOpenAI();
      return new OpenAIModel({
        spec,
        modelId,
        apiKey,
        baseURL,
        organization: env.OPENAI_ORG_ID || undefined,
        project: env.OPENAI_PROJECT_ID || undefined,
        fetch,
        preflight: check,
      });
    });
  },
  // Whole agents: the engine hands them whole tasks (contracts/whole-agent.ts); they call no model themselves.
  [CLAUDE_CODE_PROVIDER]: ({ spec, modelId, env }) => new ClaudeCodeAgent(spec, modelId, env),
  [COMMAND_PROVIDER]: ({ spec, modelId, env, commandTemplates }) => {
    if (modelId === '') return new CommandAgent(spec, env);
    const { templates, source } = commandTemplates();
    const template = Object.hasOwn(templates, modelId) ? templates[modelId] : undefined;
    if (template === undefined) {
      const known = Object.keys(templates);
      const where =
        source === undefined
          ? 'there is no commands file: $FANOUT_HOME/commands.yaml, or one named by FANOUT_COMMANDS'
          : `${source} has ${known.length === 0 ? 'none' : known.join(', ')}`;
      throw new FanoutError('MODEL_CONFIG', `model "${spec}": no command template named "${modelId}" (${where})`);
    }
    return new CommandAgent(spec, env, template);
  },
};

/** The model id after `sim:` that selects the OpenAI wire format. */
const SIM_OPENAI = 'openai';

/** What may follow `sim:`: nothing (the Anthropic wire format), `anthropic` (the same, said explicitly) or `openai`. */
const SIM_WIRES: readonly string[] = ['', 'anthropic', SIM_OPENAI];

/**
 * Resolves model specs: `sim` (or `sim:anthropic`) is the simulated model,
 * reached through the Anthropic wire format, and `sim:openai` the same
 * through the OpenAI one (any other `sim:` spec is refused); `anthropic:<model-id>` the Anthropic API
 * (needs `ANTHROPIC_API_KEY`, honours `ANTHROPIC_BASE_URL`);
 * `openai:<model>` the OpenAI Chat Completions API or any compatible server
 * (needs `OPENAI_API_KEY`, any non-empty value for local servers; honours
 * `OPENAI_BASE_URL`, `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`); `claude-code`
 * (or `claude-code:<model>`) and `command` (or `command:<name>`, a named
 * template of `commandTemplates`) are whole agents, which run a whole task
 * each (docs/agents.md). See docs/models.md. Models are cached per spec and share one keep-alive
 * connection pool. A base URL that is not an http(s) URL fails `resolve`;
 * one that does not accept connections fails the model's `preflight`.
 *
 * `resolve` is synchronous, so the simulated server (one per resolver, on
 * 127.0.0.1 and a free port) is started by the first `preflight` or
 * `generate` of a sim model, not by `resolve`. `close()` stops it and the
 * connection pool.
 */
export function createModelResolver(options: ModelResolverOptions = {}): ModelResolver {
  const env = options.env ?? process.env;
  const externalSimUrl = options.simUrl ?? (env.FANOUT_SIM_URL || undefined);
  const externalSim =
    externalSimUrl === undefined
      ? undefined
      : { url: externalSimUrl, source: options.simUrl === undefined ? 'FANOUT_SIM_URL' : 'the simUrl option' };
  const models = new Map<string, Model>();
  const http = createNodeFetch({
    timeouts: { ...timeoutsFromEnv(env), ...options.callTimeouts },
    clock: injectedClock(options.clock),
  });
  let reachability = createEndpointReachability();
  let simServer: Promise<{ url: string; close(): Promise<void> }> | undefined;

  const simUrl = async (): Promise<string> => {
    if (externalSimUrl !== undefined) return externalSimUrl;
    // Its clients are this process's models: a script that ends without close() must not be held open by it.
    simServer ??= import('./sim/sim-server.js').then((module) => module.startSimServer({ unref: true }));
    return (await simServer).url;
  };

  let commands: CommandTemplates | undefined;
  const commandTemplates = (): CommandTemplates => (commands ??= options.commandTemplates?.() ?? { templates: {}, source: undefined });

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
      const preflight =
        (url: string, source: string | undefined) =>
        (signal?: AbortSignal): Promise<void> =>
          reachability.check({ url, spec, source }, signal);
      const own = options.modelCallTimeouts?.[spec];
      const fetch = own === undefined ? http.fetch : http.withTimeouts(own);
      const model = entry({ spec, modelId, env, fetch, simUrl, externalSim, preflight, commandTemplates });
      models.set(spec, model);
      return model;
    },
    async close(): Promise<void> {
      const server = simServer;
      simServer = undefined;
      models.clear();
      // The in-process server may come back on another port; what was reached is no proof any more.
      reachability = createEndpointReachability();
      http.close();
      if (server !== undefined) await (await server).close();
    },
  };
}

/** The call time limits set in the environment; a value that is not a positive number is refused. */
function timeoutsFromEnv(env: NodeJS.ProcessEnv): Partial<CallTimeouts> {
  const read = (variable: string): number | undefined => {
    const value = env[variable] || undefined;
    if (value === undefined) return undefined;
    const ms = Number(value);
    if (!(Number.isFinite(ms) && ms > 0)) {
      throw new FanoutError('MODEL_CONFIG', `${variable} must be a number of milliseconds > 0, got "${value}"`);
    }
    return ms;
  };
  const idle = read('FANOUT_STREAM_IDLE_TIMEOUT_MS');
  const call = read('FANOUT_CALL_TIMEOUT_MS');
  return { ...(idle === undefined ? {} : { streamIdleTimeoutMs: idle }), ...(call === undefined ? {} : { callTimeoutMs: call }) };
}

/** The base URL a variable sets (checked to be an http(s) URL), else the provider's default. */
function baseUrlFromEnv(
  env: NodeJS.ProcessEnv,
  variable: string,
  fallback: string,
  example: string,
): { baseURL: string; source: string | undefined } {
  const value = env[variable] || undefined;
  if (value === undefined) return { baseURL: fallback, source: undefined };
  requireHttpUrl(variable, value, example);
  return { baseURL: value, source: variable };
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
 * on the first `preflight` or `generate`, once, and shared by the calls that
 * follow. A failed setup is retried on the next call.
 */
class LazyModel implements Model {
  readonly spec: string;
  readonly provider: string;
  readonly endpoint: string;
  private model: Promise<Model> | undefined;

  constructor(
    identity: { spec: string; provider: string; endpoint: string },
    private readonly create: () => Promise<Model>,
  ) {
    this.spec = identity.spec;
    this.provider = identity.provider;
    this.endpoint = identity.endpoint;
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    return (await this.ready()).generate(request);
  }

  async preflight(signal?: AbortSignal): Promise<void> {
    await (await this.ready()).preflight?.(signal);
  }

  private ready(): Promise<Model> {
    this.model ??= this.create().catch((error: unknown) => {
      this.model = undefined;
      throw new FanoutError('MODEL_CONFIG', `model ${this.spec}: setup failed (${(error as Error).message})`, {
        cause: error,
      });
    });
    return this.model;
  }
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FanoutError } from '../../contracts/errors.js';
import type { ModelResolver, ModelResponse } from '../../contracts/model.js';
import { claudeCodeAgentSource } from '../../agents/index.js';
import { priceLookup, type PriceTable } from '../../models/pricing.js';
import { ScriptedModel, textResponse, type ScriptedStep } from '../../models/scripted-model.js';
import { planFromRequest } from '../../planner/index.js';
import type { TaskSpec } from '../../contracts/plan.js';
import { MemoryRunStore } from '../../store/memory-run-store.js';
import type { RunStore } from '../../contracts/run-store.js';
import type { Fanout, FanoutOptions } from '../../contracts/fanout.js';
import { createFanout } from '../create-fanout.js';
import { ManualClock } from '../manual-clock.js';
import type { FanoutEvent } from '../../contracts/events.js';

/** A promise with its resolve function outside. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

/** A new {@link Deferred}. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** A scripted step that answers only when the test says so, and tells when it was called. */
export interface HeldStep {
  step: ScriptedStep;
  /** Resolves when the model call was made. */
  called: Promise<void>;
  /** Lets the call answer with this text. */
  answer: (text?: string) => void;
}

/** A step that waits for {@link HeldStep.answer}; an aborted call rejects like a real provider. */
export function heldStep(): HeldStep {
  const called = deferred();
  const answered = deferred<string>();
  return {
    called: called.promise,
    answer: (text = 'held answer') => answered.resolve(text),
    step: (request) =>
      new Promise<ModelResponse>((resolve, reject) => {
        called.resolve();
        request.signal.addEventListener('abort', () => reject(new FanoutError('ABORTED', 'model call aborted')), {
          once: true,
        });
        void answered.promise.then((text) => resolve(textResponse(text)));
      }),
  };
}

/** A test engine: memory store, manual clock, and one ScriptedModel per model spec. */
export interface Harness {
  fanout: Fanout;
  store: RunStore;
  clock: ManualClock;
  resolver: ScriptedResolver;
  /** Every event, in order. */
  events: FanoutEvent[];
  /** Registers (or replaces) the ScriptedModel resolved for `spec`. */
  model: (spec: string, steps: ScriptedStep[], provider?: string) => ScriptedModel;
  /** Events of one type. */
  eventsOf: <T extends FanoutEvent['type']>(type: T) => Array<Extract<FanoutEvent, { type: T }>>;
}

/**
 * Options of {@link createHarness}: a store (default: a new MemoryRunStore)
 * or clock to share, and engine options. Like createDefaultFanout, the
 * harness wires fanout's planner, a price table and Claude Code's agent
 * definitions into the engine.
 */
export interface HarnessOptions extends Partial<Omit<FanoutOptions, 'store' | 'clock' | 'models'>> {
  store?: RunStore;
  clock?: ManualClock;
  /** Share the models of another harness. */
  resolver?: ScriptedResolver;
  /** The price table behind the engine's pricing. Default: the built-in prices. */
  prices?: PriceTable;
  /** Home directory whose `.claude/agents/` holds user agent definitions. Default: os.homedir(). */
  agentsHome?: string;
}

/** Resolves specs to the ScriptedModels registered for them; MODEL_CONFIG for any other spec. */
export class ScriptedResolver implements ModelResolver {
  readonly models = new Map<string, ScriptedModel>();

  resolve(spec: string): ScriptedModel {
    const model = this.models.get(spec);
    if (model === undefined) throw new FanoutError('MODEL_CONFIG', `no scripted model for spec ${spec}`);
    return model;
  }

  async close(): Promise<void> {}
}

/**
 * Builds an engine over a MemoryRunStore and a ManualClock whose resolver
 * hands out ScriptedModels registered by spec (`scripted:<task id>` by
 * convention, see {@link task}); the default model is `scripted:synthesis`.
 */
export function createHarness(options: HarnessOptions = {}): Harness {
  const { store = new MemoryRunStore(), clock = new ManualClock(), resolver: shared, prices, agentsHome, ...rest } = options;
  const resolver = shared ?? new ScriptedResolver();
  const fanout = createFanout({
    store,
    clock,
    models: resolver,
    cwd: emptyWorkspace(),
    defaultModel: 'scripted:synthesis',
    pricing: priceLookup(prices),
    agents: claudeCodeAgentSource(agentsHome === undefined ? {} : { home: agentsHome }),
    planner: planFromRequest,
    ...rest,
  });
  const events: FanoutEvent[] = [];
  fanout.on((event) => events.push(event));
  return {
    fanout,
    store,
    clock,
    resolver,
    events,
    model: (spec, steps, provider) => {
      const model = new ScriptedModel(steps, { spec, ...(provider === undefined ? {} : { provider }) });
      resolver.models.set(spec, model);
      return model;
    },
    eventsOf: <T extends FanoutEvent['type']>(type: T) =>
      events.filter((event): event is Extract<FanoutEvent, { type: T }> => event.type === type),
  };
}

/** A task spec whose model is `scripted:<id>`. */
export function task(id: string, extra: Partial<TaskSpec> = {}): TaskSpec {
  return { id, prompt: `Do ${id}.`, model: `scripted:${id}`, ...extra };
}

let workspace: string | undefined;

/** One empty directory per test file: subagents of the tests list it, never a real tree. */
function emptyWorkspace(): string {
  workspace ??= mkdtempSync(join(tmpdir(), 'fanout-engine-test-'));
  return workspace;
}

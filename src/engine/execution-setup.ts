import { FanoutError } from '../contracts/errors.js';
import type { Model } from '../contracts/model.js';
import type { RunStore, StopRequest } from '../contracts/run-store.js';
import type { Clock } from '../contracts/clock.js';
import type { ModelGates } from './model-gate.js';
import type { Pricer } from '../contracts/pricing.js';
import type { EventHub } from './run-events.js';
import type { Synthesizer } from './synthesis.js';
import type { ShellSandboxMode } from './task-environment.js';
import type { WorktreeManager } from '../contracts/workspace.js';
import type { RunRecord, TaskRecord } from '../contracts/records.js';

/** The parts of the engine every run execution shares. */
export interface ExecutionContext {
  store: RunStore;
  /** How long a lease lasts (see FanoutOptions.leaseMs); renewed every sixth of it. */
  leaseMs: number;
  events: EventHub;
  clock: Clock;
  gates: ModelGates;
  /** Directories no subagent may write (FanoutOptions.protectedPaths). */
  protectedPaths: readonly string[];
  /** Worktrees for tasks with worktree isolation; absent: none get one. */
  workspaces: WorktreeManager | undefined;
  shellSandbox: ShellSandboxMode;
  /** Paths sandboxed commands may read besides their directory (FanoutOptions.shellReadPaths). */
  shellReadPaths: readonly string[];
}

/** One run to execute in this process. */
export interface ExecutionSetup {
  /** As recorded; `plan` already carries the effective concurrency, todo mode and model. */
  run: RunRecord;
  /** In plan order: all `queued`, but for the tasks a resumed run keeps (`succeeded`). */
  tasks: TaskRecord[];
  /** Resolved models by spec: every task's and the synthesis's. */
  models: ReadonlyMap<string, Model>;
  /** Pricers by model spec, for the same specs; undefined where the price is unknown. */
  pricers: ReadonlyMap<string, Pricer | undefined>;
  /** Model spec for tasks and synthesis when the plan names none. */
  defaultModel: string;
  /** Whether any of the run's models is the simulated one. */
  simulated: boolean;
  /** Stops the whole run when it fires. */
  signal?: AbortSignal;
  synthesizer?: Synthesizer;
  /** Stop requests recorded before the run started: applied before anything is dispatched. */
  earlyStops?: readonly StopRequest[];
  /**
   * Only stop requests recorded from then on (ms epoch) are for this
   * execution: a resumed run ignores the stop that ended its earlier
   * attempt. @default the run's `createdAt`
   */
  stopsSince?: number;
  /** The run was resumed: its worktrees from earlier attempts are opened again, to be merged with the new ones. */
  resumed?: boolean;
  /** Apply the merged result to the user's branch when the run ends. */
  apply?: boolean;
  /** Give each conflicting file of the merge to a resolver subagent. */
  resolve?: boolean;
}

/**
 * The model, and its pricer when its price is known, that a task with this
 * model spec calls; with no spec of its own (`undefined`), the run's model,
 * which the synthesis calls too. Throws `INTERNAL` for a spec that was not
 * resolved when the run was checked.
 */
export function modelOfRun(setup: Pick<ExecutionSetup, 'run' | 'models' | 'pricers' | 'defaultModel'>, spec: string | undefined): { model: Model; pricer?: Pricer } {
  const key = spec ?? setup.run.plan.model ?? setup.defaultModel;
  const model = setup.models.get(key);
  if (model === undefined) throw new FanoutError('INTERNAL', `model ${key} of run ${setup.run.runId} was not resolved`);
  const pricer = setup.pricers.get(key);
  return pricer === undefined ? { model } : { model, pricer };
}

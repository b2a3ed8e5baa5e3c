import { FanoutError } from '../contracts/errors.js';
import { tighterLimits, type ExecutionDag, type Plan } from '../contracts/plan.js';
import type { SpawnOptions } from '../contracts/fanout.js';
import { newRunId, newTaskHandle } from './handles.js';
import { DEFAULT_CONCURRENCY } from './task-dispatch.js';
import type { ResolvedAgent, RunRecord, TaskRecord, WaitReason } from '../contracts/records.js';

/**
 * The plan as it will run, and as it is recorded: the spawn options applied
 * over its top-level fields, `modelOverride` forced onto every task, the
 * `model` and `maxTurns` of a task's agent definition filled in where the
 * task sets none, and the default model filled in, so a process that starts
 * the run later (`start`) needs nothing but the record. Throws
 * `OPTION_INVALID` on a bad concurrency or run cap.
 */
export function effectivePlan(
  plan: Plan,
  options: SpawnOptions,
  defaultModel: string,
  agents: Readonly<Record<string, ResolvedAgent>> = {},
): Plan {
  checkPositive(options.concurrency, 'concurrency', true);
  checkPositive(options.maxTokens, 'maxTokens', true);
  checkPositive(options.budgetUsd, 'budgetUsd', false);
  checkPositive(options.timeoutMs, 'timeoutMs', true);
  const override = options.modelOverride;
  return {
    ...plan,
    ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
    ...(options.budgetUsd === undefined ? {} : { budgetUsd: options.budgetUsd }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.strictWrites === true && { strictWrites: true }),
    ...(options.providers === undefined ? {} : { providers: tighterLimits(plan.providers, options.providers) }),
    concurrency: options.concurrency ?? plan.concurrency ?? DEFAULT_CONCURRENCY,
    todoMode: options.todoMode ?? plan.todoMode ?? 'parallel',
    model: override ?? plan.model ?? options.model ?? defaultModel,
    tasks: plan.tasks.map((task) => {
      const agent = task.agent === undefined ? undefined : agents[task.agent];
      const model = override ?? task.model ?? agent?.model;
      const maxTurns = task.maxTurns ?? agent?.maxTurns;
      if (model === task.model && maxTurns === task.maxTurns) return task;
      return {
        ...task,
        ...(model === undefined ? {} : { model }),
        ...(maxTurns === undefined ? {} : { maxTurns }),
      };
    }),
  };
}

/** Throws `OPTION_INVALID` unless an option that is set is a positive (integer) number. */
function checkPositive(value: number | undefined, name: string, integer: boolean): void {
  if (value === undefined) return;
  if (integer ? !Number.isInteger(value) || value < 1 : !(value > 0) || !Number.isFinite(value)) {
    throw new FanoutError('OPTION_INVALID', `${name} must be ${integer ? 'an integer >= 1' : 'a positive number'}, got ${String(value)}`);
  }
}

/** Why each task with predecessors waits before anything ran: `dependency` over `conflict`. */
export function initialWaitReasons(dag: ExecutionDag): Map<string, WaitReason> {
  const heldBy = new Map<string, WaitReason>();
  for (const edge of dag.edges) if (heldBy.get(edge.to) !== 'dependency') heldBy.set(edge.to, edge.kind);
  return heldBy;
}

/** Where a new run's records come from. */
export interface NewRunInput {
  plan: Plan;
  dag: ExecutionDag;
  now: number;
  cwd: string;
  name?: string;
  /** True when this process executes the run at once (records it as started, with its pid). */
  executing: boolean;
  /** The agent definitions the tasks use, by name, as resolved at spawn. */
  agents?: Record<string, ResolvedAgent>;
  /** Whether a model spec has a known price: its tasks start with a cost of 0, the others with none. */
  isPriced?: (spec: string) => boolean;
}

/**
 * A new run's record (status `running`) and its task records (all `queued`,
 * fresh handles); a task with predecessors starts out with the wait reason
 * of its edges (`dependency` over `conflict`).
 */
export function newRunRecords(input: NewRunInput): { run: RunRecord; tasks: TaskRecord[] } {
  const { plan, dag, now } = input;
  const runId = newRunId(now);
  const run: RunRecord = {
    runId,
    name: input.name ?? plan.name ?? runId,
    plan,
    dag,
    status: 'running',
    createdAt: now,
    cwd: input.cwd,
    ...(input.executing ? { startedAt: now, pid: process.pid } : {}),
    ...(input.agents === undefined ? {} : { agents: input.agents }),
  };
  const heldBy = initialWaitReasons(dag);
  const tasks = plan.tasks.map((spec, index): TaskRecord => {
    const waitReason = heldBy.get(spec.id);
    return {
      handle: newTaskHandle(),
      runId,
      index,
      taskId: spec.id,
      spec,
      status: 'queued',
      queuedAt: now,
      turns: 0,
      inputTokens: 0,
      outputTokens: 0,
      retries: 0,
      retryWaitMs: 0,
      ...(input.isPriced?.(spec.model ?? plan.model ?? '') === true ? { costUsd: 0 } : {}),
      ...(waitReason === undefined ? {} : { waitReason }),
    };
  });
  return { run, tasks };
}

import { toFanoutError, type FanoutError } from '../contracts/errors.js';
import type { RunPatch } from '../contracts/run-store.js';
import type { UsageMeter } from './caps.js';
import { modelOfRun, type ExecutionContext, type ExecutionSetup } from './execution-setup.js';
import { synthesize, SYNTHESIS_MAX_TOKENS, type SynthesisInput } from './synthesis.js';
import type { TodoList } from './todo-list.js';
import type { FanoutEvent } from '../contracts/events.js';
import type { RunStatus, TaskRecord } from '../contracts/records.js';

/** What ended a run early. */
export interface EarlyEnd {
  /** A stop (by request, signal or close): the run ends `stopped`. */
  stop?: FanoutError;
  /** A run cap: the run ends `failed`, with the cap recorded as its limit. */
  limit?: FanoutError;
}

/** Everything ending a run needs from its execution. */
export interface RunFinishInput {
  ctx: ExecutionContext;
  setup: ExecutionSetup;
  /** The run's task records, all terminal. */
  tasks: readonly TaskRecord[];
  todo: TodoList;
  /** The run's usage: the synthesis counts towards it, and the tokens left bound the synthesis. */
  usage: UsageMeter;
  /** Aborted by a stop or a run cap that comes while the synthesis runs. */
  synthesisSignal: AbortSignal;
  /** Read again after the synthesis, since a stop can still come while it runs. */
  earlyEnd: () => EarlyEnd;
  emit: (event: FanoutEvent) => void;
}

/**
 * Ends a run whose tasks are all terminal: synthesizes when the plan asks
 * for it, something succeeded and nothing ended the run early; then records
 * the run's status (stopped, failed, or succeeded) and announces `run-end`.
 */
export async function finishRun(input: RunFinishInput): Promise<void> {
  const { ctx, setup, tasks, todo } = input;
  let synthesisError: string | undefined;
  try {
    const succeeded = tasks.filter((record) => record.status === 'succeeded');
    const synthesizes = setup.run.plan.synthesis !== false && succeeded.length > 0;
    const early = input.earlyEnd();
    if (setup.run.synthesis !== undefined) {
      // A resumed run that ran no task again keeps the synthesis its earlier attempt made.
      todo.setSynthesis('completed');
    } else if (early.stop === undefined && early.limit === undefined && synthesizes) {
      // A run cap the tasks reached leaves the synthesis, a model call of the run too, no room.
      synthesisError = await runSynthesis(input, succeeded);
    } else {
      todo.setSynthesis(early.stop === undefined ? 'skipped' : 'stopped');
    }
  } catch (error) {
    synthesisError = toFanoutError(error).message;
  }
  const early = input.earlyEnd();
  const { status, error } = outcomeOf(tasks, early, synthesisError);
  const now = ctx.clock.now();
  const patch: RunPatch = { status, endedAt: now };
  if (error !== undefined) patch.error = error;
  if (early.limit !== undefined && early.stop === undefined) patch.limit = early.limit.message;
  ctx.store.updateRun(setup.run.runId, patch);
  input.emit({ type: 'run-end', runId: setup.run.runId, at: now, status });
  ctx.store.flush();
}

/** Runs the synthesis step; returns its error message, if it failed. */
async function runSynthesis(input: RunFinishInput, succeeded: readonly TaskRecord[]): Promise<string | undefined> {
  const { ctx, setup, todo, usage, emit } = input;
  const { store, clock, gates } = ctx;
  const { runId, plan } = setup.run;
  store.updateRun(runId, { status: 'synthesizing' });
  emit({ type: 'synthesis-start', runId, at: clock.now() });
  todo.setSynthesis('in_progress');
  try {
    const inputs: SynthesisInput[] = succeeded.map((record) => ({
      id: record.taskId,
      ...(record.spec.description === undefined ? {} : { description: record.spec.description }),
      output: store.getOutput(record.handle) ?? { handle: record.handle, text: '', truncated: false },
    }));
    const { model, pricer } = modelOfRun(setup, undefined);
    const result = await synthesize({
      inputs,
      ...(typeof plan.synthesis === 'string' ? { instructions: plan.synthesis } : {}),
      model,
      gates,
      clock,
      signal: input.synthesisSignal,
      maxTokens: Math.min(SYNTHESIS_MAX_TOKENS, usage.tokenRoom()),
      ...(pricer === undefined ? {} : { pricer }),
      ...(setup.synthesizer === undefined ? {} : { synthesizer: setup.synthesizer }),
    });
    usage.add(result.inputTokens + result.outputTokens, result.costUsd ?? 0);
    store.updateRun(runId, { synthesis: result });
    todo.setSynthesis('completed');
    emit({ type: 'synthesis-end', runId, at: clock.now(), ok: true });
    return undefined;
  } catch (thrown) {
    const early = input.earlyEnd();
    const message = toFanoutError(early.stop ?? early.limit ?? thrown).message;
    todo.setSynthesis(early.stop === undefined ? 'failed' : 'stopped');
    emit({ type: 'synthesis-end', runId, at: clock.now(), ok: false, error: message });
    return message;
  }
}

/** The run's final status: a stop, then a run cap, then its tasks, then the synthesis decide it. */
function outcomeOf(
  tasks: readonly TaskRecord[],
  early: EarlyEnd,
  synthesisError: string | undefined,
): { status: RunStatus; error?: string } {
  if (early.stop !== undefined) return { status: 'stopped', error: early.stop.message };
  if (early.limit !== undefined) return { status: 'failed', error: early.limit.message };
  let stopped = 0;
  let unsuccessful = 0;
  for (const record of tasks) {
    if (record.status === 'stopped') stopped += 1;
    else if (record.status !== 'succeeded') unsuccessful += 1;
  }
  if (stopped > 0) return { status: 'stopped', error: `${stopped} of ${tasks.length} tasks were stopped` };
  if (unsuccessful > 0) return { status: 'failed', error: `${unsuccessful} of ${tasks.length} tasks did not succeed` };
  if (synthesisError !== undefined) return { status: 'failed', error: `synthesis failed: ${synthesisError}` };
  return { status: 'succeeded' };
}

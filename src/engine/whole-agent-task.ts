import { compileOutputCheck } from '../agent/index.js';
import { FanoutError } from '../contracts/errors.js';
import type { ProviderOptions } from '../contracts/model.js';
import type { TaskSpec } from '../contracts/plan.js';
import { COMMAND_PROVIDER, type WholeAgent, type WholeAgentResult } from '../contracts/whole-agent.js';
import { renderTaskPrompt } from '../plan/index.js';
import { UsageMeter } from './caps.js';
import { taskSystemPrompt } from './task-agents.js';
import { abortedOrFailed, DEFAULT_MAX_TURNS, noUsage, startTimeLimit, type TaskOutcome, type TaskRunOptions, type TaskUsage } from './task-runner.js';

/**
 * The time limit of a whole-agent task whose spec sets none: an agent is
 * a process that may never end by itself, and every outside wait has a limit.
 */
export const DEFAULT_WHOLE_AGENT_TIMEOUT_MS = 30 * 60_000;

/** The fanout tools of a task that names none: the file tools, and `bash` when it has a shell. */
const FILE_TOOLS = ['read_file', 'write_file', 'edit_file', 'list_files', 'grep'];

/** The provider options of a task, each for its own provider: its `command` template. */
export function wholeAgentOptions(spec: TaskSpec): ProviderOptions | undefined {
  return spec.command === undefined ? undefined : { [COMMAND_PROVIDER]: spec.command };
}

/**
 * Runs one task on a whole agent (Claude Code, a CLI command): hands it
 * the task and its role prompt, directory, tools, write scope and turn
 * limit; turns each turn it reports into a `model-call` event and each tool
 * call into a `tool-call` event; counts the tokens it reports against the
 * task's and the run's caps as they come (a cap reached stops the agent,
 * its whole process group killed) and its final totals and cost at the end;
 * and maps every way it can end to a terminal status, as `runTask` does for
 * fanout's own agent loop. Its time limit is the spec's, else
 * {@link DEFAULT_WHOLE_AGENT_TIMEOUT_MS}.
 */
export async function runWholeAgentTask(options: TaskRunOptions, agent: WholeAgent): Promise<TaskOutcome> {
  const { task, clock, controller, emit, runUsage, pricer } = options;
  const { spec, handle, runId, taskId: id } = task;
  const stats: TaskUsage = noUsage();
  const wholeOptions = wholeAgentOptions(spec);
  if (pricer !== undefined || agent.reportsCost(wholeOptions)) stats.costUsd = 0;
  const caps = new UsageMeter({ maxTokens: spec.maxTokens, budgetUsd: spec.budgetUsd }, 'task');
  let ended = false;
  /** Counts usage towards both meters and stops a running agent on a task cap (a run cap stops it through the run). */
  const count = (tokens: number, costUsd: number, calls: number): void => {
    caps.add(tokens, costUsd, calls);
    runUsage.add(tokens, costUsd, calls);
    const reached = caps.reached();
    if (reached !== undefined && !ended && !controller.signal.aborted) controller.abort(new FanoutError('LIMIT_REACHED', reached));
  };
  const stopTimer = startTimeLimit(options, DEFAULT_WHOLE_AGENT_TIMEOUT_MS);
  let result: WholeAgentResult;
  try {
    result = await agent.runTask({
      prompt: renderTaskPrompt(spec),
      system: taskSystemPrompt(spec, options.agent),
      cwd: options.cwd.cwd,
      tools: spec.tools ?? options.agent?.tools ?? (spec.shell === undefined ? undefined : [...FILE_TOOLS, 'bash']),
      writes: spec.writes ?? [],
      maxTurns: spec.maxTurns ?? DEFAULT_MAX_TURNS,
      ...(wholeOptions === undefined ? {} : { providerOptions: wholeOptions }),
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'tool-call') {
          const { tool, ok, detail } = event;
          emit({ type: 'tool-call', runId, at: clock.now(), id, handle, tool, ok, ...(detail === undefined ? {} : { detail }) });
          return;
        }
        stats.turns = event.turn;
        stats.inputTokens += event.inputTokens;
        stats.outputTokens += event.outputTokens;
        const added = priceDelta(stats, pricer);
        const { turn, inputTokens, outputTokens, durationMs } = event;
        emit({ type: 'model-call', runId, at: clock.now(), id, handle, turn, inputTokens, outputTokens, durationMs });
        count(event.inputTokens + event.outputTokens, added, 1);
      },
    });
  } catch (thrown) {
    const reason = controller.signal.aborted ? controller.signal.reason : thrown;
    return { ...stats, ...abortedOrFailed(reason) };
  } finally {
    ended = true;
    stopTimer();
  }
  // A final answer whose totals cross a cap stands: the cap only forbids what would come next.
  settleTotals(stats, result, pricer, count);
  const text = result.text;
  if (typeof spec.outputFormat === 'object') {
    const check = compileOutputCheck(spec.outputFormat)(text);
    if (!check.ok) return { ...stats, status: 'failed', error: `output does not match the task's JSON Schema: ${check.errors.join('; ')}`, output: { text } };
    return { ...stats, status: 'succeeded', output: { text, json: check.value } };
  }
  return { ...stats, status: 'succeeded', output: { text } };
}

/**
 * Replaces the running counts with the totals the agent reported at its
 * end (they include what its turns did not report), and counts the
 * difference: tokens and cost, no further call.
 */
function settleTotals(
  stats: TaskUsage,
  result: WholeAgentResult,
  pricer: TaskRunOptions['pricer'],
  count: (tokens: number, costUsd: number, calls: number) => void,
): void {
  const before = stats.inputTokens + stats.outputTokens;
  const beforeCost = stats.costUsd ?? 0;
  if (result.turns > stats.turns) stats.turns = result.turns;
  const reported = result.usage.inputTokens + result.usage.outputTokens;
  if (reported > 0) {
    stats.inputTokens = result.usage.inputTokens;
    stats.outputTokens = result.usage.outputTokens;
  }
  if (result.costUsd !== undefined) stats.costUsd = result.costUsd;
  else priceDelta(stats, pricer);
  const tokens = stats.inputTokens + stats.outputTokens - before;
  const cost = (stats.costUsd ?? 0) - beforeCost;
  if (tokens !== 0 || cost !== 0) count(tokens, cost, 0);
}

/** Prices the running totals (when a price is known) and returns what the cost grew by. */
function priceDelta(stats: TaskUsage, pricer: TaskRunOptions['pricer']): number {
  if (pricer === undefined) return 0;
  const total = pricer(stats);
  const added = total - (stats.costUsd ?? 0);
  stats.costUsd = total;
  return added;
}

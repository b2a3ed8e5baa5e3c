import path from 'node:path';
import { type Clock, systemClock } from '../../contracts/clock.js';
import { WatchesPerClock, type Watched } from '../../contracts/deadline-watch.js';
import { isFanoutError } from '../../contracts/errors.js';
import type { ToolResultBlock, ToolUseBlock } from '../../contracts/model.js';
import { toolFailed, type AgentTool, type ToolContext } from './tool.js';

/** What {@link executeToolCalls} reports about each call. */
export interface ToolCallInfo {
  tool: string;
  ok: boolean;
  /** The path or pattern on success; the error message on failure. */
  detail?: string;
  /** True when the sandbox refused the call (FanoutError `TOOL_DENIED`), not when it merely failed. */
  refused?: boolean;
}

/** Default most time one tool call may take, ms. */
export const DEFAULT_TOOL_TIME_LIMIT_MS = 30_000;

/** The tools to offer plus the context they run in. */
export interface ToolExecution extends ToolContext {
  tools: readonly AgentTool[];
  onToolCall?: (info: ToolCallInfo) => void;
  /**
   * Most time one call may take, ms: past it the call's signal fires and the
   * model gets a tool error. A tool that bounds itself (bash) uses its own.
   * @default 30000
   */
  timeLimitMs?: number;
  /** Times the limit. @default systemClock */
  clock?: Clock;
}

/**
 * Runs the tool calls of one model turn and returns their results in call
 * order. Calls run concurrently, except that calls naming the same path run
 * one after another in the order given, so two writes to one file in a turn
 * apply in order, and a `bash` command (which may read or write anything in
 * the directory) runs after every call before it while the calls after it
 * wait for it. Never throws: failures become `isError` results. A single
 * call that a tool answered synchronously (see {@link AgentTool.run}) gets
 * its results back at once, not as a promise.
 */
export function executeToolCalls(calls: readonly ToolUseBlock[], execution: ToolExecution): ToolResultBlock[] | Promise<ToolResultBlock[]> {
  // Most turns ask for one call, which has nothing to wait for.
  if (calls.length === 1) {
    const result = executeToolCall(calls[0]!, execution);
    return result instanceof Promise ? result.then((settled) => [settled]) : [result];
  }
  const previousOnPath = new Map<string, Promise<unknown>>();
  let barrier: Promise<unknown> | undefined;
  let sinceBarrier: Array<Promise<unknown>> = [];
  return Promise.all(
    calls.map((call) => {
      if (call.name === 'bash') {
        const before = Promise.all([barrier, ...sinceBarrier]);
        const result = before.then(() => executeToolCall(call, execution));
        barrier = result;
        sinceBarrier = [];
        previousOnPath.clear();
        return result;
      }
      const key = pathKey(call, execution.sandbox.cwd);
      const after = key === undefined ? barrier : (previousOnPath.get(key) ?? barrier);
      const result = after === undefined ? Promise.resolve(executeToolCall(call, execution)) : after.then(() => executeToolCall(call, execution));
      if (key !== undefined) previousOnPath.set(key, result);
      sinceBarrier.push(result);
      return result;
    }),
  );
}

/** One call's result; synchronous when its tool answered synchronously. Never throws. */
function executeToolCall(call: ToolUseBlock, execution: ToolExecution): ToolResultBlock | Promise<ToolResultBlock> {
  let content: string | Promise<string>;
  try {
    // A tool done within its turn cannot be stopped earlier by a limit or an abort (see AgentTool.withinTurn).
    const tool = toolFor(call, execution.tools);
    content = tool.withinTurn === true ? tool.run(call.input, execution) : runWithTimeLimit(tool, call, execution);
  } catch (error) {
    return toolError(call, error, execution);
  }
  if (typeof content === 'string') return toolSucceeded(call, content, execution);
  return content.then(
    (text) => toolSucceeded(call, text, execution),
    (error: unknown) => toolError(call, error, execution),
  );
}

/** The tool `call` names, when offered and its arguments could be read; else throws the tool error to answer. */
function toolFor(call: ToolUseBlock, tools: readonly AgentTool[]): AgentTool {
  const tool = tools.find((candidate) => candidate.spec.name === call.name);
  if (tool === undefined) {
    const names = tools.map((candidate) => candidate.spec.name).join(', ');
    throw toolFailed(`unknown tool "${call.name}"; available tools: ${names}`);
  }
  // The provider could not parse the model's arguments; running the tool with `{}` would act on nothing the model meant.
  if (call.inputError !== undefined) throw toolFailed(`invalid arguments for ${call.name}: ${call.inputError}`);
  return tool;
}

function toolSucceeded(call: ToolUseBlock, content: string, execution: ToolExecution): ToolResultBlock {
  execution.onToolCall?.({ tool: call.name, ok: true, detail: describeTarget(call) });
  return { type: 'tool_result', toolUseId: call.id, content, isError: false };
}

function toolError(call: ToolUseBlock, error: unknown, execution: ToolExecution): ToolResultBlock {
  const content = describeError(error, call);
  execution.onToolCall?.({ tool: call.name, ok: false, detail: content, ...(isFanoutError(error, 'TOOL_DENIED') && { refused: true }) });
  return { type: 'tool_result', toolUseId: call.id, content, isError: true };
}

/**
 * Runs one call with its own signal, which fires when the task's does or
 * when the call's time limit passes; the call then ends at once with a tool
 * error (for the time limit) or the task's abort, whatever the tool is
 * still doing (a well-behaved tool stops on its signal). The limit is an
 * entry of the clock's {@link toolCallWatches}, not a timer of its own.
 */
async function runWithTimeLimit(tool: AgentTool, call: ToolUseBlock, execution: ToolExecution): Promise<string> {
  const limitMs = tool.ownTimeLimitMs?.(execution) ?? execution.timeLimitMs ?? DEFAULT_TOOL_TIME_LIMIT_MS;
  const clock = execution.clock ?? systemClock;
  const controller = new AbortController();
  let stop: (error: unknown) => void = () => {};
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  // `stop` before the call's abort, in both: a tool that rejects on its signal at once must not win the race.
  const onTaskAbort = (): void => {
    stop(execution.signal.reason ?? toolFailed(`${call.name} aborted`));
    controller.abort(execution.signal.reason);
  };
  if (execution.signal.aborted) onTaskAbort();
  else execution.signal.addEventListener('abort', onTaskAbort, { once: true });
  const deadline = clock.monotonic() + limitMs;
  const limit: Watched = {
    deadline: () => deadline,
    expire: () => {
      stop(toolFailed(`${call.name} did not finish within its time limit of ${limitMs} ms and was stopped; try a narrower call`));
      controller.abort();
    },
  };
  const watch = toolCallWatches.of(clock);
  watch.add(limit);
  try {
    return await Promise.race([tool.run(call.input, { ...execution, signal: controller.signal }), stopped]);
  } finally {
    execution.signal.removeEventListener('abort', onTaskAbort);
    watch.delete(limit);
    stopped.catch(() => undefined);
  }
}

/**
 * The one watch of every tool call in flight on a clock. Its decisions wait
 * for the end of the event loop's turn, so a call that finishes within the
 * turn it starts in never arms a sleep at all (and the tools marked
 * `withinTurn` skip the watch altogether).
 */
const toolCallWatches = new WatchesPerClock({ defer: (decide) => setImmediate(decide) });

function pathKey(call: ToolUseBlock, cwd: string): string | undefined {
  const target = call.input['path'];
  return typeof target === 'string' ? path.resolve(cwd, target) : undefined;
}

function describeTarget(call: ToolUseBlock): string | undefined {
  const target = call.input['path'] ?? call.input['pattern'];
  return typeof target === 'string' ? target : undefined;
}

/** One line the model can act on. Node fs errors are named by the path the model gave. */
function describeError(error: unknown, call: ToolUseBlock): string {
  if (!(error instanceof Error)) return oneLine(String(error));
  if (isFanoutError(error)) return oneLine(error.message);
  const target = typeof call.input['path'] === 'string' ? `"${call.input['path']}"` : 'the path';
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return `${target} does not exist`;
    case 'EISDIR':
      return `${target} is a directory`;
    case 'ENOTDIR':
      return `a parent of ${target} is not a directory`;
    case 'EACCES':
    case 'EPERM':
      return `permission denied for ${target}`;
    default:
      return oneLine(error.message);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

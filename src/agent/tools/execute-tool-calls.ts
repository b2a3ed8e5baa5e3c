import path from 'node:path';
import { isFanoutError } from '../../contracts/errors.js';
import type { ToolResultBlock, ToolUseBlock } from '../../contracts/model.js';
import { toolFailed, type AgentTool, type ToolContext } from './tool.js';

/** What {@link executeToolCalls} reports about each call. */
export interface ToolCallInfo {
  tool: string;
  ok: boolean;
  /** The path or pattern on success; the error message on failure. */
  detail?: string;
}

/** The tools to offer plus the context they run in. */
export interface ToolExecution extends ToolContext {
  tools: readonly AgentTool[];
  onToolCall?: (info: ToolCallInfo) => void;
}

/**
 * Runs the tool calls of one model turn and returns their results in call
 * order. Calls run concurrently, except that calls naming the same path run
 * one after another in the order given, so two writes to one file in a turn
 * apply in order. Never throws: failures become `isError` results.
 */
export function executeToolCalls(calls: readonly ToolUseBlock[], execution: ToolExecution): Promise<ToolResultBlock[]> {
  const previousOnPath = new Map<string, Promise<unknown>>();
  return Promise.all(
    calls.map((call) => {
      const key = pathKey(call, execution.sandbox.cwd);
      if (key === undefined) return executeToolCall(call, execution);
      const result = (previousOnPath.get(key) ?? Promise.resolve()).then(() => executeToolCall(call, execution));
      previousOnPath.set(key, result);
      return result;
    }),
  );
}

async function executeToolCall(call: ToolUseBlock, execution: ToolExecution): Promise<ToolResultBlock> {
  const tool = execution.tools.find((candidate) => candidate.spec.name === call.name);
  try {
    if (tool === undefined) {
      const names = execution.tools.map((candidate) => candidate.spec.name).join(', ');
      throw toolFailed(`unknown tool "${call.name}"; available tools: ${names}`);
    }
    // The provider could not parse the model's arguments; running the tool with `{}` would act on nothing the model meant.
    if (call.inputError !== undefined) throw toolFailed(`invalid arguments for ${call.name}: ${call.inputError}`);
    const content = await tool.run(call.input, execution);
    execution.onToolCall?.({ tool: call.name, ok: true, detail: describeTarget(call) });
    return { type: 'tool_result', toolUseId: call.id, content, isError: false };
  } catch (error) {
    const content = describeError(error, call);
    execution.onToolCall?.({ tool: call.name, ok: false, detail: content });
    return { type: 'tool_result', toolUseId: call.id, content, isError: true };
  }
}

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

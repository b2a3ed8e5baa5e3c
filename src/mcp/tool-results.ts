import type { CallToolResult } from '@modelcontextprotocol/server';
import { toFanoutError } from '../contracts/errors.js';

/**
 * A tool's result: the value as JSON text (what a model reads) and as
 * `structuredContent` (what a program reads).
 */
export function jsonResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

/**
 * A failed tool call as MCP reports it: an `isError` result whose text is
 * fanout's one-line message with its stable code (`NOT_FOUND: no task
 * task-x in the store`), so the model can read it and correct the call.
 */
export function errorResult(error: unknown): CallToolResult {
  const fanoutError = toFanoutError(error);
  return { content: [{ type: 'text', text: `${fanoutError.code}: ${fanoutError.message}` }], isError: true };
}

/** Runs a tool body, turning any thrown error into {@link errorResult}. */
export async function toolCall(body: () => Promise<CallToolResult> | CallToolResult): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    return errorResult(error);
  }
}

import { ProtocolError, type CallToolResult, type McpServer, type ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { isFanoutError, type Fanout, type RunStatus } from '../index.js';
import { outputView } from './task-views.js';
import { jsonResult } from './tool-results.js';

// The MCP Tasks extension (`io.modelcontextprotocol/tasks`, protocol
// 2026-07-28): a client that declares it on a tools/call of spawn or
// run_plan gets a task instead of the handles, and follows it with
// tasks/get and tasks/cancel. An MCP task id is a fanout run id (the whole
// run) or a task handle (one task): both live in the store, so a task
// survives restarts of this server. The SDK's v2 line leaves the extension
// to servers (its own experimental tasks layer was removed), hence the
// hand-written handlers.

/** The extension's identifier. */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
const CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
/** Suggested tasks/get interval, ms. */
const POLL_INTERVAL_MS = 1_000;

/** True when the client declared the Tasks extension on this request (it may then get a task). */
export function wantsTask(ctx: ServerContext): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const capabilities = envelope?.[CLIENT_CAPABILITIES] as { extensions?: Record<string, unknown> } | undefined;
  return capabilities?.extensions?.[TASKS_EXTENSION] !== undefined;
}

type McpTaskStatus = 'working' | 'completed' | 'cancelled';

/** A fanout run or task as an MCP task, with its result once it is done. */
async function detailedTask(fanout: Fanout, taskId: string): Promise<Record<string, unknown>> {
  const { run } = fanout.status(taskId);
  const base = { taskId, createdAt: new Date(run.createdAt).toISOString(), lastUpdatedAt: new Date().toISOString(), ttlMs: null, pollIntervalMs: POLL_INTERVAL_MS };
  if (taskId !== run.runId) {
    const result = await fanout.output(taskId);
    const status: McpTaskStatus = !result.done ? 'working' : result.status === 'stopped' ? 'cancelled' : 'completed';
    const task = { ...base, status, statusMessage: `task ${result.taskId} ${result.status}` };
    return status === 'completed' ? { ...task, result: toolResult(outputView(result), result.status !== 'succeeded') } : task;
  }
  const status = runTaskStatus(run.status);
  const task = { ...base, status, statusMessage: `run ${run.runId} ${run.status}` };
  if (status !== 'completed') return task;
  const finished = await fanout.wait(run.runId);
  const tasks = await Promise.all(finished.tasks.map(async (record) => outputView(await fanout.output(record.handle))));
  const value = { runId: run.runId, status: run.status, tasks, ...(finished.synthesis !== undefined ? { synthesis: finished.synthesis.text } : {}) };
  return { ...task, result: toolResult(value, run.status !== 'succeeded') };
}

/** A completed task's result: the CallToolResult the call would have returned, marked complete. */
function toolResult(value: Record<string, unknown>, isError: boolean): Record<string, unknown> {
  return { ...jsonResult(value), isError, resultType: 'complete' };
}

function runTaskStatus(status: RunStatus): McpTaskStatus {
  if (status === 'running' || status === 'synthesizing') return 'working';
  return status === 'stopped' ? 'cancelled' : 'completed';
}

/**
 * The result of a task-augmented spawn or run_plan: a CreateTaskResult for
 * the run. The SDK types tools/call results as CallToolResult only, so the
 * extension's shape goes through a cast; the SDK passes it through as is.
 */
export async function createTaskResult(fanout: Fanout, runId: string): Promise<CallToolResult> {
  const task = await detailedTask(fanout, runId);
  // A run that finished already says so in tasks/get; task creation carries no result.
  delete task.result;
  return { ...task, resultType: 'task' } as unknown as CallToolResult;
}

/** Declares the extension and handles tasks/get, tasks/cancel and tasks/update. */
export function registerTasksExtension(server: McpServer, fanout: Fanout): void {
  server.server.registerCapabilities({ extensions: { [TASKS_EXTENSION]: {} } });
  const params = { params: z.looseObject({ taskId: z.string() }), result: z.looseObject({}) };
  const known = async <T>(body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      if (isFanoutError(error, 'NOT_FOUND')) throw new ProtocolError(-32602, `Failed to retrieve task: ${error.message}`);
      throw error;
    }
  };
  server.server.setRequestHandler('tasks/get', params, ({ taskId }) =>
    known(async () => ({ ...(await detailedTask(fanout, taskId)), resultType: 'complete' })),
  );
  server.server.setRequestHandler('tasks/cancel', params, ({ taskId }) =>
    known(async () => {
      await fanout.stop(taskId);
      return { resultType: 'complete' };
    }),
  );
  server.server.setRequestHandler('tasks/update', params, ({ taskId }) =>
    known(async () => {
      fanout.status(taskId);
      throw new ProtocolError(-32602, `task ${taskId} never asks for input: there is nothing to update`);
    }),
  );
}


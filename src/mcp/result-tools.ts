import type { McpServer } from '@modelcontextprotocol/server';
import { DEFAULT_MAX_BLOCK_MS, type McpContext } from './mcp-context.js';
import { progressSender } from './progress.js';
import { taskOutputInput, waitInput } from './tool-inputs.js';
import { jsonResult, toolCall } from './tool-results.js';
import { outputView } from './task-views.js';
import { waitForTasks } from './wait-for-tasks.js';

/** The longest wait a call may ask for: its own timeout, capped below the client's request timeout. */
function blockLimit(context: McpContext, requested: number | undefined): number {
  const cap = context.maxBlockMs ?? DEFAULT_MAX_BLOCK_MS;
  return Math.min(requested ?? cap, cap);
}

/** Registers task_output and wait: collecting results by handle, from any process, after restarts. */
export function registerResultTools(server: McpServer, context: McpContext): void {
  server.registerTool(
    'task_output',
    {
      title: 'Get a task\'s output',
      description:
        'The final output of a task started by spawn or run_plan, by its handle: the text it ended with, or the parsed JSON ' +
        'when its outputFormat is a JSON Schema. Blocks until the task is done (block: false returns the status at once); ' +
        'a long wait returns the current status with done: false instead of failing, then call it again. ' +
        'Handles stay valid across restarts of this server and across your own context compactions. ' +
        'To collect several tasks, prefer wait first, then task_output for each.',
      inputSchema: taskOutputInput,
      annotations: { readOnlyHint: true },
    },
    (input, ctx) =>
      toolCall(async () => {
        const block = input.block ?? true;
        const progress = progressSender(ctx);
        try {
          if (block) progress.report(`waiting for ${input.handle}`);
          const result = await context.fanout.output(input.handle, {
            block,
            timeoutMs: blockLimit(context, input.timeout_ms),
            signal: ctx.mcpReq.signal,
          });
          return jsonResult(outputView(result));
        } finally {
          progress.close();
        }
      }),
  );

  server.registerTool(
    'wait',
    {
      title: 'Wait for tasks',
      description:
        'Waits until any (mode: "any") or all (mode: "all", the default) of the given task handles are done, and says ' +
        'which are done with their statuses — so you collect results as they finish instead of polling each one. ' +
        'Returns early with timedOut: true when the wait is long; call it again with the handles still pending. ' +
        'Then read each finished task with task_output.',
      inputSchema: waitInput,
      annotations: { readOnlyHint: true },
    },
    (input, ctx) =>
      toolCall(async () => {
        const progress = progressSender(ctx);
        try {
          const outcome = await waitForTasks(context.fanout, input.handles, {
            mode: input.mode ?? 'all',
            timeoutMs: blockLimit(context, input.timeout_ms),
            signal: ctx.mcpReq.signal,
            onProgress: ({ done, total, message }) => progress.report(`${done}/${total} done (${message})`),
          });
          const entry = (result: (typeof outcome.results)[number]) => ({ handle: result.handle, taskId: result.taskId, status: result.status });
          return jsonResult({
            done: outcome.results.filter((result) => result.done).map(entry),
            pending: outcome.results.filter((result) => !result.done).map(entry),
            timedOut: outcome.timedOut,
          });
        } finally {
          progress.close();
        }
      }),
  );
}

import { z } from 'zod';
// The zod schemas, not the library API's JSON Schema: the MCP SDK takes zod for tool inputs.
import { planSchema, taskSpecSchema } from '../plan/index.js';

// Input schemas of the MCP tools. The SDK validates every call against them
// before a tool runs and answers a bad call with an error naming the field
// (`tasks.0.prompt: missing (every task needs a prompt)`); the library then
// checks what a schema cannot (independence, agents, models, budgets).

const handle = z.string().min(1).describe('A task handle (task-...), as returned by spawn or run_plan.');
const runId = z.string().min(1).describe('A run id (run-...), as returned by spawn or run_plan.');
const timeoutMs = z
  .number()
  .int()
  .nonnegative()
  .describe('Give up waiting after this many ms and return the current status. Capped by the server (50 s by default).');

/** Run options shared by spawn and run_plan; they override the plan's own. */
const runOptions = {
  concurrency: z.number().int().positive().describe('Most tasks running at once. Default: the plan\'s, else 8.').optional(),
  model: z.string().min(1).describe('Model spec for tasks that name none (sim, anthropic:<model-id>, openai:<model-id>).').optional(),
  strict: z.boolean().describe('Reject tasks whose write scopes conflict instead of running them one after another.').optional(),
};

export const spawnInput = z.object({
  tasks: z.array(taskSpecSchema).min(1).describe('Every independent task, all in this one call.'),
  name: z.string().min(1).describe('Name of the run.').optional(),
  synthesis: z
    .union([z.string(), z.literal(false)])
    .describe('Synthesis instructions to merge the outputs with one more model call, or false (default): you merge them.')
    .optional(),
  ...runOptions,
});

export const runPlanInput = z
  .object({
    path: z.string().min(1).describe('Plan file (YAML or JSON), relative to the server\'s working directory.').optional(),
    plan: planSchema.describe('The plan itself, as in a plan file.').optional(),
    ...runOptions,
  })
  .refine((input) => (input.path === undefined) !== (input.plan === undefined), {
    message: 'give exactly one of path and plan',
    path: ['path'],
  });

export const taskOutputInput = z.object({
  handle,
  block: z.boolean().describe('Wait until the task has finished (default true).').optional(),
  timeout_ms: timeoutMs.optional(),
});

export const waitInput = z.object({
  handles: z.array(handle).min(1).describe('Handles to wait for.'),
  mode: z.enum(['any', 'all']).describe('any: return as soon as one is done; all (default): when every one is done.').optional(),
  timeout_ms: timeoutMs.optional(),
});

export const taskStopInput = z
  .object({ handle: handle.optional(), runId: runId.optional() })
  .refine((input) => (input.handle === undefined) !== (input.runId === undefined), {
    message: 'give exactly one of handle and runId',
    path: ['handle'],
  });

export const taskListInput = z.object({ runId: runId.describe('The run to list. Default: the latest run.').optional() });

export const runIdInput = z.object({ runId });

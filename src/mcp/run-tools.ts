import { resolve } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/server';
import { loadPlanFile, type Plan } from '../index.js';
import type { McpContext } from './mcp-context.js';
import { startRun } from './start-run.js';
import { createTaskResult, wantsTask } from './tasks-extension.js';
import { runPlanInput, runIdInput, spawnInput, taskListInput, taskStopInput } from './tool-inputs.js';
import { jsonResult, toolCall } from './tool-results.js';
import { runView } from './task-views.js';

/** How many recent runs task_list names besides the one it lists. */
const RECENT_RUNS = 10;

/** spawn's and run_plan's description of the pattern, told to the model that calls them. */
export const SPAWN_DESCRIPTION =
  'Starts subagents in the background and returns at once with one handle per task. Put EVERY independent task ' +
  'in ONE spawn call: they are checked together (tasks whose write scopes overlap run one after another, or are ' +
  'rejected with strict) and start at the same moment. Each task is {id, prompt} plus optional role, context, files ' +
  '(globs it reads), writes (globs it may write; absent = read-only), outputFormat (text or a JSON Schema), focus, ' +
  'dependsOn, model. Then call wait with the handles, and task_output for each handle to read its result. The tasks ' +
  'run in a separate process: they finish even if this server stops, and their results stay retrievable by handle.';

/** Registers the tools that start, stop, list and report runs. */
export function registerRunTools(server: McpServer, context: McpContext): void {
  const { fanout } = context;

  server.registerTool(
    'spawn',
    { title: 'Spawn subagents', description: SPAWN_DESCRIPTION, inputSchema: spawnInput },
    (input, ctx) =>
      toolCall(async () => {
        const { tasks, synthesis, ...options } = input;
        // The caller usually merges the outputs itself: no synthesis call unless asked for.
        const started = await startRun(context, { tasks, synthesis: synthesis ?? false }, { ...options, source: 'spawn.tasks' });
        if (wantsTask(ctx)) return createTaskResult(fanout, started.runId);
        return jsonResult({ ...started, next: 'call wait with these handles, then task_output for each' });
      }),
  );

  server.registerTool(
    'run_plan',
    {
      title: 'Run a plan',
      description:
        'Runs a fanout plan (a file path, or the plan object) in the background, as spawn does, with the plan\'s own ' +
        'synthesis. Returns the run id and one handle per task at once; then wait and task_output, or run_report.',
      inputSchema: runPlanInput,
    },
    (input, ctx) =>
      toolCall(async () => {
        const { path, plan, ...options } = input;
        const source = path === undefined ? 'run_plan.plan' : resolve(context.cwd, path);
        // The input schema lets exactly one of path and plan through.
        const loaded = path === undefined ? (plan as Plan) : loadPlanFile(source);
        const started = await startRun(context, loaded, { ...options, source });
        if (wantsTask(ctx)) return createTaskResult(fanout, started.runId);
        return jsonResult({ ...started });
      }),
  );

  server.registerTool(
    'task_stop',
    {
      title: 'Stop a task or run',
      description: 'Stops one task (handle) or every task of a run (runId), wherever it runs. Finished tasks keep their output.',
      inputSchema: taskStopInput,
      annotations: { destructiveHint: true },
    },
    (input) => toolCall(async () => jsonResult({ ...(await fanout.stop((input.handle ?? input.runId) as string)) })),
  );

  server.registerTool(
    'resume',
    {
      title: 'Resume a run',
      description:
        'Continues an interrupted, stopped or failed run in the background, in place: tasks that succeeded keep their ' +
        'output and do not run again, the others (and the tasks they held back) run anew, the synthesis runs if it is ' +
        'missing. The handles stay the same: call wait with them again. Refused for a run that is still running.',
      inputSchema: runIdInput,
    },
    (input) =>
      toolCall(async () => {
        fanout.checkResume(input.runId);
        await context.startDetached(input.runId, { resume: true });
        const { tasks } = fanout.status(input.runId);
        const handles = tasks.map((task) => ({ id: task.taskId, handle: task.handle, status: task.status }));
        return jsonResult({ runId: input.runId, handles, next: 'call wait with the handles that are not succeeded, then task_output' });
      }),
  );

  server.registerTool(
    'task_list',
    {
      title: 'List tasks',
      description:
        'The tasks of a run (default: the latest) with their state, elapsed time and the todo list, plus the most ' +
        'recent runs. Use it to find handles again after a restart or a compaction.',
      inputSchema: taskListInput,
      annotations: { readOnlyHint: true },
    },
    (input) =>
      toolCall(() => {
        const now = Date.now();
        const recent = fanout.runs(RECENT_RUNS).map((run) => ({ runId: run.runId, name: run.name, status: run.status }));
        if (recent.length === 0 && input.runId === undefined) return jsonResult({ runs: [] });
        return jsonResult({ ...runView(fanout.status(input.runId), now), runs: recent });
      }),
  );

  server.registerTool(
    'run_report',
    {
      title: 'Run report',
      description:
        'The timing report of a run: per-task durations, wall time against the sequential sum, critical path, ' +
        'speedup, tokens, cost, and diagnostics saying where tasks did not overlap and why.',
      inputSchema: runIdInput,
      annotations: { readOnlyHint: true },
    },
    (input) => toolCall(() => jsonResult({ ...fanout.report(input.runId) })),
  );
}

import type { OutputResult, RunStatusView, TaskRecord } from '../index.js';

/**
 * What task_output returns: status, and once done the output — the parsed
 * JSON of a JSON Schema task, else the final text (never a transcript).
 */
export function outputView(result: OutputResult): Record<string, unknown> {
  const view: Record<string, unknown> = {
    handle: result.handle,
    runId: result.runId,
    taskId: result.taskId,
    status: result.status,
    done: result.done,
  };
  if (result.output !== undefined) {
    view.output = result.output.json !== undefined ? result.output.json : result.output.text;
    if (result.output.truncated) view.truncated = true;
  }
  if (result.error !== undefined) view.error = result.error;
  if (!result.done) view.next = `not finished yet: call task_output (or wait) with handle ${result.handle} again`;
  return view;
}

/** One task of task_list: its state and how long it has run. */
export function taskView(task: TaskRecord, now: number): Record<string, unknown> {
  const view: Record<string, unknown> = { id: task.taskId, handle: task.handle, status: task.status };
  if (task.startedAt !== undefined) view.elapsedMs = Math.max(0, (task.endedAt ?? now) - task.startedAt);
  if (task.error !== undefined) view.error = task.error;
  return view;
}

/** What task_list returns for one run: the run, its tasks and its todo list. */
export function runView(status: RunStatusView, now: number): Record<string, unknown> {
  const { run } = status;
  return {
    runId: run.runId,
    name: run.name,
    status: run.status,
    ...(run.startedAt !== undefined ? { elapsedMs: Math.max(0, (run.endedAt ?? now) - run.startedAt) } : {}),
    tasks: status.tasks.map((task) => taskView(task, now)),
    todos: status.todos.map((todo) => ({ id: todo.id, content: todo.content, status: todo.status })),
  };
}

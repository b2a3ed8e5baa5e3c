import type { RunStore } from '../store/run-store.js';
import type { TaskRecord, TaskStatus, TodoItem, TodoStatus } from './types.js';

/** Id of the last todo item of every run. */
export const SYNTHESIS_TODO_ID = 'synthesis';

const TODO_STATUS: Record<TaskStatus, TodoStatus> = {
  queued: 'pending',
  running: 'in_progress',
  succeeded: 'completed',
  failed: 'failed',
  limit: 'failed',
  skipped: 'skipped',
  stopped: 'stopped',
};

/** The todo status shown for a task status. */
export function todoStatusOf(status: TaskStatus): TodoStatus {
  return TODO_STATUS[status];
}

/** The todo items of a run's tasks (in plan order) plus the final synthesis item. */
export function todoItemsOf(tasks: readonly TaskRecord[]): TodoItem[] {
  const items: TodoItem[] = tasks.map((task) => ({
    id: task.taskId,
    content: task.spec.description ?? task.taskId,
    status: todoStatusOf(task.status),
    handle: task.handle,
  }));
  items.push({ id: SYNTHESIS_TODO_ID, content: 'Synthesize results', status: 'pending' });
  return items;
}

/** Writes a new run's whole todo list (everything pending), once, when the run is recorded. */
export function recordTodos(store: RunStore, runId: string, tasks: readonly TaskRecord[]): void {
  todoItemsOf(tasks).forEach((item, position) => store.setTodo(runId, position, item));
}

/**
 * The live todo list of one run, derived from task states. Item `i` is the
 * task at plan index `i`; the synthesis item comes last. Each change is
 * persisted (one `setTodo`) and announced (one `todo-update` with the item
 * only), in O(1): the list is never rebuilt while the run executes.
 */
export class TodoList {
  readonly #runId: string;
  readonly #store: RunStore;
  readonly #items: TodoItem[];
  readonly #onChange: (item: TodoItem) => void;

  constructor(runId: string, store: RunStore, tasks: readonly TaskRecord[], onChange: (item: TodoItem) => void) {
    this.#runId = runId;
    this.#store = store;
    this.#items = todoItemsOf(tasks);
    this.#onChange = onChange;
  }

  /** Reflects the status of the task at plan index `index`. */
  setTask(index: number, status: TaskStatus): void {
    this.#set(index, todoStatusOf(status));
  }

  setSynthesis(status: TodoStatus): void {
    this.#set(this.#items.length - 1, status);
  }

  /** A copy of the current list. */
  items(): TodoItem[] {
    return this.#items.map((item) => ({ ...item }));
  }

  #set(position: number, status: TodoStatus): void {
    const item = this.#items[position];
    if (item === undefined || item.status === status) return;
    item.status = status;
    this.#store.setTodo(this.#runId, position, item);
    this.#onChange({ ...item });
  }
}

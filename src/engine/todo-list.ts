import type { RunStore } from '../contracts/run-store.js';
import { SYNTHESIS_TODO_ID, type TaskRecord, type TaskStatus, type TodoItem, type TodoStatus } from '../contracts/records.js';

const SYNTHESIS_CONTENT = 'Synthesize results';

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

/** The todo list of a run: an item per task (in plan order, its status the task's), then the synthesis item. */
export function todoItemsOf(tasks: readonly TaskRecord[], synthesis: TodoStatus = 'pending'): TodoItem[] {
  const items: TodoItem[] = tasks.map((task) => ({
    id: task.taskId,
    content: task.spec.description ?? task.taskId,
    status: todoStatusOf(task.status),
    handle: task.handle,
  }));
  items.push({ id: SYNTHESIS_TODO_ID, content: SYNTHESIS_CONTENT, status: synthesis });
  return items;
}

/**
 * The todo list of a stored run. Its task items are derived from the task
 * records, which are persisted as they change, so the store holds a todo row
 * for the synthesis item only (at the position after the last task); without
 * one the synthesis is pending. (Runs recorded by earlier versions also hold
 * a row per task, before the synthesis row; they are not read.)
 */
export function readTodos(store: RunStore, runId: string, tasks: readonly TaskRecord[]): TodoItem[] {
  return todoItemsOf(tasks, store.listTodos(runId).at(-1)?.status);
}

/** Persists the synthesis item of a run of `taskCount` tasks. */
export function recordSynthesisTodo(store: RunStore, runId: string, taskCount: number, status: TodoStatus): TodoItem {
  const item: TodoItem = { id: SYNTHESIS_TODO_ID, content: SYNTHESIS_CONTENT, status };
  store.setTodo(runId, taskCount, item);
  return item;
}

/**
 * The live todo list of one run. Item `i` is the task at plan index `i`; the
 * synthesis item comes last. Each change is announced (one `todo-update`
 * with the item only) in O(1); only synthesis changes are written to the
 * store, task items being derived from the task records (see {@link readTodos}).
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
    const item = this.#items[index];
    if (item === undefined || index === this.#items.length - 1) return;
    this.#set(item, todoStatusOf(status));
  }

  setSynthesis(status: TodoStatus): void {
    const position = this.#items.length - 1;
    const item = this.#items[position] as TodoItem;
    if (this.#set(item, status)) recordSynthesisTodo(this.#store, this.#runId, position, status);
  }

  /** Whether the status changed. */
  #set(item: TodoItem, status: TodoStatus): boolean {
    if (item.status === status) return false;
    item.status = status;
    this.#onChange({ ...item });
    return true;
  }
}

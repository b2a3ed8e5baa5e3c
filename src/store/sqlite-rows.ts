import { FanoutError } from '../contracts/errors.js';
import type {
  FanoutEvent,
  StoredEvent,
} from '../contracts/events.js';
import type {
  RefusedCall,
  RunRecord,
  RunStatus,
  SynthesisResult,
  TaskOutput,
  TaskRecord,
  TaskStatus,
  TodoItem,
  WaitReason,
} from '../contracts/records.js';
import type { ExecutionDag, Plan, TaskSpec } from '../contracts/plan.js';

/** A row as better-sqlite3 returns it: column name to value. */
export type Row = Record<string, unknown>;

/** Turns a `runs` row into a record. @throws FanoutError `STORE_ERROR` naming the row when a column is corrupt. */
export function rowToRun(row: Row): RunRecord {
  const at = where('runs', 'run_id', row.run_id);
  const run: RunRecord = {
    runId: text(row, 'run_id', at),
    name: text(row, 'name', at),
    plan: object(row, 'plan', at) as unknown as Plan,
    dag: object(row, 'dag', at) as unknown as ExecutionDag,
    status: text(row, 'status', at) as RunStatus,
    createdAt: number(row, 'created_at', at),
    cwd: text(row, 'cwd', at),
  };
  if (row.started_at !== null) run.startedAt = number(row, 'started_at', at);
  if (row.ended_at !== null) run.endedAt = number(row, 'ended_at', at);
  if (row.pid !== null) run.pid = number(row, 'pid', at);
  if (row.lease_until !== null && row.lease_until !== undefined) run.leaseUntil = number(row, 'lease_until', at);
  if (row.attempts !== null && row.attempts !== undefined) run.attempts = JSON.parse(text(row, 'attempts', at)) as NonNullable<RunRecord['attempts']>;
  if (row.synthesis !== null) run.synthesis = object(row, 'synthesis', at) as unknown as SynthesisResult;
  if (row.error !== null) run.error = text(row, 'error', at);
  if (row.agents !== null) run.agents = object(row, 'agents', at) as unknown as NonNullable<RunRecord['agents']>;
  if (row.limit_reason !== null) run.limit = text(row, 'limit_reason', at);
  return run;
}

/**
 * Turns a `tasks` row joined with its `task_specs` row into a record.
 * @throws FanoutError `STORE_ERROR` naming the row when a column is corrupt.
 */
export function rowToTask(row: Row): TaskRecord {
  const at = where('tasks', 'handle', row.handle);
  const task: TaskRecord = {
    handle: text(row, 'handle', at),
    runId: text(row, 'run_id', at),
    index: number(row, 'idx', at),
    taskId: text(row, 'task_id', at),
    spec: object(row, 'spec', `${where('task_specs', 'id', row.spec_id)} of task ${String(row.handle)}`) as unknown as TaskSpec,
    status: text(row, 'status', at) as TaskStatus,
    queuedAt: number(row, 'queued_at', at),
    turns: number(row, 'turns', at),
    inputTokens: number(row, 'input_tokens', at),
    outputTokens: number(row, 'output_tokens', at),
    retries: number(row, 'retries', at),
    retryWaitMs: number(row, 'retry_wait_ms', at),
  };
  if (row.ready_at !== null) task.readyAt = number(row, 'ready_at', at);
  if (row.started_at !== null) task.startedAt = number(row, 'started_at', at);
  if (row.ended_at !== null) task.endedAt = number(row, 'ended_at', at);
  if (row.rate_limit_wait_ms !== null) task.rateLimitWaitMs = number(row, 'rate_limit_wait_ms', at);
  if (row.cost_usd !== null) task.costUsd = number(row, 'cost_usd', at);
  if (row.wait_reason !== null) task.waitReason = text(row, 'wait_reason', at) as WaitReason;
  if (row.error !== null) task.error = text(row, 'error', at);
  if (row.writes !== null) task.writes = json(row, 'writes', at) as string[];
  if (row.refused !== null) task.refused = json(row, 'refused', at) as RefusedCall[];
  return task;
}

/** Turns an `outputs` row into a record. @throws FanoutError `STORE_ERROR` naming the row when a column is corrupt. */
export function rowToOutput(row: Row): TaskOutput {
  const at = where('outputs', 'handle', row.handle);
  const output: TaskOutput = {
    handle: text(row, 'handle', at),
    text: text(row, 'text', at),
    truncated: number(row, 'truncated', at) !== 0,
  };
  if (row.json !== null) output.json = json(row, 'json', at);
  return output;
}

/**
 * The events of an `event_pages` row with seq > `afterSeq`. A page holds a
 * JSON array of the events a run recorded in one write batch, each with its
 * `seq`. @throws FanoutError `STORE_ERROR` naming the row when it is corrupt.
 */
export function pageToEvents(row: Row, afterSeq: number): StoredEvent[] {
  const at = where('event_pages', 'run_id, first_seq', `${String(row.run_id)}, ${String(row.first_seq)}`);
  const runId = text(row, 'run_id', at);
  const events = json(row, 'events', at);
  if (!Array.isArray(events)) throw corrupt(at, 'events', 'should be a JSON array');
  const stored: StoredEvent[] = [];
  for (const item of events as unknown[]) {
    const { seq, ...event } = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof seq !== 'number' || typeof event.type !== 'string' || typeof event.at !== 'number') {
      throw corrupt(at, 'events', 'holds an event without a numeric seq, a type and a numeric at');
    }
    if (seq > afterSeq) stored.push({ seq, event: { ...event, runId } as unknown as FanoutEvent });
  }
  return stored;
}

/** Turns a `todos` row into an item. @throws FanoutError `STORE_ERROR` naming the row when a column is corrupt. */
export function rowToTodo(row: Row): TodoItem {
  const at = where('todos', 'run_id, position', `${String(row.run_id)}, ${String(row.position)}`);
  return object(row, 'item', at) as unknown as TodoItem;
}

function where(table: string, key: string, value: unknown): string {
  return `${table} (${key} = ${String(value)})`;
}

function corrupt(at: string, column: string, problem: string): FanoutError {
  return new FanoutError('STORE_ERROR', `corrupt row in ${at}: column ${column} ${problem}`, { where: `${at}.${column}` });
}

function text(row: Row, column: string, at: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw corrupt(at, column, `should be text, got ${typeof value}`);
  return value;
}

function number(row: Row, column: string, at: string): number {
  const value = row[column];
  if (typeof value !== 'number') throw corrupt(at, column, `should be a number, got ${typeof value}`);
  return value;
}

function json(row: Row, column: string, at: string): unknown {
  const source = text(row, column, at);
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    throw corrupt(at, column, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

function object(row: Row, column: string, at: string): Record<string, unknown> {
  const value = json(row, column, at);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw corrupt(at, column, 'should hold a JSON object');
  }
  return value as Record<string, unknown>;
}

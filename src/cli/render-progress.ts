import type { FanoutEvent } from '../contracts/events.js';
import type { RunStatus, TaskStatus, WaitReason } from '../contracts/records.js';
import { SYNTHESIS_TODO_ID } from '../contracts/records.js';
import { formatDuration, formatElapsed, truncate } from './format.js';

/** What the progress view knows about one task, folded from events. */
export interface ProgressTask {
  id: string;
  handle?: string;
  /** Todo-list text: the task's description, else its id. */
  label: string;
  status: TaskStatus;
  waiting?: { reason: WaitReason; on?: string; detail?: string };
  /** What holds back the running task's model call (a rate limit, a provider cap), until the call answers. */
  limited?: string;
  startedAt?: number;
  endedAt?: number;
  turns: number;
  retries: number;
  lastTool?: string;
  error?: string;
  /** Tool calls the sandbox refused so far. */
  refused: number;
}

/** State of the synthesis item, the last line of the todo list. */
export type SynthesisState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'stopped';

/** Everything the progress renderers need; built by {@link applyEvent}. */
export interface ProgressState {
  runId?: string;
  name?: string;
  /** `at` of the run-start event: offsets of plain lines count from here. */
  startedAt?: number;
  simulated?: boolean;
  tasks: ProgressTask[];
  synthesis: SynthesisState;
  synthesisStartedAt?: number;
  synthesisEndedAt?: number;
  runStatus?: RunStatus;
}

/** Initial state: the plan's tasks, all queued, with their todo labels. */
export function createProgressState(tasks: ReadonlyArray<{ id: string; description?: string }>): ProgressState {
  return {
    tasks: tasks.map((task) => ({ id: task.id, label: task.description ?? task.id, status: 'queued', turns: 0, retries: 0, refused: 0 })),
    synthesis: 'pending',
  };
}

function taskOf(state: ProgressState, id: string): ProgressTask {
  let task = state.tasks.find((candidate) => candidate.id === id);
  if (!task) {
    task = { id, label: id, status: 'queued', turns: 0, retries: 0, refused: 0 };
    state.tasks.push(task);
  }
  return task;
}

/** Folds one event into the state (mutating it) and returns the state. */
export function applyEvent(state: ProgressState, event: FanoutEvent): ProgressState {
  switch (event.type) {
    case 'run-start':
      state.runId = event.runId;
      state.name = event.name;
      state.startedAt = event.at;
      state.simulated = event.simulated;
      for (const { id, handle } of event.tasks) taskOf(state, id).handle = handle;
      break;
    case 'task-waiting': {
      const task = taskOf(state, event.id);
      task.handle = event.handle;
      if (task.status === 'running') task.limited = describeWait({ reason: event.reason, detail: event.detail });
      else task.waiting = { reason: event.reason, on: event.on, detail: event.detail };
      break;
    }
    case 'rate-limited':
      taskOf(state, event.id).limited = `waiting: ${event.detail}`;
      break;
    case 'task-start': {
      const task = taskOf(state, event.id);
      task.handle = event.handle;
      task.status = 'running';
      task.startedAt = event.at;
      task.waiting = undefined;
      break;
    }
    case 'model-call': {
      const task = taskOf(state, event.id);
      task.turns = Math.max(task.turns, event.turn);
      task.limited = undefined;
      break;
    }
    case 'tool-call': {
      const task = taskOf(state, event.id);
      task.lastTool = event.tool;
      if (event.refused === true) task.refused += 1;
      break;
    }
    case 'task-retry':
      taskOf(state, event.id).retries = event.attempt;
      break;
    case 'task-end': {
      const task = taskOf(state, event.id);
      task.status = event.status;
      task.endedAt = event.at;
      task.startedAt ??= event.at - event.durationMs;
      task.error = event.error;
      task.waiting = undefined;
      break;
    }
    case 'synthesis-start':
      state.synthesis = 'running';
      state.synthesisStartedAt = event.at;
      break;
    case 'synthesis-end':
      state.synthesis = event.ok ? 'succeeded' : 'failed';
      state.synthesisEndedAt = event.at;
      break;
    case 'run-end':
      state.runStatus = event.status;
      break;
    case 'todo-update':
      // A synthesis that never starts (the run stopped, or a task failed) is only announced here.
      if (event.item.id === SYNTHESIS_TODO_ID && (event.item.status === 'skipped' || event.item.status === 'stopped')) {
        state.synthesis = event.item.status;
      }
      break;
  }
  return state;
}

/** The symbol of each task status, shared by every renderer. */
export const STATUS_SYMBOL: Record<TaskStatus, string> = {
  queued: '○',
  running: '▶',
  succeeded: '✔',
  failed: '✖',
  limit: '⚠',
  skipped: '⊘',
  stopped: '■',
};

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** `waits for login: conflict (src/auth/** ~ src/auth/login.ts)`, `waiting: concurrency` */
function describeWait(waiting: NonNullable<ProgressTask['waiting']>): string {
  const detail = waiting.detail ? ` (${waiting.detail})` : '';
  if (waiting.on && (waiting.reason === 'dependency' || waiting.reason === 'conflict')) {
    return `waits for ${waiting.on}: ${waiting.reason}${detail}`;
  }
  return `waiting: ${waiting.reason === 'rate-limit' ? 'rate limit' : waiting.reason}${detail}`;
}

/** `⚠ 2 refused`: the mark of a task whose tool calls the sandbox refused, shared by every renderer. */
export function refusedMark(count: number): string {
  return `⚠ ${count} refused`;
}

function elapsedOf(task: ProgressTask, now: number): number | undefined {
  if (task.startedAt === undefined) return undefined;
  return (task.endedAt ?? now) - task.startedAt;
}

/** Columns of a row besides its label and detail: indent, symbol, gaps, state (9) and elapsed time (6). */
const FIXED_COLUMNS = 2 + 2 + 2 + 9 + 2 + 6;

/**
 * One row: symbol, label, state, elapsed time, detail. The label is cut to
 * `labelWidth` and the detail to what is left of `width`, so state and time
 * always show.
 */
function row(symbol: string, label: string, state: string, time: string, detail: string, labelWidth: number, width: number): string {
  const head = `  ${symbol} ${truncate(label, labelWidth).padEnd(labelWidth)}  ${state.padEnd(9)}  ${time.padStart(6)}`;
  const room = width - head.length - 2;
  return (detail && room > 0 ? `${head}  ${truncate(detail, room)}` : head).trimEnd();
}

function taskLine(task: ProgressTask, now: number, labelWidth: number, width: number): string {
  const symbol = task.status === 'running' ? SPINNER[Math.floor(now / 100) % SPINNER.length] : STATUS_SYMBOL[task.status];
  const elapsed = elapsedOf(task, now);
  let detail = '';
  if (task.status === 'running') {
    const parts = [
      task.turns > 0 ? `turn ${task.turns}` : '',
      task.lastTool ?? '',
      task.retries > 0 ? `retry ${task.retries}` : '',
      task.limited ?? '',
    ];
    detail = parts.filter(Boolean).join(' · ');
  } else if (task.status === 'queued' && task.waiting) {
    detail = describeWait(task.waiting);
  } else if (task.error) {
    detail = task.error;
  }
  // A refusal is worth seeing whatever the state: a task that "succeeded" may not have written what it was asked to.
  if (task.refused > 0) detail = [refusedMark(task.refused), detail].filter(Boolean).join(' · ');
  const status = task.status === 'queued' && task.waiting ? 'waiting' : task.status;
  const time = elapsed === undefined ? '' : formatElapsed(elapsed);
  return row(symbol ?? '', task.label, status, time, detail, labelWidth, width);
}

function synthesisLine(state: ProgressState, now: number, labelWidth: number, width: number): string {
  const symbol = {
    pending: '○',
    running: SPINNER[Math.floor(now / 100) % SPINNER.length] ?? '',
    succeeded: STATUS_SYMBOL.succeeded,
    failed: STATUS_SYMBOL.failed,
    skipped: STATUS_SYMBOL.skipped,
    stopped: STATUS_SYMBOL.stopped,
  }[state.synthesis];
  const elapsed = state.synthesisStartedAt === undefined ? '' : formatElapsed((state.synthesisEndedAt ?? now) - state.synthesisStartedAt);
  return row(symbol, 'Synthesize results', state.synthesis, elapsed, '', labelWidth, width);
}

/**
 * `fanout · <name> · 2/5 done · 3 running · 4.2s · SIMULATED model`; when it
 * does not fit, the name is shortened, then left out, then `SIMULATED model`
 * becomes `SIMULATED`, and only then is the line cut.
 */
function headerLine(state: ProgressState, now: number, width: number): string {
  const done = state.tasks.filter((task) => task.status !== 'queued' && task.status !== 'running').length;
  const running = state.tasks.filter((task) => task.status === 'running').length;
  const elapsed = state.startedAt === undefined ? '' : ` · ${formatElapsed(now - state.startedAt)}`;
  const counts = ` · ${done}/${state.tasks.length} done · ${running} running${elapsed}`;
  const full = `${counts}${state.simulated ? ' · SIMULATED model' : ''}`;
  const nameRoom = width - 'fanout · '.length - full.length;
  if (state.name && nameRoom >= Math.min(8, state.name.length)) return `fanout · ${truncate(state.name, nameRoom)}${full}`;
  if (`fanout${full}`.length <= width) return `fanout${full}`;
  return truncate(`fanout${counts}${state.simulated ? ' · SIMULATED' : ''}`, width);
}

// When the list is taller than the terminal, keep the lines that change.
const KEEP_ORDER: TaskStatus[] = ['running', 'failed', 'limit', 'queued', 'stopped', 'skipped', 'succeeded'];

/**
 * The live todo list: a header, one line per task (state, elapsed time, what
 * it is doing) and the synthesis line, cut to `width` columns and at most
 * `maxLines` lines (then a `… N more` line replaces the least interesting tasks).
 */
export function renderProgressLines(state: ProgressState, now: number, size: { width: number; maxLines: number }): string[] {
  const header = headerLine(state, now, size.width);
  // Labels give way first: state and elapsed time keep their columns down to a very narrow terminal.
  const wanted = Math.max(18, ...state.tasks.map((task) => task.label.length));
  const labelWidth = Math.max(6, Math.min(wanted, size.width - FIXED_COLUMNS));

  let shown = state.tasks;
  let hidden: ProgressTask[] = [];
  const room = Math.max(1, size.maxLines - 2);
  if (state.tasks.length > room) {
    const ranked = [...state.tasks].sort((a, b) => KEEP_ORDER.indexOf(a.status) - KEEP_ORDER.indexOf(b.status));
    const keep = new Set(ranked.slice(0, Math.max(0, room - 1)));
    shown = state.tasks.filter((task) => keep.has(task));
    hidden = state.tasks.filter((task) => !keep.has(task));
  }
  const lines = [header, ...shown.map((task) => taskLine(task, now, labelWidth, size.width))];
  if (hidden.length > 0) {
    const counts = new Map<string, number>();
    for (const task of hidden) counts.set(task.status, (counts.get(task.status) ?? 0) + 1);
    lines.push(`  … ${hidden.length} more (${[...counts].map(([status, count]) => `${count} ${status}`).join(', ')})`);
  }
  lines.push(synthesisLine(state, now, labelWidth, size.width));
  return lines.map((line) => truncate(line, size.width));
}

function offset(state: ProgressState, at: number): string {
  return `+${formatElapsed(at - (state.startedAt ?? at))}`.padStart(7);
}

/**
 * The sentence printed when the engine serialized two conflicting tasks
 * (a `task-waiting` event with reason `conflict`), naming the glob pair.
 */
export function serializationNotice(event: FanoutEvent): string | undefined {
  if (event.type !== 'task-waiting' || event.reason !== 'conflict') return undefined;
  const on = event.on ?? 'a conflicting task';
  return `serialized: ${event.id} waits for ${on}${event.detail ? ` (conflict ${event.detail})` : ''}`;
}

/**
 * One line for a non-TTY stream, printed when a task or the synthesis
 * changes state (call after {@link applyEvent}); undefined for events that
 * change nothing a reader of a log needs.
 */
export function plainProgressLine(state: ProgressState, event: FanoutEvent): string | undefined {
  switch (event.type) {
    case 'run-start':
      // A plan without a name is named after its run id: saying it twice says nothing.
      return `run ${event.runId}${event.name && event.name !== event.runId ? ` "${event.name}"` : ''}: ${event.tasks.length} task${event.tasks.length === 1 ? '' : 's'}${event.simulated ? ' (SIMULATED model)' : ''}`;
    case 'task-waiting': {
      // A wait for a retry follows the task-retry line that already said it.
      if (event.reason === 'retry' && (state.tasks.find((task) => task.id === event.id)?.retries ?? 0) > 0) return undefined;
      const notice = serializationNotice(event);
      const waiting = describeWait({ reason: event.reason, on: event.on, detail: event.detail });
      return `${offset(state, event.at)}  ${STATUS_SYMBOL.queued} ${event.id}  ${notice ?? waiting}`;
    }
    case 'task-start':
      return `${offset(state, event.at)}  ${STATUS_SYMBOL.running} ${event.id}  running`;
    case 'task-retry':
      return `${offset(state, event.at)}  ↻ ${event.id}  retry ${event.attempt} in ${formatDuration(event.waitMs)}: ${event.error}`;
    case 'task-end': {
      const task = state.tasks.find((candidate) => candidate.id === event.id);
      const turns = task && task.turns > 0 ? ` (${task.turns} turn${task.turns === 1 ? '' : 's'})` : '';
      const error = event.error ? `: ${event.error}` : '';
      const refused = task && task.refused > 0 ? ` · ${refusedMark(task.refused)}` : '';
      return `${offset(state, event.at)}  ${STATUS_SYMBOL[event.status]} ${event.id}  ${event.status} in ${formatElapsed(event.durationMs)}${turns}${refused}${error}`;
    }
    case 'synthesis-start':
      return `${offset(state, event.at)}  ${STATUS_SYMBOL.running} synthesis  running`;
    case 'todo-update':
      if (event.item.id !== SYNTHESIS_TODO_ID || (event.item.status !== 'skipped' && event.item.status !== 'stopped')) return undefined;
      return `${offset(state, event.at)}  ${STATUS_SYMBOL[event.item.status]} synthesis  ${event.item.status}`;
    case 'synthesis-end':
      return `${offset(state, event.at)}  ${event.ok ? STATUS_SYMBOL.succeeded : STATUS_SYMBOL.failed} synthesis  ${event.ok ? 'succeeded' : `failed${event.error ? `: ${event.error}` : ''}`}`;
    default:
      return undefined;
  }
}

import type { StoredEvent } from '../contracts/events.js';
import { formatMs } from './format.js';

/** Longest tool detail (a path, a pattern, an error) shown on a log line. */
export const LOG_DETAIL_WIDTH = 72;

/** What a log line is laid out against. */
export interface LogLayout {
  /** The run's creation time: each line shows its offset from it. */
  t0: number;
  /** Task ids by handle (the column that says whose line it is). */
  ids: ReadonlyMap<string, string>;
  /** Width the id column is padded to. */
  idWidth: number;
}

/**
 * One readable line of a stored event, or undefined for an event a log
 * leaves out: `+1.2s  auth-api  turn 2: 1,234 in / 56 out tokens (0.82s)`.
 */
export function renderLogLine(stored: StoredEvent, layout: LogLayout): string | undefined {
  const { event } = stored;
  const who = 'handle' in event ? (layout.ids.get(event.handle) ?? event.id) : 'run';
  const text = describeEvent(stored);
  if (text === undefined) return undefined;
  return `${`+${((event.at - layout.t0) / 1000).toFixed(1)}s`.padStart(8)}  ${who.padEnd(layout.idWidth)}  ${text}`;
}

/**
 * What a stored event says, in words: `turn 2: 1,234 in / 56 out tokens
 * (820 ms)`, `write_file src/a.ts ✔`, `retry 1 in 500 ms: …`; undefined
 * for an event a log leaves out. The CLI's `logs` and the dashboard's
 * transcript both use it.
 */
export function describeEvent({ event }: StoredEvent): string | undefined {
  switch (event.type) {
    case 'run-start':
      return `run ${event.runId} started: ${event.tasks.length} ${event.tasks.length === 1 ? 'task' : 'tasks'}${event.simulated ? ' (simulated model)' : ''}`;
    case 'task-waiting':
      return `waiting (${event.reason})${event.on === undefined ? '' : ` on ${event.on}`}${event.detail === undefined ? '' : `: ${truncate(event.detail, LOG_DETAIL_WIDTH)}`}`;
    case 'task-start':
      return 'started';
    case 'model-call':
      return `turn ${event.turn}: ${count(event.inputTokens)} in / ${count(event.outputTokens)} out tokens (${formatMs(event.durationMs)})`;
    case 'tool-call': {
      const detail = event.detail === undefined ? '' : ` ${truncate(oneLine(event.detail), LOG_DETAIL_WIDTH)}`;
      return event.ok ? `${event.tool}${detail} ✔` : `${event.tool} ✘ refused or failed:${detail}`;
    }
    case 'task-retry':
      return `retry ${event.attempt} in ${formatMs(event.waitMs)}: ${truncate(oneLine(event.error), LOG_DETAIL_WIDTH)}`;
    case 'rate-limited':
      return `rate limited: ${event.detail}`;
    case 'call-waited':
      return `waited ${formatMs(event.waitedMs)} for ${event.reason === 'provider-cap' ? 'the provider cap' : 'a rate limit'} (${truncate(event.detail, LOG_DETAIL_WIDTH)})`;
    case 'rate-window':
      return `${event.provider} window ${event.change === 'grew' ? 'grew' : 'shrank'} to ${event.window} (${event.reason})`;
    case 'task-end':
      return `${event.status} after ${formatMs(event.durationMs)}${event.error === undefined ? '' : `: ${truncate(oneLine(event.error), LOG_DETAIL_WIDTH)}`}`;
    case 'synthesis-start':
      return 'synthesis started';
    case 'synthesis-end':
      return event.ok ? 'synthesis done' : `synthesis failed: ${oneLine(event.error ?? 'unknown error')}`;
    case 'run-merge': {
      if (event.error !== undefined && event.applied !== false) return `merge failed: ${truncate(oneLine(event.error), LOG_DETAIL_WIDTH)}`;
      const merged = `merged ${event.merged.length} ${event.merged.length === 1 ? 'task' : 'tasks'} into ${event.branch}`;
      const conflicts = event.conflicts.length === 0 ? '' : `, ${event.conflicts.length} ${event.conflicts.length === 1 ? 'file' : 'files'} in conflict`;
      const applied = event.applied === undefined ? '' : event.applied ? ', applied' : `, not applied: ${truncate(oneLine(event.error ?? 'refused'), LOG_DETAIL_WIDTH)}`;
      return `${merged}${conflicts}${applied}`;
    }
    case 'run-end':
      return `run ${event.status}`;
    case 'todo-update':
      // Restates a task's status, which its own events already say.
      return undefined;
  }
}

function count(tokens: number): string {
  return tokens.toLocaleString('en-US');
}

/** Cuts `text` to `width` characters, marking the cut with `…`. */
function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** One NDJSON line of `fanout logs --json`: the event with its seq first. */
export function logJsonLine(stored: StoredEvent): string {
  return `${JSON.stringify({ seq: stored.seq, ...stored.event })}\n`;
}

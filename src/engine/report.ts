import { longestPath } from '../plan/index.js';
import type { StoredEvent } from '../contracts/events.js';
import { NOTABLE_WAIT_MS, rateLimitOnlyMs, type RunReport, type TaskTiming } from '../contracts/run-report.js';
import type { RunRecord, TaskRecord } from '../contracts/records.js';

/** Options of {@link buildReport}. */
export interface ReportOptions {
  /** Whether the run used the simulated model (the report says so). @default false */
  simulated?: boolean;
  /** "Now" for a run still in progress: running tasks count until then. @default their start */
  now?: number;
  /** ms each task's calls spent queued for a provider cap, by task handle (see {@link providerCapWaits}). @default none */
  providerCapWaits?: ReadonlyMap<string, number>;
}

/**
 * ms each task's model calls spent queued for a static provider cap, by
 * task handle, from the run's `call-waited` events: its record's
 * `rateLimitWaitMs` counts every wait at its endpoint's gate, and only the
 * events say which were for a cap someone set rather than a rate limit.
 */
export function providerCapWaits(events: readonly StoredEvent[]): Map<string, number> {
  const waits = new Map<string, number>();
  for (const { event } of events) {
    if (event.type === 'call-waited' && event.reason === 'provider-cap') waits.set(event.handle, (waits.get(event.handle) ?? 0) + event.waitedMs);
  }
  return waits;
}

/** Diagnostics of one kind listed one by one up to this count, then summed up in one sentence. */
const MAX_SENTENCES_PER_KIND = 3;

/**
 * The speedup report of a run, from its records alone: wall time (first
 * task start to last task end), the sequential sum of task durations, the
 * critical path over the DAG weighted by measured durations, speedup
 * (sequential ÷ wall), efficiency (critical path ÷ wall), per-task timing,
 * tokens and estimated cost (tasks plus synthesis; the cost is undefined
 * when any model's price is unknown) and diagnostics. With a wall time of 0
 * (nothing ran yet) speedup and efficiency are 1.
 */
export function buildReport(run: RunRecord, tasks: readonly TaskRecord[], options: ReportOptions = {}): RunReport {
  const timings = tasks.map((task) => timingOf(task, options.now, options.providerCapWaits?.get(task.handle)));
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let sequentialMs = 0;
  let inputTokens = run.synthesis?.inputTokens ?? 0;
  let outputTokens = run.synthesis?.outputTokens ?? 0;
  let costUsd: number | undefined = run.synthesis === undefined ? 0 : run.synthesis.costUsd;
  const durations = new Map<string, number>();
  for (const timing of timings) {
    durations.set(timing.id, timing.durationMs);
    sequentialMs += timing.durationMs;
    inputTokens += timing.inputTokens;
    outputTokens += timing.outputTokens;
    costUsd = costUsd === undefined || timing.costUsd === undefined ? undefined : costUsd + timing.costUsd;
    if (timing.startedAt === undefined) continue;
    first = Math.min(first, timing.startedAt);
    last = Math.max(last, timing.startedAt + timing.durationMs);
  }
  const wallMs = last >= first ? last - first : 0;
  const critical = longestPath(run.dag.tasks, run.dag.edges, (id) => durations.get(id) ?? 0);
  const startedAt = run.startedAt ?? run.createdAt;
  const report: RunReport = {
    runId: run.runId,
    name: run.name,
    status: run.status,
    simulated: options.simulated ?? false,
    startedAt,
    endedAt: run.endedAt ?? (last >= first ? Math.max(last, startedAt) : startedAt),
    wallMs,
    sequentialMs,
    criticalPathMs: critical.length,
    criticalPath: critical.path,
    speedup: wallMs > 0 ? sequentialMs / wallMs : 1,
    efficiency: wallMs > 0 ? critical.length / wallMs : 1,
    tasks: timings,
    diagnostics: diagnose(run, tasks, timings),
    inputTokens,
    outputTokens,
  };
  if (run.synthesis !== undefined) report.synthesisMs = run.synthesis.durationMs;
  if (run.attempts !== undefined && run.attempts.length > 0) {
    const earlier = run.attempts.reduce((sum, attempt) => sum + Math.max(0, attempt.endedAt - attempt.startedAt), 0);
    const current = Math.max(0, (run.endedAt ?? options.now ?? startedAt) - startedAt);
    report.resumed = { attempts: run.attempts.length + 1, executingMs: earlier + current };
  }
  if (costUsd !== undefined) report.costUsd = costUsd;
  return report;
}

function timingOf(task: TaskRecord, now: number | undefined, providerCapWaitMs: number | undefined): TaskTiming {
  const { startedAt, endedAt, readyAt } = task;
  const end = endedAt ?? Math.max(now ?? startedAt ?? 0, startedAt ?? 0);
  const timing: TaskTiming = {
    id: task.taskId,
    handle: task.handle,
    status: task.status,
    durationMs: startedAt === undefined ? 0 : Math.max(0, end - startedAt),
    turns: task.turns,
    inputTokens: task.inputTokens,
    outputTokens: task.outputTokens,
    retries: task.retries,
    retryWaitMs: task.retryWaitMs,
    ...(task.rateLimitWaitMs === undefined ? {} : { rateLimitWaitMs: task.rateLimitWaitMs }),
    ...(task.costUsd === undefined ? {} : { costUsd: task.costUsd }),
    waitMs: startedAt !== undefined && readyAt !== undefined ? Math.max(0, startedAt - readyAt) : 0,
  };
  if (startedAt !== undefined) timing.startedAt = startedAt;
  if (endedAt !== undefined) timing.endedAt = endedAt;
  if (task.waitReason !== undefined) timing.waitReason = task.waitReason;
  if (providerCapWaitMs !== undefined && providerCapWaitMs > 0) timing.providerCapWaitMs = providerCapWaitMs;
  return timing;
}

/**
 * Plain sentences saying where tasks that could have overlapped did not,
 * and why: the sequential todo mode, the run's concurrency cap, conflicts
 * between write scopes, the provider's cap on calls in flight (a cap
 * someone set), retry backoff and the providers' rate limits; then the caps that ended a task or the whole run. Declared
 * dependencies are intended order, not a diagnosis; waits shorter than
 * {@link NOTABLE_WAIT_MS} are not worth a sentence.
 */
function diagnose(run: RunRecord, tasks: readonly TaskRecord[], timings: readonly TaskTiming[]): string[] {
  const byId = new Map(timings.map((timing) => [timing.id, timing]));
  const started = timings.filter((timing) => timing.startedAt !== undefined);
  const sentences: string[] = [];

  if (run.plan.todoMode === 'sequential' && started.length > 1) {
    sentences.push('tasks ran one at a time: todoMode is sequential');
  }

  const concurrency = run.plan.concurrency ?? 8;
  const slotWaits = started.filter((timing) => timing.waitReason === 'concurrency' && timing.waitMs >= NOTABLE_WAIT_MS);
  sentences.push(
    ...listOrSum(
      slotWaits,
      (timing) => `${timing.id} waited ${seconds(timing.waitMs)} for a concurrency slot (concurrency ${concurrency})`,
      (count, longest) =>
        `${count} tasks waited for a concurrency slot (concurrency ${concurrency}), ` +
        `${seconds(sum(slotWaits, (timing) => timing.waitMs))} in total; longest: ${longest.id} ${seconds(longest.waitMs)}`,
      (timing) => timing.waitMs,
    ),
  );

  const conflictWaits = run.dag.conflicts.filter(
    (conflict) => conflict.serialized && byId.get(conflict.second)?.startedAt !== undefined && byId.get(conflict.first)?.endedAt !== undefined,
  );
  sentences.push(
    ...listOrSum(
      conflictWaits,
      (conflict) => `${conflict.second} waited for ${conflict.first}: ${overlapWords(conflict)} (conflict)`,
      (count) => `${count} tasks waited for another task because their file scopes overlap (conflict)`,
      () => 0,
    ),
  );

  // A run stored before the split was known has only the task's last wait reason, and no length.
  const capMs = (timing: TaskTiming): number => timing.providerCapWaitMs ?? 0;
  const capWaits = started.filter((timing) => capMs(timing) >= NOTABLE_WAIT_MS || (timing.waitReason === 'provider-cap' && timing.providerCapWaitMs === undefined));
  sentences.push(
    ...listOrSum(
      capWaits,
      (timing) => `${timing.id} waited ${capMs(timing) > 0 ? `${seconds(capMs(timing))} ` : ''}for a model-call slot of its provider (provider cap)`,
      (count, longest) =>
        `${count} tasks waited for model-call slots of their provider (provider cap), ` +
        `${seconds(sum(capWaits, capMs))} in total; longest: ${longest.id} ${seconds(capMs(longest))}`,
      capMs,
    ),
  );

  const backoffs = timings.filter((timing) => timing.retryWaitMs >= NOTABLE_WAIT_MS);
  sentences.push(
    ...listOrSum(
      backoffs,
      (timing) => `${timing.id} spent ${seconds(timing.retryWaitMs)} in retry backoff (${timing.retries} ${timing.retries === 1 ? 'retry' : 'retries'})`,
      (count, longest) =>
        `${count} tasks spent ${seconds(sum(backoffs, (timing) => timing.retryWaitMs))} in retry backoff in total ` +
        `(model errors); longest: ${longest.id} ${seconds(longest.retryWaitMs)}`,
      (timing) => timing.retryWaitMs,
    ),
  );
  const limited = timings.filter((timing) => rateLimitOnlyMs(timing) >= NOTABLE_WAIT_MS);
  sentences.push(
    ...listOrSum(
      limited,
      (timing) => `${timing.id} waited ${seconds(rateLimitOnlyMs(timing))} for its provider's rate limits (rate limit)`,
      (count, longest) =>
        `${count} tasks waited ${seconds(sum(limited, rateLimitOnlyMs))} in total for their providers' rate limits ` +
        `(rate limit); longest: ${longest.id} ${seconds(rateLimitOnlyMs(longest))}`,
      rateLimitOnlyMs,
    ),
  );
  sentences.push(...capSentences(run, tasks));
  return sentences;
}

/** Which tasks stopped at one of their own caps, and what a run cap that ended the run did. */
function capSentences(run: RunRecord, tasks: readonly TaskRecord[]): string[] {
  const capped = tasks.filter((task) => task.status === 'limit' && task.error !== run.limit);
  const sentences = listOrSum(
    capped,
    (task) => `${task.taskId} stopped at a cap: ${task.error ?? 'a limit was reached'}`,
    (count) => `${count} tasks stopped at one of their own caps (turns, time, tokens or cost)`,
    () => 0,
  );
  if (run.limit === undefined) return sentences;
  const stopped = tasks.filter((task) => task.status === 'limit' && task.error === run.limit).length;
  const skipped = tasks.filter((task) => task.status === 'skipped' && task.error === run.limit).length;
  const effects = [
    ...(stopped > 0 ? [`${plural(stopped, 'running task')} stopped (limit)`] : []),
    ...(skipped > 0 ? [`${plural(skipped, 'task')} not started skipped`] : []),
    'synthesis skipped',
  ];
  sentences.push(`the run stopped at a cap: ${run.limit}; ${effects.join(', ')}`);
  return sentences;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function overlapWords(conflict: RunRecord['dag']['conflicts'][number]): string {
  const { first, second, firstGlob, secondGlob, kind, file } = conflict;
  const via = file === undefined ? '' : `, both reaching ${file}`;
  if (kind === 'write-write') {
    return firstGlob === secondGlob
      ? `both write ${firstGlob}`
      : `${first} writes ${firstGlob} and ${second} writes ${secondGlob}${via}`;
  }
  return `one writes what the other reads (${first}: ${firstGlob}, ${second}: ${secondGlob}${via})`;
}

/** Lists items one sentence each, or sums them up in one sentence when there are many. */
function listOrSum<T>(
  items: readonly T[],
  one: (item: T) => string,
  many: (count: number, longest: T) => string,
  weight: (item: T) => number,
): string[] {
  const [head] = items;
  if (head === undefined) return [];
  if (items.length <= MAX_SENTENCES_PER_KIND) return items.map(one);
  const longest = items.reduce((best, item) => (weight(item) > weight(best) ? item : best), head);
  return [many(items.length, longest)];
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

/** A wait for a sentence: `850 ms` under a second (where tenths of a second would say too little), else `1.5 s`. */
function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

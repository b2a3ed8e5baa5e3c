import { describe, expect, it } from 'vitest';
import type { ExecutionDag, Plan } from '../contracts/plan.js';
import type { StoredEvent } from '../contracts/events.js';
import { buildReport, providerCapWaits } from './report.js';
import { NOTABLE_WAIT_MS } from '../contracts/run-report.js';
import type { RunRecord, TaskRecord } from '../contracts/records.js';

const T = 1_700_000_000_000;

function record(taskId: string, index: number, fields: Partial<TaskRecord> = {}): TaskRecord {
  return {
    handle: `task-${taskId}`,
    runId: 'run-1',
    index,
    taskId,
    spec: { id: taskId, prompt: taskId },
    status: 'succeeded',
    queuedAt: T,
    turns: 1,
    inputTokens: 0,
    outputTokens: 0,
    retries: 0,
    retryWaitMs: 0,
    ...fields,
  };
}

function run(plan: Partial<Plan>, dag: Partial<ExecutionDag>, fields: Partial<RunRecord> = {}): RunRecord {
  const tasks = dag.tasks ?? [];
  return {
    runId: 'run-1',
    name: 'auth',
    plan: { tasks: tasks.map((id) => ({ id, prompt: id })), ...plan },
    dag: { tasks, edges: [], conflicts: [], order: tasks, criticalPath: [], levels: [tasks], ...dag },
    status: 'succeeded',
    createdAt: T,
    startedAt: T,
    endedAt: T + 7000,
    cwd: '/w',
    ...fields,
  };
}

describe('buildReport', () => {
  const dag: Partial<ExecutionDag> = {
    tasks: ['a', 'b', 'c', 'd'],
    edges: [
      { from: 'a', to: 'c', kind: 'dependency' },
      { from: 'b', to: 'd', kind: 'conflict', reason: 'src/shared/** ~ src/shared/**' },
    ],
    conflicts: [
      { first: 'b', second: 'd', kind: 'write-write', firstGlob: 'src/shared/**', secondGlob: 'src/shared/**', serialized: true },
    ],
  };
  const tasks = [
    record('a', 0, { readyAt: T, startedAt: T, endedAt: T + 3000, inputTokens: 100, outputTokens: 10 }),
    record('b', 1, { readyAt: T, startedAt: T, endedAt: T + 2000, inputTokens: 200, outputTokens: 20 }),
    record('c', 2, { readyAt: T + 3000, startedAt: T + 4200, endedAt: T + 6200, waitReason: 'concurrency' }),
    record('d', 3, { readyAt: T + 2000, startedAt: T + 2000, endedAt: T + 5000, retries: 2, retryWaitMs: 1500, waitReason: 'conflict' }),
  ];
  const synthesis = { text: 'r', disagreements: [], inputTokens: 50, outputTokens: 5, durationMs: 800 };

  it('computes wall, sequential, critical path, speedup and efficiency from the records', () => {
    const report = buildReport(run({ concurrency: 2 }, dag, { synthesis }), tasks, { simulated: true });
    expect(report).toMatchObject({
      runId: 'run-1',
      name: 'auth',
      status: 'succeeded',
      simulated: true,
      startedAt: T,
      endedAt: T + 7000,
      wallMs: 6200,
      sequentialMs: 10_000,
      criticalPathMs: 5000,
      criticalPath: ['a', 'c'],
      speedup: 10_000 / 6200,
      efficiency: 5000 / 6200,
      synthesisMs: 800,
      inputTokens: 350,
      outputTokens: 35,
    });
    expect(report.tasks[2]).toEqual({
      id: 'c',
      handle: 'task-c',
      status: 'succeeded',
      startedAt: T + 4200,
      endedAt: T + 6200,
      durationMs: 2000,
      turns: 1,
      inputTokens: 0,
      outputTokens: 0,
      retries: 0,
      retryWaitMs: 0,
      waitMs: 1200,
      waitReason: 'concurrency',
    });
  });

  it('says where tasks that could have overlapped did not, and why', () => {
    expect(buildReport(run({ concurrency: 2 }, dag), tasks).diagnostics).toEqual([
      'c waited 1.2 s for a concurrency slot (concurrency 2)',
      'd waited for b: both write src/shared/** (conflict)',
      'd spent 1.5 s in retry backoff (2 retries)',
    ]);
  });

  it('sums up many waits of one kind in one sentence', () => {
    const ids = ['t0', 't1', 't2', 't3', 't4'];
    const waited = ids.map((id, index) =>
      record(id, index, { readyAt: T, startedAt: T + 1000 * (index + 1), endedAt: T + 1000 * (index + 2), waitReason: 'concurrency' }),
    );
    const report = buildReport(run({ concurrency: 1 }, { tasks: ids }), waited);
    expect(report.diagnostics).toEqual([
      '5 tasks waited for a concurrency slot (concurrency 1), 15.0 s in total; longest: t4 5.0 s',
    ]);
  });

  it("says a wait at a provider cap someone set for what it is, apart from the rate limits' waits", () => {
    const waited = (handle: string, reason: 'provider-cap' | 'rate-limit', waitedMs: number, seq: number): StoredEvent => ({
      seq,
      event: { type: 'call-waited', runId: 'run-1', at: T + 2000, id: handle.slice(5), handle, reason, detail: 'sim, maxConcurrent 1', waitedMs },
    });
    // a: 700 ms at the cap; b: 400 ms at the cap and 900 ms in a 429's pause; c: rate limits only.
    const events = [waited('task-a', 'provider-cap', 700, 1), waited('task-b', 'provider-cap', 400, 2), waited('task-b', 'rate-limit', 300, 3)];
    expect(providerCapWaits(events)).toEqual(new Map([['task-a', 700], ['task-b', 400]]));
    const tasks = [
      record('a', 0, { readyAt: T, startedAt: T, endedAt: T + 3000, rateLimitWaitMs: 700, waitReason: 'provider-cap' }),
      record('b', 1, { readyAt: T, startedAt: T, endedAt: T + 3000, rateLimitWaitMs: 1300, waitReason: 'provider-cap' }),
      record('c', 2, { readyAt: T, startedAt: T, endedAt: T + 3000, rateLimitWaitMs: 2000 }),
    ];
    const report = buildReport(run({}, { tasks: ['a', 'b', 'c'] }), tasks, { providerCapWaits: providerCapWaits(events) });
    // --json keeps rateLimitWaitMs as the record has it (every wait at the gate) and adds the cap's part.
    expect(report.tasks.map((timing) => [timing.id, timing.rateLimitWaitMs, timing.providerCapWaitMs])).toEqual([
      ['a', 700, 700],
      ['b', 1300, 400],
      ['c', 2000, undefined],
    ]);
    expect(report.diagnostics).toEqual([
      'a waited 700 ms for a model-call slot of its provider (provider cap)',
      'b waited 400 ms for a model-call slot of its provider (provider cap)',
      "b waited 900 ms for its provider's rate limits (rate limit)",
      "c waited 2.0 s for its provider's rate limits (rate limit)",
    ]);
    // Without the events (a run read before the split was known), the task's wait reason still names the cap.
    expect(buildReport(run({}, { tasks: ['a'] }), tasks.slice(0, 1)).diagnostics).toEqual([
      'a waited for a model-call slot of its provider (provider cap)',
      "a waited 700 ms for its provider's rate limits (rate limit)",
    ]);
    const many = ['t0', 't1', 't2', 't3'].map((id, index) => record(id, index, { readyAt: T, startedAt: T, endedAt: T + 1000, rateLimitWaitMs: 100 * (index + 1) }));
    const capWaits = new Map(many.map((task) => [task.handle, task.rateLimitWaitMs ?? 0]));
    expect(buildReport(run({}, { tasks: ['t0', 't1', 't2', 't3'] }), many, { providerCapWaits: capWaits }).diagnostics).toEqual([
      '4 tasks waited for model-call slots of their provider (provider cap), 1.0 s in total; longest: t3 400 ms',
    ]);
  });

  it('says nothing of waits and backoffs shorter than NOTABLE_WAIT_MS', () => {
    const brief = NOTABLE_WAIT_MS - 1;
    const tasks = [
      record('a', 0, { readyAt: T, startedAt: T, endedAt: T + 1000, retries: 1, retryWaitMs: brief }),
      record('b', 1, { readyAt: T, startedAt: T + brief, endedAt: T + 1000, waitReason: 'concurrency' }),
      record('c', 2, { readyAt: T, startedAt: T + NOTABLE_WAIT_MS, endedAt: T + 1000, waitReason: 'concurrency' }),
      record('d', 3, { readyAt: T, startedAt: T, endedAt: T + 1000, retries: 1, retryWaitMs: NOTABLE_WAIT_MS }),
    ];
    expect(buildReport(run({ concurrency: 2 }, { tasks: ['a', 'b', 'c', 'd'] }), tasks).diagnostics).toEqual([
      `c waited ${NOTABLE_WAIT_MS} ms for a concurrency slot (concurrency 2)`,
      `d spent ${NOTABLE_WAIT_MS} ms in retry backoff (1 retry)`,
    ]);
  });

  it('totals the estimated cost of tasks and synthesis, and has none when any price is unknown', () => {
    const priced = [record('a', 0, { costUsd: 0.25 }), record('b', 1, { costUsd: 0.5 })];
    const plan = run({}, { tasks: ['a', 'b'] }, { synthesis: { ...synthesis, costUsd: 0.125 } });
    const report = buildReport(plan, priced);
    expect(report.costUsd).toBe(0.875);
    expect(report.tasks.map((timing) => timing.costUsd)).toEqual([0.25, 0.5]);
    expect(buildReport(run({}, { tasks: ['a', 'b'] }), priced).costUsd).toBe(0.75);
    expect(buildReport(run({}, { tasks: ['a', 'b'] }, { synthesis }), priced).costUsd).toBeUndefined();
    expect(buildReport(plan, [priced[0]!, record('b', 1)]).costUsd).toBeUndefined();
  });

  it('names the tasks that stopped at their own caps, and sums them up when there are many', () => {
    const capped = (id: string, index: number) =>
      record(id, index, { status: 'limit', startedAt: T, endedAt: T + 10, error: `maxTokens 100 reached (1${index}0 tokens used)` });
    expect(buildReport(run({}, { tasks: ['a', 'b'] }, { status: 'failed' }), [capped('a', 0), record('b', 1)]).diagnostics).toEqual([
      'a stopped at a cap: maxTokens 100 reached (100 tokens used)',
    ]);
    const ids = ['a', 'b', 'c', 'd'];
    expect(buildReport(run({}, { tasks: ids }, { status: 'failed' }), ids.map(capped)).diagnostics).toEqual([
      '4 tasks stopped at one of their own caps (turns, time, tokens or cost)',
    ]);
  });

  it('names the sequential todo mode', () => {
    const sequential = [record('a', 0, { startedAt: T, endedAt: T + 10 }), record('b', 1, { startedAt: T + 10, endedAt: T + 20 })];
    expect(buildReport(run({ todoMode: 'sequential' }, { tasks: ['a', 'b'] }), sequential).diagnostics).toEqual([
      'tasks ran one at a time: todoMode is sequential',
    ]);
  });

  it('reports 1 for speedup and efficiency when nothing ran yet, and counts running tasks until now', () => {
    const idle = buildReport(run({}, { tasks: ['a'] }, { status: 'running', endedAt: undefined }), [record('a', 0, { status: 'queued' })]);
    expect(idle).toMatchObject({ wallMs: 0, sequentialMs: 0, speedup: 1, efficiency: 1, endedAt: T });

    const running = buildReport(
      run({}, { tasks: ['a', 'b'] }, { status: 'running', endedAt: undefined }),
      [record('a', 0, { status: 'running', startedAt: T }), record('b', 1, { startedAt: T, endedAt: T + 500 })],
      { now: T + 1000 },
    );
    expect(running).toMatchObject({ wallMs: 1000, sequentialMs: 1500, speedup: 1.5, endedAt: T + 1000 });
  });
});

import { describe, expect, it } from 'vitest';
import type { TaskTiming } from '../contracts/run-report.js';
import type { FanoutEvent } from '../contracts/events.js';
import { isPrintedEvent, jsonLine, runEndLine } from './json-lines.js';
import { RUN_END_KEYS, RUN_END_TASK_KEYS } from './test-support/run-end-keys.js';
import { fourTaskReport, timing } from './test-support/fixtures.js';

describe('runEndLine', () => {
  it('has exactly the documented keys, in order, from the report', () => {
    const report = fourTaskReport({ costUsd: 0.5 });
    report.tasks[1] = { ...(report.tasks[1] as TaskTiming), costUsd: 0.125 };
    const line = runEndLine(report);
    expect(Object.keys(line)).toEqual(RUN_END_KEYS);
    expect(line).toMatchObject({ type: 'run-end', runId: 'run-1', status: 'succeeded', wallMs: 4000, sequentialMs: 10_000, criticalPathMs: 4000, speedup: 2.5, inputTokens: 4800, outputTokens: 1200, costUsd: 0.5 });
    expect(line.tasks[1]).toEqual({ id: 't2', handle: 'fo-t2', status: 'succeeded', startedAt: 10_000, endedAt: 12_000, durationMs: 2000, inputTokens: 1200, outputTokens: 300, costUsd: 0.125 });
    expect(Object.keys(line.tasks[0] ?? {})).toEqual(RUN_END_TASK_KEYS);
  });

  it('writes null times for a task that never started', () => {
    const line = runEndLine(fourTaskReport({ tasks: [timing({ id: 'x', status: 'skipped', durationMs: 0 })] }));
    expect(JSON.parse(jsonLine(line)).tasks[0]).toMatchObject({ id: 'x', handle: 'fo-x', status: 'skipped', startedAt: null, endedAt: null, durationMs: 0 });
  });

  it('writes null costs when a price is unknown', () => {
    const line = JSON.parse(jsonLine(runEndLine(fourTaskReport({ costUsd: undefined }))));
    expect(line.costUsd).toBeNull();
    expect(line.tasks[0].costUsd).toBeNull();
  });
});

describe('isPrintedEvent', () => {
  it("leaves out only the engine's run-end, which the summary line replaces", () => {
    const start: FanoutEvent = { type: 'task-start', runId: 'r', at: 1, id: 'a', handle: 'h' };
    const end: FanoutEvent = { type: 'run-end', runId: 'r', at: 2, status: 'succeeded' };
    expect(isPrintedEvent(start)).toBe(true);
    expect(isPrintedEvent(end)).toBe(false);
  });
});

describe('jsonLine', () => {
  it('is one line ending in a newline', () => {
    expect(jsonLine({ a: 'x\ny' })).toBe('{"a":"x\\ny"}\n');
  });
});

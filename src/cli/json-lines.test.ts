import { describe, expect, it } from 'vitest';
import type { FanoutEvent } from '../engine/types.js';
import { isPrintedEvent, jsonLine, runEndLine } from './json-lines.js';
import { fourTaskReport, timing } from './test-support/fixtures.js';

describe('runEndLine', () => {
  it('has exactly the documented keys, in order, from the report', () => {
    const line = runEndLine(fourTaskReport());
    expect(Object.keys(line)).toEqual(['type', 'runId', 'status', 'wallMs', 'sequentialMs', 'criticalPathMs', 'speedup', 'tasks']);
    expect(line).toMatchObject({ type: 'run-end', runId: 'run-1', status: 'succeeded', wallMs: 4000, sequentialMs: 10_000, criticalPathMs: 4000, speedup: 2.5 });
    expect(line.tasks[1]).toEqual({ id: 't2', handle: 'fo-t2', status: 'succeeded', startedAt: 10_000, endedAt: 12_000, durationMs: 2000 });
    expect(Object.keys(line.tasks[0] ?? {})).toEqual(['id', 'handle', 'status', 'startedAt', 'endedAt', 'durationMs']);
  });

  it('writes null times for a task that never started', () => {
    const line = runEndLine(fourTaskReport({ tasks: [timing({ id: 'x', status: 'skipped', durationMs: 0 })] }));
    expect(JSON.parse(jsonLine(line)).tasks[0]).toEqual({ id: 'x', handle: 'fo-x', status: 'skipped', startedAt: null, endedAt: null, durationMs: 0 });
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

import { describe, expect, it } from 'vitest';
import type { OutputResult } from '../../contracts/fanout.js';
import { outputExitCode, outputJson, outputStatusLine, outputText } from './output.js';

function result(overrides: Partial<OutputResult>): OutputResult {
  return { handle: 'task-1', runId: 'run-1', taskId: 'a', status: 'succeeded', done: true, ...overrides };
}

describe('fanout output: what is printed and the exit code', () => {
  it('prints the text of a succeeded task, exit 0, no status line', () => {
    const done = result({ output: { handle: 'task-1', text: 'hello', truncated: false } });
    expect(outputText(done)).toBe('hello\n');
    expect(outputStatusLine(done, {})).toBeUndefined();
    expect(outputExitCode(done)).toBe(0);
  });

  it('prints the parsed JSON of a JSON-Schema task', () => {
    expect(outputText(result({ output: { handle: 'task-1', text: '{"n":1}', json: { n: 1 }, truncated: false } }))).toBe('{\n  "n": 1\n}\n');
  });

  it('--json: the parsed JSON of a JSON-Schema task, pretty; else the whole result on one line', () => {
    const structured = result({ output: { handle: 'task-1', text: 'Here: {"n":1}', json: { n: 1 }, truncated: false } });
    expect(outputJson(structured)).toBe('{\n  "n": 1\n}\n');
    const text = result({ output: { handle: 'task-1', text: 'hello', truncated: false } });
    expect(outputJson(text)).toBe(`${JSON.stringify(text)}\n`);
    const running = result({ status: 'running', done: false });
    expect(JSON.parse(outputJson(running))).toEqual(running);
  });

  it('a running task: status on stderr, exit 0', () => {
    const running = result({ status: 'running', done: false });
    expect(outputStatusLine(running, {})).toBe('fanout: task task-1 is running (add --block to wait for it)');
    expect(outputStatusLine(running, { block: true, timeout: 500 })).toBe('fanout: task task-1 is still running after 500ms');
    expect(outputExitCode(running)).toBe(0);
  });

  it('a failed task, or one whose run was interrupted: reason on stderr, exit 1', () => {
    const failed = result({ status: 'failed', error: 'model error' });
    expect(outputStatusLine(failed, {})).toBe('fanout: task task-1 failed: model error');
    expect(outputExitCode(failed)).toBe(1);
    const orphan = result({ status: 'running', done: false, error: 'run run-1 was interrupted' });
    expect(outputStatusLine(orphan, { block: true })).toBe('fanout: task task-1 running: run run-1 was interrupted');
    expect(outputExitCode(orphan)).toBe(1);
  });
});

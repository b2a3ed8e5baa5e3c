import { describe, expect, it } from 'vitest';
import { renderOutputs, renderSynthesis } from './render-outputs.js';
import { taskRecord } from './test-support/fixtures.js';

describe('renderOutputs', () => {
  it('shows each task with its handle and the first lines of its output', () => {
    const tasks = [taskRecord({ taskId: 'a', spec: { id: 'a', prompt: 'p', description: 'Task A' } }), taskRecord({ taskId: 'b', status: 'failed', error: 'model error 500' })];
    const lines = renderOutputs(tasks, [{ handle: 'fo-a', text: 'one\n\ntwo\nthree\nfour', truncated: false }], { maxLines: 2 });
    expect(lines).toEqual([
      '  ✔ a [fo-a] succeeded — Task A',
      '      one',
      '      two',
      '      … 2 more lines: fanout output fo-a',
      '  ✖ b [fo-b] failed',
      '      model error 500',
    ]);
  });

  it('prints parsed JSON of a JSON-Schema task', () => {
    const lines = renderOutputs([taskRecord({ taskId: 'j' })], [{ handle: 'fo-j', text: '{ "ok" : true }', json: { ok: true }, truncated: false }]);
    expect(lines[1]).toBe('      {"ok":true}');
  });

  it('shows what `describe` says of an output instead of its lines', () => {
    const lines = renderOutputs([taskRecord({ taskId: 'j' })], [{ handle: 'fo-j', text: '{"findings":[]}', json: { findings: [] }, truncated: false }], {
      describe: (task, output) => [`${task.taskId}: ${JSON.stringify(output.json)}`],
    });
    expect(lines).toEqual(['  ✔ j [fo-j] succeeded', '      j: {"findings":[]}']);
  });

  it('with no lines shown, points at the whole output of each task', () => {
    const lines = renderOutputs([taskRecord({ taskId: 'j' })], [{ handle: 'fo-j', text: '{"ok":true}', truncated: false }], { maxLines: 0 });
    expect(lines).toEqual(['  ✔ j [fo-j] succeeded', '      … 1 more line: fanout output fo-j']);
  });
});

describe('renderSynthesis', () => {
  it('prints the text, then the disagreements', () => {
    const lines = renderSynthesis({ text: 'Merged.', disagreements: ['a says X, b says Y'], inputTokens: 1, outputTokens: 1, durationMs: 1500 });
    expect(lines).toEqual(['  Merged.', '', '  Disagreements between task outputs:', '    - a says X, b says Y', '', '  (synthesis took 1.50s)']);
  });
});

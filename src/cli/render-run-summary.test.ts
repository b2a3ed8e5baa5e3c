import { describe, expect, it } from 'vitest';
import type { RunResult } from '../contracts/fanout.js';
import { renderRunSummary } from './render-run-summary.js';
import { fourTaskReport, taskRecord, timing } from './test-support/fixtures.js';

function result(overrides: Partial<RunResult> = {}): RunResult {
  return {
    runId: 'run-1',
    status: 'succeeded',
    tasks: [taskRecord({ taskId: 'a' }), taskRecord({ taskId: 'b', status: 'stopped' })],
    outputs: { a: { handle: 'fo-a', text: 'did a', truncated: false } },
    synthesis: { text: 'All merged.', disagreements: [], inputTokens: 1, outputTokens: 1, durationMs: 10 },
    report: fourTaskReport(),
    ...overrides,
  };
}

describe('renderRunSummary', () => {
  it('prints outputs, synthesis, timing, the SIMULATED notice and how to get outputs', () => {
    const text = renderRunSummary(result(), { interrupted: false }).join('\n');
    expect(text.indexOf('Outputs')).toBeLessThan(text.indexOf('Synthesis'));
    expect(text.indexOf('Synthesis')).toBeLessThan(text.indexOf('Timing'));
    expect(text).toContain('  All merged.');
    expect(text).toMatch(/Speedup\s+2\.50×/);
    expect(text).toContain('SIMULATED model');
    expect(text).toContain('fanout demo --model anthropic:claude-sonnet-5-5');
    expect(text).toContain('--model openai:<model>');
    expect(text).toContain('fanout output fo-a');
  });

  it('leaves out the notice for a real model and says what was interrupted', () => {
    const text = renderRunSummary(result({ report: fourTaskReport({ simulated: false }), status: 'stopped' }), { interrupted: true }).join('\n');
    expect(text).not.toContain('SIMULATED');
    expect(text).toContain('Interrupted: 1 of 2 tasks had finished; the others were stopped.');
  });

  it("takes a preset's headings and sections, and says why a task hit a limit under the timing table", () => {
    const limited = result({
      tasks: [taskRecord({ taskId: 'a' }), taskRecord({ taskId: 't2', status: 'limit', error: 'maxTokens 1000 reached' })],
      report: fourTaskReport({ tasks: [timing({ id: 't2', status: 'limit', startedAt: 0, endedAt: 10 })] }),
    });
    const lines = renderRunSummary(limited, {
      interrupted: false,
      describeOutput: (task, output) => [`${task.taskId}: ${output.text.length} characters`],
      synthesisTitle: 'Unified analysis',
      sections: ['# Merged review'],
    });
    const text = lines.join('\n');
    expect(text).not.toContain('Synthesis\n');
    expect(text.indexOf('Unified analysis')).toBeLessThan(text.indexOf('# Merged review'));
    expect(text.indexOf('# Merged review')).toBeLessThan(text.indexOf('Timing'));
    expect(text).toContain('  ✔ a [fo-a] succeeded\n      a: 5 characters\n');
    expect(text).not.toContain('      did a');
    expect(lines.indexOf('  ⚠ t2 hit a limit: maxTokens 1000 reached')).toBeGreaterThan(lines.indexOf('Timing'));
  });
});

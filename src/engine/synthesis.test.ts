import { describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import { textResponse } from '../models/scripted-model.js';
import { parseSynthesis, synthesisSystemPrompt, synthesisUserMessage } from './synthesis.js';
import { task } from './test-support/engine-harness.js';
import { useHarnesses } from './test-support/use-harnesses.js';

describe('parseSynthesis', () => {
  it('splits the result from the disagreement bullets', () => {
    const answer = '## Result\nUse JWT.\nKeep sessions short.\n\n## Disagreements\n- a says 15 min, b says 1 h\n* c wants cookies\n';
    expect(parseSynthesis(answer)).toEqual({
      text: 'Use JWT.\nKeep sessions short.',
      disagreements: ['a says 15 min, b says 1 h', 'c wants cookies'],
    });
  });

  it('reads "- none" as no disagreements', () => {
    expect(parseSynthesis('## Result\nall agree\n## Disagreements\n- none')).toEqual({ text: 'all agree', disagreements: [] });
    expect(parseSynthesis('## Result\nok\n## Disagreements\n- None.')).toEqual({ text: 'ok', disagreements: [] });
  });

  it('takes an answer without the format whole, with no disagreements', () => {
    expect(parseSynthesis('just text\n- a bullet')).toEqual({ text: 'just text\n- a bullet', disagreements: [] });
  });

  it('stops the disagreements at the next heading', () => {
    expect(parseSynthesis('## Result\nr\n## Disagreements\n- one\n## Notes\n- not a disagreement').disagreements).toEqual([
      'one',
    ]);
  });
});

describe('synthesis prompts', () => {
  it('asks for the exact format, after the plan instructions or the default ones', () => {
    const prompt = synthesisSystemPrompt(undefined);
    expect(prompt).toContain('Combine the subagent outputs into one unified result');
    expect(prompt).toContain('## Result\n<the unified result>\n## Disagreements\n- <one bullet per disagreement between outputs, or "- none">');
    expect(synthesisSystemPrompt('Write one design doc')).toContain('Write one design doc');
  });

  it('gives one "### <id> — <description or id>" section per task, JSON outputs pretty-printed', () => {
    const message = synthesisUserMessage([
      { id: 'api', description: 'Design the API', output: { handle: 'h1', text: 'REST', truncated: false } },
      { id: 'db', output: { handle: 'h2', text: '{"tables":2}', json: { tables: 2 }, truncated: false } },
      { id: 'ui', description: '  ', output: { handle: 'h3', text: 'React', truncated: false } },
    ]);
    expect(message).toBe(
      '### api — Design the API\n\nREST\n\n### db — db\n\n```json\n{\n  "tables": 2\n}\n```\n\n### ui — ui\n\nReact',
    );
  });
});

describe('synthesis step of a run', () => {
  const setup = useHarnesses();

  it('makes one model call over the succeeded outputs and stores the parsed result', async () => {
    const harness = setup();
    harness.model('scripted:a', [textResponse('alpha says yes')]);
    harness.model('scripted:b', [textResponse('beta says no')]);
    const synthesis = harness.model('scripted:synthesis', [
      textResponse('## Result\nmaybe\n## Disagreements\n- a says yes, b says no', { inputTokens: 70, outputTokens: 9 }),
    ]);
    const result = await harness.fanout.run({
      synthesis: 'Decide yes or no',
      tasks: [task('a', { description: 'Alpha' }), task('b')],
    });

    expect(synthesis.requests).toHaveLength(1);
    const request = synthesis.requests[0];
    expect(request?.providerOptions).toEqual({ sim: { kind: 'synthesis' } });
    expect(request?.tools).toEqual([]);
    expect(request?.system).toContain('Decide yes or no');
    expect(request?.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: '### a — Alpha\n\nalpha says yes\n\n### b — b\n\nbeta says no' }] },
    ]);
    expect(result.synthesis).toEqual({
      text: 'maybe',
      disagreements: ['a says yes, b says no'],
      inputTokens: 70,
      outputTokens: 9,
      durationMs: 0,
    });
    expect(harness.store.getRun(result.runId)?.synthesis?.text).toBe('maybe');
    expect(harness.events.map((event) => event.type).slice(-5)).toEqual([
      'synthesis-start',
      'todo-update',
      'todo-update',
      'synthesis-end',
      'run-end',
    ]);
    expect(result.report.inputTokens).toBe(10 + 10 + 70);
  });

  it('skips synthesis when the plan says synthesis: false', async () => {
    const harness = setup();
    harness.model('scripted:a', [textResponse('alpha')]);
    const synthesis = harness.model('scripted:synthesis', []);
    const result = await harness.fanout.run({ synthesis: false, tasks: [task('a')] });
    expect(synthesis.requests).toEqual([]);
    expect(result.status).toBe('succeeded');
    expect(result.synthesis).toBeUndefined();
    expect(harness.fanout.todos(result.runId).at(-1)).toMatchObject({ id: 'synthesis', status: 'skipped' });
  });

  it('fails the run but keeps the outputs when synthesis fails', async () => {
    const harness = setup({ maxRetries: 0 });
    harness.model('scripted:a', [textResponse('alpha')]);
    harness.model('scripted:synthesis', [{ error: new FanoutError('MODEL_ERROR', 'synthesis model down', { status: 500 }) }]);
    const result = await harness.fanout.run([task('a')]);
    expect(result.status).toBe('failed');
    expect(harness.store.getRun(result.runId)?.error).toBe('synthesis failed: synthesis model down');
    expect(result.outputs.a?.text).toBe('alpha');
    expect(harness.eventsOf('synthesis-end')).toEqual([
      expect.objectContaining({ ok: false, error: 'synthesis model down' }),
    ]);
    expect(harness.fanout.todos(result.runId).at(-1)?.status).toBe('failed');
  });

  it('uses a synthesize function given to spawn instead of the model', async () => {
    const harness = setup();
    harness.model('scripted:a', [textResponse('alpha')]);
    const synthesis = harness.model('scripted:synthesis', []);
    const result = await harness.fanout.run([task('a')], {
      synthesize: async (outputs) => `## Result\n${outputs.a?.text ?? ''} merged\n## Disagreements\n- none`,
    });
    expect(synthesis.requests).toEqual([]);
    expect(result.synthesis).toMatchObject({ text: 'alpha merged', disagreements: [] });
  });

  it('forces one model for every task and the synthesis with modelOverride', async () => {
    const harness = setup();
    const forced = harness.model('scripted:forced', [
      textResponse('from forced'),
      textResponse('## Result\nforced merge\n## Disagreements\n- none'),
    ]);
    const result = await harness.fanout.run([task('a')], { modelOverride: 'scripted:forced' });
    expect(forced.requests).toHaveLength(2);
    expect(result.synthesis?.text).toBe('forced merge');
  });
});

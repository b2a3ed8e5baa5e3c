import { describe, expect, it } from 'vitest';
import type { ModelRequest } from '../../contracts/model.js';
import { ScriptedModel, textResponse } from '../scripted-model.js';
import { extractSimDirective } from './sim-directives.js';
import { SimModel } from './sim-model.js';

const request = (extra: Partial<ModelRequest> = {}): ModelRequest => ({
  system: 'You are a test.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi.' }] }],
  tools: [],
  maxTokens: 64,
  signal: new AbortController().signal,
  ...extra,
});

describe('SimModel', () => {
  it('is the sim provider, and sends its options as a directive after the system prompt', async () => {
    const wire = new ScriptedModel([textResponse('a'), textResponse('b')]);
    const model = new SimModel('sim', wire);
    expect(model).toMatchObject({ spec: 'sim', provider: 'sim' });
    const sim = { output: 'Hello.', latencyMs: 5 };
    await model.generate(request({ providerOptions: { sim, other: { ignored: true } } }));
    await model.generate(request({ system: '' }));
    const [first, second] = wire.requests;
    expect(first?.system.startsWith('You are a test.\n\n<fanout-sim>')).toBe(true);
    expect(extractSimDirective(first!.system)).toEqual({ options: { ...sim, kind: 'task' }, text: 'You are a test.' });
    expect(extractSimDirective(second!.system)).toEqual({ options: { kind: 'task' }, text: '' });
  });

  it('runs the preflight of the model it talks through', async () => {
    let checked = 0;
    const wire = Object.assign(new ScriptedModel([]), { preflight: async () => void (checked += 1) });
    await new SimModel('sim', wire).preflight();
    expect(checked).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { isFanoutError } from '../../contracts/errors.js';
import { SIM_DIRECTIVE_TAG, encodeSimDirective, extractSimDirective, requestSimDirective } from './sim-directives.js';

describe('encodeSimDirective / extractSimDirective', () => {
  it('round-trips options through a prompt and strips the directive', () => {
    const options = { kind: 'task' as const, latencyMs: 5, script: [{ tools: [{ name: 'write_file', input: { path: 'a' } }] }], output: 'ok' };
    const directive = encodeSimDirective(options);
    expect(directive.startsWith(`<${SIM_DIRECTIVE_TAG}>{`)).toBe(true);
    expect(directive.endsWith(`}</${SIM_DIRECTIVE_TAG}>`)).toBe(true);

    const extracted = extractSimDirective(`Do the task.\n\n${directive}\n`);
    expect(extracted).toEqual({ options, text: 'Do the task.' });
  });

  it('keeps a closing tag inside an output from ending the directive early', () => {
    const output = 'see </fanout-sim> and <b>';
    const extracted = extractSimDirective(`before ${encodeSimDirective({ output })} after`);
    expect(extracted.options).toEqual({ output });
    expect(extracted.text).toBe('before\nafter');
  });

  it('gives a request the directive of its options, kind task unless set, the same string for the same options', () => {
    const sim = { output: 'ok' };
    const directive = requestSimDirective(sim);
    expect(extractSimDirective(directive).options).toEqual({ output: 'ok', kind: 'task' });
    expect(requestSimDirective(sim)).toBe(directive);
    expect(extractSimDirective(requestSimDirective({ kind: 'synthesis' })).options).toEqual({ kind: 'synthesis' });
    expect(extractSimDirective(requestSimDirective(undefined)).options).toEqual({ kind: 'task' });
  });

  it('returns text without a directive unchanged', () => {
    expect(extractSimDirective('  plain  ')).toEqual({ options: undefined, text: '  plain  ' });
  });

  it.each([
    ['<fanout-sim>{"output": 1}</fanout-sim>', 'output must be a string'],
    ['<fanout-sim>{nope}</fanout-sim>', 'invalid JSON'],
    ['<fanout-sim>{"output": "x"}', 'no closing'],
    ['<fanout-sim>[]</fanout-sim>', 'must be a JSON object'],
    ['<fanout-sim>{"kind": "chat"}</fanout-sim>', 'kind must be'],
    ['<fanout-sim>{"latencyMs": -1}</fanout-sim>', 'latencyMs must be a non-negative integer'],
    ['<fanout-sim>{"script": [{}]}</fanout-sim>', 'script[0] needs a non-empty text or at least one tool call'],
    ['<fanout-sim>{"script": [{"tools": [{"name": "x"}]}]}</fanout-sim>', 'script[0].tools[0].input must be a JSON object'],
    ['<fanout-sim>{"fail": {"status": 200, "times": 1}}</fanout-sim>', 'fail.status must be an HTTP error status'],
    ['<fanout-sim>{"fail": {"status": 500}}</fanout-sim>', 'fail.times must be a non-negative integer'],
  ])('rejects %s with a 400 naming the problem', (text, message) => {
    let caught: unknown;
    try {
      extractSimDirective(text);
    } catch (error) {
      caught = error;
    }
    expect(isFanoutError(caught, 'OPTION_INVALID')).toBe(true);
    expect((caught as { status: number }).status).toBe(400);
    expect((caught as Error).message).toContain('fanout-sim directive: ');
    expect((caught as Error).message).toContain(message);
  });
});

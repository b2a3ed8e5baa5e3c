import { describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import { formatCommanderMessage, formatError } from './format-error.js';

describe('formatError', () => {
  it('prints one line without a stack', () => {
    const text = formatError(new FanoutError('PLAN_INVALID', 'tasks[0].id: missing'), false);
    expect(text).toBe('fanout: tasks[0].id: missing\n');
  });
  it('adds the location when the message does not name it', () => {
    const error = new FanoutError('PLAN_INVALID', 'tasks[0].id: missing', { where: 'plan.yaml' });
    expect(formatError(error, false)).toBe('fanout: plan.yaml: tasks[0].id: missing\n');
  });
  it('joins a multi-line message into one line', () => {
    expect(formatError(new Error('first\n  second'), false)).toBe('fanout: first second\n');
  });
  it('prints the stack and the causes with debug', () => {
    const error = new FanoutError('STORE_ERROR', 'cannot open store', { cause: new Error('EACCES') });
    const text = formatError(error, true);
    expect(text.split('\n')[0]).toBe('fanout: cannot open store');
    expect(text).toMatch(/at .*format-error\.test\.ts/);
    expect(text).toContain('caused by: Error: EACCES');
  });
});

describe('formatCommanderMessage', () => {
  it('turns commander output into one fanout line', () => {
    expect(formatCommanderMessage("error: unknown option '--fo'\n(Did you mean --foo?)\n")).toBe(
      "fanout: unknown option '--fo' (Did you mean --foo?)\n",
    );
  });
});

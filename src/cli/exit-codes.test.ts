import { describe, expect, it } from 'vitest';
import { FanoutError } from '../contracts/errors.js';
import { ExitCode, exitCodeForError, exitCodeForRun } from './exit-codes.js';

describe('exitCodeForError', () => {
  it.each(['PLAN_INVALID', 'PLAN_CONFLICT', 'OPTION_INVALID', 'NOT_FOUND', 'MODEL_CONFIG'] as const)('maps %s to 2', (code) => {
    expect(exitCodeForError(new FanoutError(code, 'x'))).toBe(ExitCode.invalidInput);
  });
  it.each(['MODEL_ERROR', 'STORE_ERROR', 'INTERNAL', 'TOOL_FAILED', 'LIMIT_REACHED'] as const)('maps %s to 1', (code) => {
    expect(exitCodeForError(new FanoutError(code, 'x'))).toBe(ExitCode.failed);
  });
  it('maps an abort to 130 and anything else to 1', () => {
    expect(exitCodeForError(new FanoutError('ABORTED', 'x'))).toBe(130);
    expect(exitCodeForError(new Error('boom'))).toBe(1);
    expect(exitCodeForError('a string')).toBe(1);
  });
});

describe('exitCodeForRun', () => {
  it('is 0 only when the run and every task succeeded', () => {
    expect(exitCodeForRun('succeeded', ['succeeded', 'succeeded'], false)).toBe(0);
    expect(exitCodeForRun('succeeded', ['succeeded', 'failed'], false)).toBe(1);
    expect(exitCodeForRun('failed', ['succeeded'], false)).toBe(1);
    expect(exitCodeForRun('succeeded', ['skipped'], false)).toBe(1);
  });
  it('is 130 when the user interrupted the run', () => {
    expect(exitCodeForRun('stopped', ['succeeded', 'stopped'], true)).toBe(130);
  });
});

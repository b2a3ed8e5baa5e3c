import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { interruptedExitCode, interruptible, onInterrupt, untilStopSignal } from './interrupt.js';

describe('onInterrupt', () => {
  it('aborts on the first SIGINT and exits with 130 on the second', () => {
    const source = new EventEmitter();
    const exits: number[] = [];
    let err = '';
    const handle = onInterrupt({ source, stderr: { write: (text: string) => (err += text) }, exit: (code) => exits.push(code) });
    expect(handle.interrupted).toBe(false);

    source.emit('SIGINT');
    expect(handle.signal.aborted).toBe(true);
    expect(handle.interrupted).toBe(true);
    expect(err).toContain('Ctrl-C again');
    expect(exits).toEqual([]);

    source.emit('SIGINT');
    expect(exits).toEqual([130]);
  });

  it.each([
    ['SIGTERM', 143, 'terminated (SIGTERM)'],
    ['SIGHUP', 129, 'hung up (SIGHUP: the terminal closed)'],
  ])('stops like Ctrl-C on %s, with its own exit code and reason', (name, code, reason) => {
    const source = new EventEmitter();
    const exits: number[] = [];
    const handle = onInterrupt({ source, stderr: { write: () => true }, exit: (exitCode) => exits.push(exitCode) });
    source.emit(name);
    expect(handle.interrupted).toBe(true);
    expect(handle.exitCode).toBe(code);
    expect((handle.signal.reason as Error).message).toBe(reason);
    source.emit('SIGINT');
    expect(exits).toEqual([130]);
  });

  it('stops listening once disposed', () => {
    const source = new EventEmitter();
    const handle = onInterrupt({ source, stderr: { write: () => true }, exit: () => undefined });
    handle.dispose();
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) expect(source.listenerCount(name)).toBe(0);
    source.emit('SIGINT');
    expect(handle.signal.aborted).toBe(false);
  });
});

describe('untilStopSignal', () => {
  it.each(['SIGINT', 'SIGTERM'])('resolves at the first %s and leaves no listener behind', async (name) => {
    const source = new EventEmitter();
    let stopped = false;
    const waiting = untilStopSignal(source).then(() => (stopped = true));
    source.emit('SIGHUP');
    await Promise.resolve();
    expect(stopped).toBe(false);
    source.emit(name);
    await waiting;
    expect(stopped).toBe(true);
    for (const signal of ['SIGINT', 'SIGTERM']) expect(source.listenerCount(signal)).toBe(0);
  });
});

describe('interruptible', () => {
  const quiet = { stderr: { write: () => true }, exit: () => undefined };

  it("resolves with the work's value and removes its handlers", async () => {
    const source = new EventEmitter();
    expect(await interruptible({ ...quiet, source }, async () => 'done', () => 'interrupted')).toBe('done');
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) expect(source.listenerCount(name)).toBe(0);
  });

  it('takes an error thrown after a signal for the abort it caused, and answers with the exit code of that signal', async () => {
    const source = new EventEmitter();
    const code = await interruptible(
      { ...quiet, source },
      async (interrupt) => {
        source.emit('SIGTERM');
        throw interrupt.signal.reason;
      },
      interruptedExitCode,
    );
    expect(code).toBe(143);
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) expect(source.listenerCount(name)).toBe(0);
  });

  it('throws an error that came without a signal', async () => {
    const source = new EventEmitter();
    const work = interruptible({ ...quiet, source }, () => Promise.reject(new Error('store gone')), interruptedExitCode);
    await expect(work).rejects.toThrow('store gone');
    expect(source.listenerCount('SIGINT')).toBe(0);
  });
});

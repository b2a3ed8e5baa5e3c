import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ToolUseBlock } from '../../contracts/model.js';
import { createSandbox } from '../sandbox.js';
import { useTempDirs } from '../test-support/temp-workspace.js';
import { executeToolCalls, type ToolCallInfo } from './execute-tool-calls.js';
import { ManualClock } from '../../engine/manual-clock.js';
import { agentTools } from './index.js';
import { defineTool } from './tool.js';

const makeDir = useTempDirs();

function call(id: string, name: string, input: Record<string, unknown>): ToolUseBlock {
  return { type: 'tool_use', id, name, input };
}

async function execute(cwd: string, calls: ToolUseBlock[], writes: string[] = ['**']) {
  const infos: ToolCallInfo[] = [];
  const results = await executeToolCalls(calls, {
    tools: agentTools,
    sandbox: createSandbox({ cwd, writes }),
    signal: new AbortController().signal,
    onToolCall: (info) => infos.push(info),
  });
  return { results, infos };
}

describe('executeToolCalls', () => {
  it('applies calls on the same path in the order given, and returns results in call order', async () => {
    const cwd = await makeDir();
    const { results } = await execute(cwd, [
      call('w1', 'write_file', { path: 'a.txt', content: 'first' }),
      call('r1', 'read_file', { path: './a.txt' }),
      call('e1', 'edit_file', { path: 'a.txt', old_string: 'first', new_string: 'second' }),
      call('w2', 'write_file', { path: 'b.txt', content: 'other' }),
      call('w3', 'write_file', { path: 'sub/../a.txt', content: 'third' }),
    ]);
    expect(results.map((result) => [result.toolUseId, result.isError])).toEqual([
      ['w1', false],
      ['r1', false],
      ['e1', false],
      ['w2', false],
      ['w3', false],
    ]);
    expect(results[1]?.content).toBe('first');
    expect(await readFile(path.join(cwd, 'a.txt'), 'utf8')).toBe('third');
  });

  it('turns unknown tools and failures into error results and reports every call', async () => {
    const cwd = await makeDir({ 'a.txt': 'hello' });
    const { results, infos } = await execute(
      cwd,
      [call('1', 'delete_file', { path: 'a.txt' }), call('2', 'read_file', { path: 'a.txt' }), call('3', 'write_file', { path: 'a.txt', content: 'x' })],
      [],
    );
    expect(results[0]).toMatchObject({
      isError: true,
      content: 'unknown tool "delete_file"; available tools: read_file, write_file, edit_file, list_files, grep',
    });
    expect(infos).toEqual([
      { tool: 'delete_file', ok: false, detail: results[0]?.content },
      { tool: 'read_file', ok: true, detail: 'a.txt' },
      // A sandbox refusal is told apart from a failure (the unknown tool above).
      { tool: 'write_file', ok: false, detail: 'write to "a.txt" refused: this task is read-only (no write scope)', refused: true },
    ]);
  });

  it('refuses a call whose arguments the provider could not parse, without running it', async () => {
    const cwd = await makeDir();
    const broken: ToolUseBlock = { ...call('1', 'write_file', {}), inputError: 'arguments are not valid JSON' };
    const { results } = await execute(cwd, [broken]);
    expect(results[0]).toMatchObject({ isError: true, content: 'invalid arguments for write_file: arguments are not valid JSON' });
  });
});

describe('executeToolCalls time limit and abort', () => {
  const hanging = defineTool<Record<string, never>>(
    { name: 'hang', description: 'never ends on its own', inputSchema: { type: 'object' } },
    (_, { signal }) => new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('stopped')))),
  );

  /** Runs one call of `hang` with a 5 s limit on `clock`, under the id given. */
  const hangingCalls = (cwd: string, clock: ManualClock) => (id: string) =>
    executeToolCalls([call(id, 'hang', {})], {
      tools: [hanging],
      sandbox: createSandbox({ cwd, writes: [] }),
      signal: new AbortController().signal,
      clock,
      timeLimitMs: 5_000,
    });

  it('ends a call at its time limit with a tool error, and fires the call signal', async () => {
    const cwd = await makeDir();
    const clock = new ManualClock();
    const pending = executeToolCalls([call('h', 'hang', {})], {
      tools: [hanging],
      sandbox: createSandbox({ cwd, writes: [] }),
      signal: new AbortController().signal,
      clock,
      timeLimitMs: 5_000,
    });
    await clock.advance(4_999);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(1);
    expect(await pending).toEqual([
      {
        type: 'tool_result',
        toolUseId: 'h',
        isError: true,
        content: 'hang did not finish within its time limit of 5000 ms and was stopped; try a narrower call',
      },
    ]);
  });

  it('watches the limits of all calls in flight on a clock with one sleep', async () => {
    const cwd = await makeDir();
    const clock = new ManualClock();
    const start = clock.monotonic();
    const run = hangingCalls(cwd, clock);
    const first = run('first');
    await clock.advance(1_000);
    const others = [run('second'), run('third')];
    await clock.advance(0);
    expect(clock.deadlines).toEqual([start + 5_000]);
    await clock.advance(4_000);
    expect((await first)[0]?.isError).toBe(true);
    // The sweep sleeps on to the next deadline left.
    expect(clock.deadlines).toEqual([start + 6_000]);
    await clock.advance(1_000);
    expect((await Promise.all(others)).map(([result]) => result?.isError)).toEqual([true, true]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('judges the limits by monotonic time: a jump of the wall clock neither ends a call nor stretches its limit', async () => {
    const cwd = await makeDir();
    const clock = new ManualClock();
    const run = hangingCalls(cwd, clock);
    const first = run('first');
    await clock.advance(1_000);
    let secondEnded = false;
    const second = Promise.resolve(run('second')).finally(() => (secondEnded = true));
    // The machine slept for an hour: the wall clock moved, the monotonic one did not.
    clock.jumpWall(3_600_000);
    await clock.advance(4_000);
    expect((await first)[0]?.isError).toBe(true);
    expect(secondEnded).toBe(false);
    // NTP steps the clock two hours back: the second call still ends 5 s after it started.
    clock.jumpWall(-7_200_000);
    await clock.advance(999);
    expect(secondEnded).toBe(false);
    await clock.advance(1);
    expect((await second)[0]?.isError).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('arms no sleep for calls that finish in the turn they start in', async () => {
    const cwd = await makeDir({ 'a.txt': 'hello' });
    const clock = new ManualClock();
    let sleeps = 0;
    const sleep = clock.sleep.bind(clock);
    clock.sleep = (ms, signal) => {
      sleeps += 1;
      return sleep(ms, signal);
    };
    const results = await executeToolCalls([call('1', 'read_file', { path: 'a.txt' }), call('2', 'read_file', { path: 'b.txt' })], {
      tools: agentTools,
      sandbox: createSandbox({ cwd, writes: [] }),
      signal: new AbortController().signal,
      clock,
    });
    await clock.advance(0);
    expect(results.map((result) => result.content)).toEqual(['hello', '"b.txt" does not exist']);
    expect(sleeps).toBe(0);
  });

  it('ends a call at once when the task is aborted, whatever the tool does', async () => {
    const cwd = await makeDir();
    const stubborn = defineTool<Record<string, never>>(
      { name: 'stubborn', description: 'ignores its signal', inputSchema: { type: 'object' } },
      () => new Promise<string>(() => undefined),
    );
    const task = new AbortController();
    const pending = executeToolCalls([call('s', 'stubborn', {})], {
      tools: [stubborn],
      sandbox: createSandbox({ cwd, writes: [] }),
      signal: task.signal,
      clock: new ManualClock(),
    });
    task.abort(new Error('stop requested'));
    const [result] = await pending;
    expect(result).toMatchObject({ isError: true, content: 'stop requested' });
  });
});

describe('executeToolCalls of tools done within their turn', () => {
  it('runs them with the task signal and arms no time limit, while others get a signal of their own', async () => {
    const cwd = await makeDir();
    const clock = new ManualClock();
    const task = new AbortController();
    const seen = new Map<string, AbortSignal>();
    const probe = (name: string, withinTurn: boolean) =>
      defineTool<Record<string, never>>(
        { name, description: 'records its signal', inputSchema: { type: 'object' } },
        (_, { signal }) => {
          seen.set(name, signal);
          return Promise.resolve('done');
        },
        { withinTurn },
      );
    const results = await executeToolCalls([call('a', 'quick', {}), call('b', 'slow', {})], {
      tools: [probe('quick', true), probe('slow', false)],
      sandbox: createSandbox({ cwd, writes: [] }),
      signal: task.signal,
      clock,
    });
    expect(results.map((result) => result.content)).toEqual(['done', 'done']);
    expect(seen.get('quick')).toBe(task.signal);
    expect(seen.get('slow')).not.toBe(task.signal);
    expect(clock.pendingTimers).toBe(0);
  });

  it('hands back the result of one call its tool answered synchronously at once, and of one it could not as a promise', async () => {
    const cwd = await makeDir({ 'a.txt': 'hello' });
    const infos: ToolCallInfo[] = [];
    const execution = { tools: agentTools, sandbox: createSandbox({ cwd, writes: ['out/**'] }), signal: new AbortController().signal, onToolCall: (info: ToolCallInfo) => infos.push(info) };
    const found = executeToolCalls([call('1', 'read_file', { path: 'a.txt' })], execution);
    expect(found).toEqual([{ type: 'tool_result', toolUseId: '1', content: 'hello', isError: false }]);
    expect(infos).toEqual([{ tool: 'read_file', ok: true, detail: 'a.txt' }]);
    const escaping = executeToolCalls([call('2', 'read_file', { path: '../outside.txt' })], execution);
    expect(escaping).toEqual([{ type: 'tool_result', toolUseId: '2', content: 'path "../outside.txt" escapes the working directory', isError: true }]);
    // A missing file goes through the sandbox's checks, synchronous too.
    const missing = executeToolCalls([call('3', 'read_file', { path: 'b.txt' })], execution);
    expect(missing).toEqual([{ type: 'tool_result', toolUseId: '3', content: '"b.txt" does not exist', isError: true }]);
    expect(infos.slice(1)).toEqual([
      { tool: 'read_file', ok: false, detail: 'path "../outside.txt" escapes the working directory', refused: true },
      { tool: 'read_file', ok: false, detail: '"b.txt" does not exist' },
    ]);
    const written = executeToolCalls([call('4', 'write_file', { path: 'out/b.txt', content: 'hi' })], execution);
    expect(written).toEqual([{ type: 'tool_result', toolUseId: '4', content: 'Wrote 2 bytes to out/b.txt', isError: false }]);
    const edited = executeToolCalls([call('5', 'edit_file', { path: 'out/b.txt', old_string: 'hi', new_string: 'ho' })], execution);
    expect(edited).toEqual([{ type: 'tool_result', toolUseId: '5', content: 'Edited out/b.txt: replaced 1 occurrence', isError: false }]);
    const refused = executeToolCalls([call('6', 'write_file', { path: 'a.txt', content: 'x' })], execution);
    expect(refused).toEqual([{ type: 'tool_result', toolUseId: '6', content: expect.stringContaining('outside this task\'s write scope'), isError: true }]);
    // list_files walks the directory through the thread pool.
    const listed = executeToolCalls([call('7', 'list_files', {})], execution);
    expect(listed).toBeInstanceOf(Promise);
    expect(await listed).toEqual([{ type: 'tool_result', toolUseId: '7', content: 'a.txt\nout/b.txt', isError: false }]);
  });

  it('marks read_file, write_file and edit_file as done within their turn, list_files and grep not', () => {
    const within = agentTools.filter((tool) => tool.withinTurn === true).map((tool) => tool.spec.name);
    expect(within).toEqual(['read_file', 'write_file', 'edit_file']);
  });
});

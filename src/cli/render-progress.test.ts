import { describe, expect, it } from 'vitest';
import type { FanoutEvent } from '../contracts/events.js';
import { applyEvent, createProgressState, plainProgressLine, renderProgressLines, serializationNotice } from './render-progress.js';

const T0 = 1_000_000;

function runStarted() {
  const state = createProgressState([
    { id: 'login', description: 'Login endpoint' },
    { id: 'register' },
  ]);
  applyEvent(state, {
    type: 'run-start',
    runId: 'r1',
    at: T0,
    name: 'demo',
    tasks: [
      { id: 'login', handle: 'h-login' },
      { id: 'register', handle: 'h-register' },
    ],
    simulated: true,
  });
  return state;
}

describe('applyEvent', () => {
  it('tracks start, turns, tools and the end of a task', () => {
    const state = runStarted();
    applyEvent(state, { type: 'task-start', runId: 'r1', at: T0 + 10, id: 'login', handle: 'h-login' });
    applyEvent(state, { type: 'model-call', runId: 'r1', at: T0 + 500, id: 'login', handle: 'h-login', turn: 2, inputTokens: 1, outputTokens: 1, durationMs: 400 });
    applyEvent(state, { type: 'tool-call', runId: 'r1', at: T0 + 600, id: 'login', handle: 'h-login', tool: 'write_file', ok: true });
    expect(state.tasks[0]).toMatchObject({ status: 'running', startedAt: T0 + 10, turns: 2, lastTool: 'write_file', handle: 'h-login' });
    applyEvent(state, { type: 'task-end', runId: 'r1', at: T0 + 1010, id: 'login', handle: 'h-login', status: 'succeeded', durationMs: 1000 });
    expect(state.tasks[0]).toMatchObject({ status: 'succeeded', endedAt: T0 + 1010 });
  });
});

describe('renderProgressLines', () => {
  it('draws the todo list: a line per task with state and elapsed time, then the synthesis', () => {
    const state = runStarted();
    applyEvent(state, { type: 'task-start', runId: 'r1', at: T0, id: 'login', handle: 'h-login' });
    applyEvent(state, { type: 'task-waiting', runId: 'r1', at: T0, id: 'register', handle: 'h-register', reason: 'conflict', on: 'login', detail: 'src/** ~ src/a.ts' });
    const lines = renderProgressLines(state, T0 + 2500, { width: 200, maxLines: 20 });
    expect(lines[0]).toBe('fanout · demo · 0/2 done · 1 running · 2.5s · SIMULATED model');
    expect(lines[1]).toMatch(/^ {2}\S Login endpoint\s+running\s+2\.5s$/);
    expect(lines[2]).toMatch(/○ register\s+waiting\s+waits for login: conflict \(src\/\*\* ~ src\/a\.ts\)/);
    expect(lines[3]).toMatch(/○ Synthesize results\s+pending/);
  });

  it('never draws more lines than allowed, keeping running tasks and summing the rest', () => {
    const state = createProgressState(Array.from({ length: 10 }, (_, index) => ({ id: `t${index}` })));
    applyEvent(state, { type: 'task-start', runId: 'r', at: T0, id: 't9', handle: 'h9' });
    for (let index = 0; index < 5; index += 1) {
      applyEvent(state, { type: 'task-end', runId: 'r', at: T0, id: `t${index}`, handle: `h${index}`, status: 'succeeded', durationMs: 5 });
    }
    const lines = renderProgressLines(state, T0, { width: 200, maxLines: 6 });
    expect(lines).toHaveLength(6);
    expect(lines.some((line) => line.includes('t9') && line.includes('running'))).toBe(true);
    expect(lines[4]).toBe('  … 7 more (5 succeeded, 2 queued)');
  });

  it('at 60 columns shortens descriptions first: every row keeps its state and elapsed time', () => {
    const state = createProgressState([
      { id: 'login', description: 'Implement the login endpoint with rate limiting and lockout' },
      { id: 'register', description: 'Registration endpoint implementation' },
      { id: 'tests', description: 'Integration tests' },
    ]);
    applyEvent(state, { type: 'run-start', runId: 'r1', at: T0, name: 'user-authentication-with-a-long-name', tasks: [], simulated: true });
    applyEvent(state, { type: 'task-start', runId: 'r1', at: T0, id: 'login', handle: 'h1' });
    applyEvent(state, { type: 'tool-call', runId: 'r1', at: T0, id: 'login', handle: 'h1', tool: 'write_file', ok: true });
    applyEvent(state, { type: 'task-end', runId: 'r1', at: T0 + 1200, id: 'register', handle: 'h2', status: 'succeeded', durationMs: 1200 });
    // the live view draws at columns - 1
    const lines = renderProgressLines(state, T0 + 3400, { width: 59, maxLines: 20 });
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(59);
    // the name gives way before the counts and the simulated label
    expect(lines[0]).toBe('fanout · 1/3 done · 1 running · 3.4s · SIMULATED model');
    expect(renderProgressLines(state, T0 + 3400, { width: 70, maxLines: 20 })[0]).toBe(
      'fanout · user-authent… · 1/3 done · 1 running · 3.4s · SIMULATED model',
    );
    expect(lines[1]).toBe(`  ${lines[1]?.[2]} Implement the login endpoint with r…  running      3.4s`);
    expect(lines[2]).toBe('  ✔ Registration endpoint implementation  succeeded    1.2s');
    expect(lines[3]).toMatch(/^ {2}○ Integration tests\s+queued$/);
    expect(lines[4]).toMatch(/^ {2}○ Synthesize results\s+pending$/);
  });

  it('marks a task whose tool calls the sandbox refused, running or finished', () => {
    const state = createProgressState([{ id: 'login' }]);
    applyEvent(state, { type: 'task-start', runId: 'r1', at: T0, id: 'login', handle: 'h1' });
    applyEvent(state, { type: 'tool-call', runId: 'r1', at: T0, id: 'login', handle: 'h1', tool: 'write_file', ok: false, detail: 'write to "x" refused', refused: true });
    applyEvent(state, { type: 'tool-call', runId: 'r1', at: T0, id: 'login', handle: 'h1', tool: 'read_file', ok: false, detail: '"y" does not exist' });
    expect(renderProgressLines(state, T0 + 100, { width: 80, maxLines: 10 })[1]).toMatch(/running\s+0\.1s {2}⚠ 1 refused · read_file$/);
    applyEvent(state, { type: 'task-end', runId: 'r1', at: T0 + 200, id: 'login', handle: 'h1', status: 'succeeded', durationMs: 200 });
    expect(renderProgressLines(state, T0 + 300, { width: 80, maxLines: 10 })[1]).toMatch(/succeeded\s+0\.2s {2}⚠ 1 refused$/);
  });

  it("shows what holds a running task's model call back until the call answers", () => {
    const state = runStarted();
    applyEvent(state, { type: 'task-start', runId: 'r1', at: T0, id: 'login', handle: 'h-login' });
    applyEvent(state, { type: 'task-waiting', runId: 'r1', at: T0, id: 'login', handle: 'h-login', reason: 'rate-limit', detail: 'anthropic, window 12' });
    expect(renderProgressLines(state, T0 + 100, { width: 100, maxLines: 10 })[1]).toMatch(/running\s+0\.1s {2}waiting: rate limit \(anthropic, window 12\)$/);
    applyEvent(state, { type: 'model-call', runId: 'r1', at: T0 + 200, id: 'login', handle: 'h-login', turn: 1, inputTokens: 1, outputTokens: 1, durationMs: 100 });
    expect(renderProgressLines(state, T0 + 300, { width: 100, maxLines: 10 })[1]).toMatch(/running\s+0\.3s {2}turn 1$/);
  });

  it('cuts every line to the terminal width', () => {
    const state = runStarted();
    for (const line of renderProgressLines(state, T0, { width: 20, maxLines: 10 })) expect(line.length).toBeLessThanOrEqual(20);
  });
});

describe('plainProgressLine', () => {
  it('prints one line per state change, with the offset from the run start', () => {
    const state = runStarted();
    const events: FanoutEvent[] = [
      { type: 'task-start', runId: 'r1', at: T0 + 100, id: 'login', handle: 'h-login' },
      { type: 'model-call', runId: 'r1', at: T0 + 200, id: 'login', handle: 'h-login', turn: 1, inputTokens: 1, outputTokens: 1, durationMs: 1 },
      { type: 'task-end', runId: 'r1', at: T0 + 1300, id: 'login', handle: 'h-login', status: 'failed', durationMs: 1200, error: 'model error 500' },
      { type: 'synthesis-start', runId: 'r1', at: T0 + 1400 },
    ];
    const lines = events.map((event) => plainProgressLine(applyEvent(state, event), event));
    expect(lines).toEqual([
      '  +0.1s  ▶ login  running',
      undefined,
      '  +1.3s  ✖ login  failed in 1.2s (1 turn): model error 500',
      '  +1.4s  ▶ synthesis  running',
    ]);
  });

  it('names the glob pair when conflicting tasks were serialized', () => {
    const state = runStarted();
    const event: FanoutEvent = { type: 'task-waiting', runId: 'r1', at: T0, id: 'register', handle: 'h', reason: 'conflict', on: 'login', detail: 'src/auth/** ~ src/auth/login.ts' };
    expect(plainProgressLine(applyEvent(state, event), event)).toBe(
      '  +0.0s  ○ register  serialized: register waits for login (conflict src/auth/** ~ src/auth/login.ts)',
    );
    expect(serializationNotice({ ...event, reason: 'concurrency' })).toBeUndefined();
  });

  it('announces the run and whether its model is simulated', () => {
    const event: FanoutEvent = { type: 'run-start', runId: 'r9', at: T0, name: 'x', tasks: [{ id: 'a', handle: 'h' }], simulated: true };
    expect(plainProgressLine(createProgressState([]), event)).toBe('run r9 "x": 1 task (SIMULATED model)');
    // an unnamed plan is named after its run id: not said twice
    expect(plainProgressLine(createProgressState([]), { ...event, name: 'r9' })).toBe('run r9: 1 task (SIMULATED model)');
  });

  it('prints a retry once, with its wait in ms, not again as a wait', () => {
    const state = runStarted();
    const events: FanoutEvent[] = [
      { type: 'task-start', runId: 'r1', at: T0, id: 'login', handle: 'h-login' },
      { type: 'task-retry', runId: 'r1', at: T0 + 100, id: 'login', handle: 'h-login', attempt: 1, waitMs: 10, error: 'HTTP 529' },
      { type: 'task-waiting', runId: 'r1', at: T0 + 100, id: 'login', handle: 'h-login', reason: 'retry', detail: 'retry 1 in 10 ms: HTTP 529' },
    ];
    const lines = events.map((event) => plainProgressLine(applyEvent(state, event), event));
    expect(lines).toEqual(['  +0.0s  ▶ login  running', '  +0.1s  ↻ login  retry 1 in 10ms: HTTP 529', undefined]);
  });

  it('says when the synthesis is skipped or stopped, live and in plain lines', () => {
    for (const status of ['skipped', 'stopped'] as const) {
      const state = runStarted();
      const event: FanoutEvent = { type: 'todo-update', runId: 'r1', at: T0 + 2000, item: { id: 'synthesis', content: 'Synthesize results', status } };
      expect(plainProgressLine(applyEvent(state, event), event)).toBe(`  +2.0s  ${status === 'skipped' ? '⊘' : '■'} synthesis  ${status}`);
      expect(renderProgressLines(state, T0 + 2000, { width: 80, maxLines: 10 }).at(-1)).toMatch(new RegExp(`^  . Synthesize results\\s+${status}$`));
    }
  });
});

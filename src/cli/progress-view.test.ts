import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { FanoutEvent } from '../contracts/events.js';
import { onInterrupt } from './interrupt.js';
import { ProgressView } from './progress-view.js';
import { applyEvent, createProgressState } from './render-progress.js';
import { TerminalScreen } from './test-support/terminal-screen.js';

function stream(tty: boolean) {
  const writes: string[] = [];
  return { writes, write: (text: string) => writes.push(text), isTTY: tty, columns: 80, rows: 10 };
}

describe('ProgressView', () => {
  it('on a TTY redraws in place: the second drawing moves the cursor up over the first', () => {
    const out = stream(true);
    const state = createProgressState([{ id: 'a' }, { id: 'b' }]);
    const view = new ProgressView(out, state, { now: () => 0 });
    view.redraw();
    view.redraw();
    expect(out.writes[0]).not.toContain('\x1b[4F');
    expect(out.writes[1]?.startsWith('\x1b[4F')).toBe(true);
    expect(out.writes[1]).toContain('\x1b[2K');
  });

  it('on a pty reporting 0×0 draws full lines (80 columns), not lines cut to nothing', () => {
    const out = { ...stream(true), columns: 0, rows: 0 };
    const description = 'Implement the login endpoint with rate limiting';
    const view = new ProgressView(out, createProgressState([{ id: 'login', description }]), { now: () => 0 });
    view.redraw();
    expect(out.writes[0]).toContain(description);
  });

  it('on a TTY prints serialization notices above the list, not plain lines for each event', () => {
    const out = stream(true);
    const view = new ProgressView(out, createProgressState([{ id: 'a' }, { id: 'b' }]), { now: () => 0 });
    view.handle({ type: 'task-start', runId: 'r', at: 0, id: 'a', handle: 'ha' });
    expect(out.writes).toEqual([]);
    view.handle({ type: 'task-waiting', runId: 'r', at: 0, id: 'b', handle: 'hb', reason: 'conflict', on: 'a', detail: 'x ~ y' });
    expect(out.writes[0]).toContain('serialized: b waits for a (conflict x ~ y)\n');
  });

  it('without a TTY writes one plain line per state change and no escape codes', () => {
    const out = stream(false);
    const state = createProgressState([{ id: 'a' }]);
    applyEvent(state, { type: 'run-start', runId: 'r', at: 0, name: '', tasks: [], simulated: false });
    const view = new ProgressView(out, state);
    view.start();
    view.handle({ type: 'task-start', runId: 'r', at: 500, id: 'a', handle: 'ha' });
    view.handle({ type: 'tool-call', runId: 'r', at: 600, id: 'a', handle: 'ha', tool: 'read_file', ok: true });
    view.stop();
    expect(out.writes).toEqual(['  +0.5s  ▶ a  running\n']);
  });

  it('on Ctrl-C leaves no ghost of the list above the final frame, and shows the synthesis stopped', () => {
    const screen = new TerminalScreen();
    const tty = screen.stream(60, 24);
    const state = createProgressState([{ id: 'login', description: 'Login endpoint' }, { id: 'register' }]);
    const view = new ProgressView(tty, state, { now: () => 2000, intervalMs: 3_600_000 });
    const events: FanoutEvent[] = [
      { type: 'run-start', runId: 'r', at: 0, name: 'auth', tasks: [], simulated: true },
      { type: 'task-start', runId: 'r', at: 0, id: 'login', handle: 'h1' },
      { type: 'task-start', runId: 'r', at: 0, id: 'register', handle: 'h2' },
    ];
    for (const event of events) view.handle(event);
    view.start();
    view.redraw();
    const sigint = new EventEmitter();
    const interrupt = onInterrupt({ stderr: view.noticeStream(tty), source: sigint, exit: () => {} });
    screen.write('^C'); // the terminal's echo of the key
    sigint.emit('SIGINT');
    view.redraw();
    for (const id of ['login', 'register']) {
      view.handle({ type: 'task-end', runId: 'r', at: 1500, id, handle: 'h', status: 'stopped', durationMs: 1500 });
    }
    view.handle({ type: 'todo-update', runId: 'r', at: 1500, item: { id: 'synthesis', content: 'Synthesize results', status: 'stopped' } });
    view.stop();
    interrupt.dispose();

    const lines = screen.lines();
    expect(lines).toEqual([
      'fanout: stopping every task (press Ctrl-C again to exit at once)',
      'fanout · 2/2 done · 0 running · 2.0s · SIMULATED model',
      '  ■ Login endpoint      stopped      1.5s',
      '  ■ register            stopped      1.5s',
      '  ■ Synthesize results  stopped',
    ]);
  });
});

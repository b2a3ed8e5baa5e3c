import { describe, expect, it } from 'vitest';
import { ProgressView } from './progress-view.js';
import { applyEvent, createProgressState } from './render-progress.js';

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
});

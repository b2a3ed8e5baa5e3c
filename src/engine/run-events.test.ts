import { describe, expect, it } from 'vitest';
import type { FanoutEvent } from '../contracts/events.js';
import type { RunStore } from '../contracts/run-store.js';
import { EventHub } from './run-events.js';

/** A hub over a store that only records what is appended to it. */
function hubWithStore(): { hub: EventHub; stored: FanoutEvent[] } {
  const stored: FanoutEvent[] = [];
  const store = { appendEvent: (event: FanoutEvent) => stored.push(event) } as unknown as RunStore;
  return { hub: new EventHub(store), stored };
}

const taskStart: FanoutEvent = { type: 'task-start', runId: 'run-1', at: 1, id: 'a', handle: 't-a' };
const todoUpdate: FanoutEvent = { type: 'todo-update', runId: 'run-1', at: 2, item: { id: 'a', content: 'a', status: 'in_progress', handle: 't-a' } };

describe('EventHub', () => {
  it('stores what it emits but todo-updates, and hands every event to the listeners, its run listener first', () => {
    const { hub, stored } = hubWithStore();
    const seen: string[] = [];
    hub.on((event) => seen.push(`all:${event.type}`));
    hub.onRun('run-1', (event) => seen.push(`run:${event.type}`));
    hub.onRun('run-2', (event) => seen.push(`other:${event.type}`));
    hub.emit(taskStart);
    hub.emit(todoUpdate);
    expect(stored).toEqual([taskStart]);
    expect(seen).toEqual(['run:task-start', 'all:task-start', 'run:todo-update', 'all:todo-update']);
  });

  it('announces to the listeners only: nothing is stored, whatever the type', () => {
    const { hub, stored } = hubWithStore();
    const seen: FanoutEvent[] = [];
    hub.on((event) => seen.push(event));
    hub.announce(todoUpdate);
    hub.announce(taskStart);
    expect(stored).toEqual([]);
    expect(seen).toEqual([todoUpdate, taskStart]);
  });

  it('goes on to the next listener when one throws', () => {
    const { hub } = hubWithStore();
    const seen: string[] = [];
    hub.onRun('run-1', () => {
      throw new Error('broken view');
    });
    hub.on(() => {
      throw new Error('broken logger');
    });
    hub.on((event) => seen.push(event.type));
    hub.announce(todoUpdate);
    hub.emit(taskStart);
    expect(seen).toEqual(['todo-update', 'task-start']);
  });
});

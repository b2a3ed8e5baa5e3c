import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../contracts/events.js';
import { textResponse } from '../models/scripted-model.js';
import { heldStep, task } from './test-support/engine-harness.js';
import { useHarnesses } from './test-support/use-harnesses.js';

const setup = useHarnesses('## Result\nmerged');

/** Collects what an async iterable yields until it ends. */
async function collect(events: AsyncIterable<StoredEvent>, into: StoredEvent[]): Promise<void> {
  for await (const stored of events) into.push(stored);
}

describe('Fanout.events', () => {
  it("reads a run's stored events in order with their seq, a task's by its handle, and those after a seq", async () => {
    const { fanout, model, events: emitted } = setup();
    model('scripted:a', [textResponse('a done')]);
    model('scripted:b', [textResponse('b done')]);
    const { runId, handles } = fanout.spawn([task('a'), task('b')]);
    await fanout.wait(runId);

    const all = fanout.events(runId);
    expect(all.map((stored) => stored.seq)).toEqual(all.map((_, index) => index + 1));
    expect(all.map((stored) => stored.event)).toEqual(emitted.filter((event) => event.type !== 'todo-update'));
    expect(all[0]?.event.type).toBe('run-start');
    expect(all.at(-1)?.event.type).toBe('run-end');

    const handleB = handles[1]?.handle as string;
    const ofB = fanout.events(handleB);
    expect(ofB.length).toBeGreaterThan(1);
    expect(ofB.every(({ event }) => 'handle' in event && event.handle === handleB)).toBe(true);
    expect(ofB.map(({ event }) => event.type)).toEqual(expect.arrayContaining(['task-start', 'model-call', 'task-end']));

    expect(fanout.events(runId, { after: 3 })).toEqual(all.slice(3));
  });

  it('throws NOT_FOUND for an unknown target', () => {
    const { fanout } = setup();
    expect(() => fanout.events('run-nope')).toThrowError(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => fanout.followEvents('t-nope')).toThrowError(expect.objectContaining({ code: 'NOT_FOUND' }));
  });
});

describe('Fanout.followEvents', () => {
  it("follows a run executed by another Fanout on the same store, polling on the clock, until its run-end", async () => {
    const executing = setup();
    const reader = setup({ store: executing.store, clock: executing.clock, resolver: executing.resolver });
    const held = heldStep();
    executing.model('scripted:a', [held.step]);
    const { runId } = executing.fanout.spawn([task('a')]);
    await held.called;

    const followed: StoredEvent[] = [];
    const following = collect(reader.fanout.followEvents(runId), followed);
    await executing.clock.advance(0);
    expect(followed.map(({ event }) => event.type)).toEqual(['run-start', 'task-start']);

    held.answer('a done');
    await executing.clock.advance(200);
    await following;
    expect(followed.map(({ event }) => event.type)).toEqual([
      'run-start',
      'task-start',
      'model-call',
      'task-end',
      'synthesis-start',
      'synthesis-end',
      'run-end',
    ]);
    expect(followed).toEqual(executing.fanout.events(runId));
  });

  it('ends a task follow at its task-end, while the run goes on', async () => {
    const { fanout, model, clock } = setup();
    const heldB = heldStep();
    model('scripted:a', [textResponse('a done')]);
    model('scripted:b', [heldB.step]);
    const { runId, handles } = fanout.spawn([task('a'), task('b')]);
    await heldB.called;
    await clock.advance(0);

    const followed: StoredEvent[] = [];
    await collect(fanout.followEvents(handles[0]?.handle as string, { after: 0 }), followed);
    expect(followed.map(({ event }) => event.type)).toEqual(['task-start', 'model-call', 'task-end']);
    expect(fanout.status(runId).run.status).toBe('running');
    heldB.answer();
    await fanout.wait(runId);
  });

  it('rejects with ABORTED when its signal fires, leaving no timer behind', async () => {
    const { fanout, model, clock } = setup();
    const held = heldStep();
    model('scripted:a', [held.step]);
    const { runId } = fanout.spawn([task('a')]);
    await held.called;
    const controller = new AbortController();
    const followed: StoredEvent[] = [];
    const following = collect(fanout.followEvents(runId, { signal: controller.signal }), followed);
    await clock.advance(0);
    const timers = clock.pendingTimers;
    controller.abort();
    await expect(following).rejects.toMatchObject({ code: 'ABORTED' });
    expect(clock.pendingTimers).toBe(timers - 1);
    expect(followed.length).toBeGreaterThan(0);
    held.answer();
    await fanout.wait(runId);
  });
});

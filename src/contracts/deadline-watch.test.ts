import { describe, expect, it } from 'vitest';
import { ManualClock } from '../engine/manual-clock.js';
import { DeadlineWatch, WatchesPerClock, type Watched } from './deadline-watch.js';

/** An entry whose deadline a test moves, recording when it expired. */
class Entry implements Watched {
  expiredAt: number | undefined;
  constructor(public at: number) {}
  deadline(): number {
    return this.at;
  }
  expire(now: number): void {
    this.expiredAt = now;
  }
}

/** A `defer` the test runs by hand, so the deferred decisions are seen one by one. */
function manualDefer(): { defer: (decide: () => void) => void; run: () => void; readonly pending: number } {
  const queue: Array<() => void> = [];
  return {
    defer: (decide) => queue.push(decide),
    run: () => queue.splice(0).forEach((decide) => decide()),
    get pending() {
      return queue.length;
    },
  };
}

describe('DeadlineWatch', () => {
  it('watches every entry with one sleep, to the nearest deadline, and re-arms only for a nearer one', async () => {
    const clock = new ManualClock();
    const watch = new DeadlineWatch(clock);
    const start = clock.monotonic();
    const far = new Entry(start + 5_000);
    const near = new Entry(start + 2_000);
    watch.add(far);
    watch.add(new Entry(start + 9_000));
    expect(clock.deadlines).toEqual([start + 5_000]);
    watch.add(near);
    expect(clock.deadlines).toEqual([start + 2_000]);
    await clock.advance(2_000);
    expect(near.expiredAt).toBe(start + 2_000);
    expect(far.expiredAt).toBeUndefined();
    // After a sweep the sleep goes to the nearest deadline left.
    expect(clock.deadlines).toEqual([start + 5_000]);
  });

  it('wakes at an old deadline that moved later without expiring the entry, then sleeps to the new one', async () => {
    const clock = new ManualClock();
    const watch = new DeadlineWatch(clock);
    const start = clock.monotonic();
    const entry = new Entry(start + 1_000);
    watch.add(entry);
    entry.at = start + 3_000;
    await clock.advance(1_000);
    expect(entry.expiredAt).toBeUndefined();
    expect(clock.deadlines).toEqual([start + 3_000]);
    // A deadline brought nearer is told with due().
    entry.at = start + 1_500;
    watch.due(entry.at);
    await clock.advance(500);
    expect(entry.expiredAt).toBe(start + 1_500);
    expect(clock.pendingTimers).toBe(0);
  });

  it('cancels its sleep when nothing is left to watch, and ignores deleting an expired entry', async () => {
    const clock = new ManualClock();
    const watch = new DeadlineWatch(clock);
    const first = new Entry(clock.monotonic() + 100);
    const second = new Entry(clock.monotonic() + 200);
    watch.add(first);
    watch.add(second);
    await clock.advance(100);
    watch.delete(first);
    expect(clock.pendingTimers).toBe(1);
    watch.delete(second);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(1_000);
    expect(second.expiredAt).toBeUndefined();
  });

  it('lets an expiry add an entry without leaving a second sleep behind', async () => {
    const clock = new ManualClock();
    const watch = new DeadlineWatch(clock);
    const start = clock.monotonic();
    const follower = new Entry(start + 700);
    const leader = new Entry(start + 100);
    leader.expire = (now) => {
      leader.expiredAt = now;
      watch.add(follower);
    };
    watch.add(leader);
    watch.add(new Entry(start + 900));
    await clock.advance(100);
    expect(clock.deadlines).toEqual([start + 700]);
    await clock.advance(600);
    expect(follower.expiredAt).toBe(start + 700);
  });

  describe('with deferred decisions', () => {
    it('arms no sleep for entries added and deleted before the decision runs', () => {
      const clock = new ManualClock();
      const deferred = manualDefer();
      const watch = new DeadlineWatch(clock, { defer: deferred.defer });
      for (let index = 0; index < 100; index += 1) {
        const entry = new Entry(clock.monotonic() + 1_000);
        watch.add(entry);
        watch.delete(entry);
      }
      // One decision for the whole turn, and it finds nothing to watch.
      expect(deferred.pending).toBe(1);
      deferred.run();
      expect(clock.pendingTimers).toBe(0);
    });

    it('arms once for the nearest deadline of a turn and cancels once the watch empties', async () => {
      const clock = new ManualClock();
      const deferred = manualDefer();
      const watch = new DeadlineWatch(clock, { defer: deferred.defer });
      const start = clock.monotonic();
      const [late, early, middle] = [3_000, 1_000, 2_000].map((offset) => new Entry(start + offset)) as [Entry, Entry, Entry];
      for (const entry of [late, early, middle]) watch.add(entry);
      expect(clock.pendingTimers).toBe(0);
      deferred.run();
      expect(clock.deadlines).toEqual([start + 1_000]);
      await clock.advance(1_000);
      expect([late, early, middle].map((entry) => entry.expiredAt)).toEqual([undefined, start + 1_000, undefined]);
      // The sweep re-arms at once, not through the deferral.
      expect(clock.deadlines).toEqual([start + 2_000]);
      watch.delete(late);
      watch.delete(middle);
      expect(clock.pendingTimers).toBe(1);
      deferred.run();
      expect(clock.pendingTimers).toBe(0);
    });
  });
});

describe('WatchesPerClock', () => {
  it('gives each clock one watch of its own, made with the registry options', async () => {
    const first = new ManualClock();
    const second = new ManualClock();
    const deferred = manualDefer();
    const watches = new WatchesPerClock({ defer: deferred.defer });
    expect(watches.of(first)).toBe(watches.of(first));
    expect(watches.of(second)).not.toBe(watches.of(first));
    const entry = new Entry(first.monotonic() + 100);
    watches.of(first).add(entry);
    // The registry's defer holds the decision: no sleep is armed until it runs.
    expect(deferred.pending).toBe(1);
    deferred.run();
    await second.advance(100);
    expect(entry.expiredAt).toBeUndefined();
    await first.advance(100);
    expect(entry.expiredAt).toBe(first.monotonic());
  });
});

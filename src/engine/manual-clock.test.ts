import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';

describe('ManualClock', () => {
  it('fires sleeps at their own time, in order, only when advanced', async () => {
    const clock = new ManualClock(1000);
    const fired: Array<[string, number]> = [];
    void clock.sleep(300).then(() => fired.push(['late', clock.now()]));
    void clock.sleep(100).then(() => fired.push(['early', clock.now()]));
    // Sleeps are on the monotonic reading, which starts at 0 whatever the wall clock says.
    expect(clock.deadlines).toEqual([100, 300]);
    await clock.advance(99);
    expect(fired).toEqual([]);
    await clock.advance(301);
    expect(fired).toEqual([
      ['early', 1100],
      ['late', 1300],
    ]);
    expect(clock.now()).toBe(1400);
    expect(clock.monotonic()).toBe(400);
    expect(clock.pendingTimers).toBe(0);
  });

  it('jumps the wall clock alone, either way, firing no sleep', async () => {
    const clock = new ManualClock(1000);
    const fired: number[] = [];
    void clock.sleep(100).then(() => fired.push(clock.monotonic()));
    clock.jumpWall(3_600_000);
    await clock.advance(0);
    expect(fired).toEqual([]);
    expect([clock.now(), clock.monotonic()]).toEqual([3_601_000, 0]);
    clock.jumpWall(-7_200_000);
    await clock.advance(100);
    expect(fired).toEqual([100]);
    expect([clock.now(), clock.monotonic()]).toEqual([-3_598_900, 100]);
  });

  it('fires a sleep scheduled by a timer that fires within the same advance', async () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    void clock.sleep(10).then(async () => {
      await clock.sleep(10);
      fired.push(clock.now());
    });
    await clock.advance(25);
    expect(fired).toEqual([20]);
  });

  it('rejects with the signal reason on abort and forgets the timer', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
    await expect(clock.sleep(5, controller.signal)).rejects.toThrow('stop');
  });
});

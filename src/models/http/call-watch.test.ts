import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/manual-clock.js';
import { CallWatch, type Watchdog } from './call-watch.js';
import { LateAnswerError } from './late-answer.js';

const timeouts = { streamIdleTimeoutMs: 1_000, callTimeoutMs: 10_000 };

function watched(watch: CallWatch): { dog: Watchdog; failed: () => Error | undefined } {
  const dog = watch.start(timeouts);
  let failed: Error | undefined;
  dog.onExpiry((error) => (failed = error));
  return { dog, failed: () => failed };
}

describe('CallWatch', () => {
  it('watches every call in flight with one sleep, to the nearest deadline', async () => {
    const clock = new ManualClock();
    const watch = new CallWatch(clock);
    const start = clock.monotonic();
    const calls = Array.from({ length: 100 }, () => watched(watch));
    expect(clock.deadlines).toEqual([start + 10_000]);
    await clock.advance(500);
    for (const { dog } of calls) dog.activity();
    // The first bytes brought the idle deadline in: still one sleep.
    expect(clock.deadlines).toEqual([start + 1_500]);
    for (const { dog } of calls) dog.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('fails a silent call at its idle deadline, not before, and not a call that spoke since', async () => {
    const clock = new ManualClock();
    const watch = new CallWatch(clock);
    const quiet = watched(watch);
    const talking = watched(watch);
    quiet.dog.activity();
    talking.dog.activity();
    await clock.advance(600);
    talking.dog.activity();
    await clock.advance(399);
    expect(quiet.failed()).toBeUndefined();
    await clock.advance(1);
    expect(quiet.failed()).toBeInstanceOf(LateAnswerError);
    expect(quiet.failed()?.message).toMatch(/no data for 1000 ms/);
    expect(talking.failed()).toBeUndefined();
    // The talking call's own idle deadline: 600 + 1,000 ms after the start.
    await clock.advance(599);
    expect(talking.failed()).toBeUndefined();
    await clock.advance(1);
    expect(talking.failed()).toBeInstanceOf(LateAnswerError);
    expect(clock.pendingTimers).toBe(0);
  });

  it('judges its limits by monotonic time: a jump of the wall clock neither fails a call nor stretches a limit', async () => {
    const clock = new ManualClock();
    const watch = new CallWatch(clock);
    const first = watched(watch);
    const second = watched(watch);
    first.dog.activity();
    await clock.advance(500);
    second.dog.activity();
    // The machine slept for an hour: the wall clock moved, the monotonic one did not.
    clock.jumpWall(3_600_000);
    await clock.advance(500);
    expect(first.failed()?.message).toMatch(/no data for 1000 ms/);
    expect(second.failed()).toBeUndefined();
    // NTP steps the clock two hours back: the second call's idle limit still ends 1,000 ms after its bytes.
    clock.jumpWall(-7_200_000);
    await clock.advance(499);
    expect(second.failed()).toBeUndefined();
    await clock.advance(1);
    expect(second.failed()?.message).toMatch(/no data for 1000 ms/);
    // The call limit too: 10,000 ms from its start, whatever the wall clock did.
    const waiting = watched(watch);
    clock.jumpWall(3_600_000);
    await clock.advance(9_999);
    expect(waiting.failed()).toBeUndefined();
    await clock.advance(1);
    expect(waiting.failed()?.message).toMatch(/within 10000 ms/);
  });

  it('fails a call whose answer never starts at the call deadline only', async () => {
    const clock = new ManualClock();
    const watch = new CallWatch(clock);
    const waiting = watched(watch);
    await clock.advance(9_999);
    expect(waiting.failed()).toBeUndefined();
    await clock.advance(1);
    expect(waiting.failed()?.message).toMatch(/within 10000 ms/);
  });
});

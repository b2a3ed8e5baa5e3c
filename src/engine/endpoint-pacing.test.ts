import { describe, expect, it } from 'vitest';
import { SlidingMinute, StatedBucket } from './endpoint-pacing.js';

describe('StatedBucket', () => {
  it('refills at the stated limit per minute up to what the reset implies, and each start takes from it', () => {
    const bucket = new StatedBucket();
    // 600 a minute is 10 a second; 0 left, full again in 1 s (+1 s of header precision): 20 at most.
    bucket.update({ limit: 600, remaining: 0, resetAt: 1000 }, 0, 0);
    expect(bucket.msUntil(1, 0)).toBe(100);
    expect(bucket.level(500)).toBe(5);
    bucket.take(1, 500);
    expect(bucket.level(500)).toBe(4);
    expect(bucket.level(60_000)).toBe(20);
  });

  it('still refills a call when the reset time is already past (whole-second reset times)', () => {
    const bucket = new StatedBucket();
    bucket.update({ limit: 60, remaining: 0, resetAt: 0 }, 500, 500);
    expect(bucket.msUntil(1, 500)).toBe(1000);
    expect(bucket.msUntil(1, 1500)).toBe(0);
  });

  it('without a stated limit, waits for the reset time when empty', () => {
    const bucket = new StatedBucket();
    bucket.update({ remaining: 0, resetAt: 3000 }, 0, 0);
    expect(bucket.msUntil(1, 0)).toBe(3000);
    expect(bucket.msUntil(1, 3000)).toBe(0);
  });

  it("reads the server's reset time against the wall clock and keeps its own times monotonic", () => {
    const bucket = new StatedBucket();
    // Received at monotonic 50, when the wall clock said 1_700_000_000_000: the reset is 3 s away.
    bucket.update({ remaining: 0, resetAt: 1_700_000_003_000 }, 50, 1_700_000_000_000);
    expect(bucket.msUntil(1, 50)).toBe(3000);
    expect(bucket.msUntil(1, 3049)).toBe(1);
    expect(bucket.msUntil(1, 3050)).toBe(0);
  });
});

describe('SlidingMinute', () => {
  it('sums the last 60 seconds and says when room for an amount opens', () => {
    const minute = new SlidingMinute();
    minute.add(40, 0);
    minute.add(40, 10_000);
    expect(minute.sum(59_999)).toBe(80);
    expect(minute.msUntilRoom(30, 100, 20_000)).toBe(40_000);
    expect(minute.msUntilRoom(20, 100, 20_000)).toBe(0);
    expect(minute.msUntilRoom(200, 100, 20_000)).toBe(Number.POSITIVE_INFINITY);
    expect(minute.sum(60_000)).toBe(40);
  });
});

import { describe, expect, it } from 'vitest';
import { formatUsd, timeoutReason, UsageMeter } from './caps.js';

describe('UsageMeter', () => {
  it('is reached at or over a cap, naming the cap and the figures, run caps prefixed with "run"', () => {
    const meter = new UsageMeter({ maxTurns: 3, maxTokens: 5000 }, 'run');
    meter.add(4000, 0);
    expect(meter.reached()).toBeUndefined();
    expect(meter.tokenRoom()).toBe(1000);
    meter.add(1000, 0);
    expect(meter.reached()).toBe('run maxTokens 5000 reached (5,000 tokens used)');
    meter.add(210, 0);
    expect(meter.reached()).toBe('run maxTurns 3 reached (3 model calls)');
    expect(meter.tokenRoom()).toBe(1);
  });

  it('counts cost against budgetUsd, and has no limits without caps', () => {
    const task = new UsageMeter({ budgetUsd: 0.5 }, 'task');
    task.add(10, 0.25);
    task.add(10, 0.2713);
    expect(task.reached()).toBe('budgetUsd $0.50 reached ($0.5213 spent)');
    const free = new UsageMeter({}, 'task');
    free.add(1e9, 1e9);
    expect(free.reached()).toBeUndefined();
    expect(free.tokenRoom()).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('cap messages', () => {
  it.each([
    [0.5, '$0.50'],
    [12, '$12.00'],
    [0.012, '$0.012'],
    [0.52134, '$0.5213'],
    [0.00001234, '$0.000012'],
    [0, '$0.00'],
  ])('formats %s as %s', (value, text) => {
    expect(formatUsd(value)).toBe(text);
  });

  it('says which time limit fired', () => {
    expect(timeoutReason('task', 300_000)).toBe('timeoutMs 300000 reached (300,000 ms elapsed)');
    expect(timeoutReason('run', 5000)).toBe('run timeoutMs 5000 reached (5,000 ms elapsed)');
  });
});

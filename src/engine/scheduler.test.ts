import { describe, expect, it } from 'vitest';
import type { DagEdge } from '../contracts/plan.js';
import { DagScheduler } from './scheduler.js';

function takeAll(scheduler: DagScheduler): number[] {
  const taken: number[] = [];
  for (let index = scheduler.take(); index !== undefined; index = scheduler.take()) taken.push(index);
  return taken;
}

describe('DagScheduler', () => {
  it('queues tasks without predecessors in plan order and hands out at most `limit`', () => {
    const scheduler = new DagScheduler(['a', 'b', 'c'], [], 2);
    expect(scheduler.start()).toEqual([0, 1, 2]);
    expect(takeAll(scheduler)).toEqual([0, 1]);
    expect(scheduler.running).toBe(2);
    expect(scheduler.settle(1, 'succeeded')).toEqual({ ready: [], skipped: [] });
    expect(takeAll(scheduler)).toEqual([2]);
  });

  it('releases a task when its own predecessors are done, with no level barrier', () => {
    const edges: DagEdge[] = [
      { from: 'a', to: 'b', kind: 'dependency' },
      { from: 'slow', to: 'z', kind: 'dependency' },
    ];
    const scheduler = new DagScheduler(['a', 'b', 'slow', 'z'], edges, 8);
    expect(scheduler.start()).toEqual([0, 2]);
    takeAll(scheduler);
    expect(scheduler.settle(0, 'succeeded').ready).toEqual([1]);
    expect(takeAll(scheduler)).toEqual([1]);
  });

  it('waits for every predecessor of a task with several', () => {
    const edges: DagEdge[] = [
      { from: 'a', to: 'c', kind: 'dependency' },
      { from: 'b', to: 'c', kind: 'conflict' },
    ];
    const scheduler = new DagScheduler(['a', 'b', 'c'], edges, 8);
    scheduler.start();
    takeAll(scheduler);
    expect(scheduler.settle(1, 'succeeded').ready).toEqual([]);
    expect(scheduler.settle(0, 'succeeded').ready).toEqual([2]);
  });

  it('skips dependents transitively when a dependency does not succeed, but runs conflict successors', () => {
    const edges: DagEdge[] = [
      { from: 'login', to: 'session', kind: 'dependency' },
      { from: 'session', to: 'profile', kind: 'dependency' },
      { from: 'session', to: 'docs', kind: 'conflict' },
    ];
    const scheduler = new DagScheduler(['login', 'session', 'profile', 'docs'], edges, 8);
    scheduler.start();
    takeAll(scheduler);
    const step = scheduler.settle(0, 'failed');
    expect(step.skipped).toEqual([
      { index: 1, reason: 'dependency login failed' },
      { index: 2, reason: 'dependency session was skipped' },
    ]);
    expect(step.ready).toEqual([3]);
    expect([1, 2].map((index) => scheduler.isDone(index))).toEqual([true, true]);
  });

  it('settles a queued task without freeing a slot it never had', () => {
    const scheduler = new DagScheduler(['a', 'b'], [], 1);
    scheduler.start();
    expect(takeAll(scheduler)).toEqual([0]);
    scheduler.settle(1, 'stopped');
    expect(scheduler.running).toBe(1);
    expect(takeAll(scheduler)).toEqual([]);
    scheduler.settle(0, 'succeeded');
    expect(scheduler.running).toBe(0);
    expect(scheduler.settle(0, 'succeeded')).toEqual({ ready: [], skipped: [] });
  });
});

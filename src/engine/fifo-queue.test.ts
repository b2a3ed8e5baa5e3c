import { describe, expect, it } from 'vitest';
import { FifoQueue } from './fifo-queue.js';

describe('FifoQueue', () => {
  it('gives entries back oldest first, peek leaving them in place', () => {
    const queue = new FifoQueue<string>();
    expect(queue.peek()).toBeUndefined();
    expect(queue.shift()).toBeUndefined();
    queue.push('a');
    queue.push('b');
    expect(queue.peek()).toBe('a');
    expect(queue.shift()).toBe('a');
    queue.push('c');
    expect([queue.shift(), queue.shift(), queue.shift()]).toEqual(['b', 'c', undefined]);
  });

  it('keeps order and every entry across the bulk drops of taken ones', () => {
    const queue = new FifoQueue<number>();
    for (let n = 0; n < 3000; n++) queue.push(n);
    const taken: number[] = [];
    for (let n = 0; n < 2500; n++) taken.push(queue.shift() as number);
    for (let n = 3000; n < 4000; n++) queue.push(n);
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) taken.push(next);
    expect(taken).toEqual(Array.from({ length: 4000 }, (_, n) => n));
  });
});

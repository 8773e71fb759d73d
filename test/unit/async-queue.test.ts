import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../../src/common/bus.js';

describe('AsyncQueue.direct', () => {
  it('hands values to take, in order and at once, only while a next() waits; the waiting next() stays pending', async () => {
    const queue = new AsyncQueue<number>();
    const taken: number[] = [];
    queue.direct((value) => (taken.push(value), true));
    // Nobody waits: buffered, not handed over.
    queue.push(1);
    expect(taken).toEqual([]);
    expect(await queue.next()).toEqual({ value: 1, done: false });
    let settled = false;
    const waiting = queue.next().then((result) => ((settled = true), result));
    queue.push(2);
    queue.push(3);
    expect(taken).toEqual([2, 3]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    await queue.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    queue.push(4);
    expect(taken).toEqual([2, 3]);
  });

  it('a value take refuses goes to the waiting next(); later ones are buffered behind it, never ahead', async () => {
    const queue = new AsyncQueue<number>();
    const taken: number[] = [];
    queue.direct((value) => value !== 2 && (taken.push(value), true));
    const first = queue.next();
    queue.push(1);
    queue.push(2);
    // 2 resolved the waiting next(); nobody waits now, so 3 is buffered after it.
    queue.push(3);
    expect(taken).toEqual([1]);
    expect(await first).toEqual({ value: 2, done: false });
    expect(await queue.next()).toEqual({ value: 3, done: false });
    queue.direct(null);
    const next = queue.next();
    queue.push(5);
    expect(await next).toEqual({ value: 5, done: false });
    expect(taken).toEqual([1]);
  });
});

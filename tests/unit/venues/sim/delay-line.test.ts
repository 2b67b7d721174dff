import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../../engine/core/clock.ts';
import { DelayLine } from '../../../../engine/venues/sim/delay-line.ts';

describe('DelayLine', () => {
  it('delivers after the delay, in order, never overtaking, with the values it was given', () => {
    const clock = new SimClock(0);
    const line = new DelayLine(clock);
    const got: string[] = [];
    const note = (a: string, b: number, c: boolean): void => {
      got.push(`${a}${b}${c ? '!' : ''}@${clock.now()}`);
    };
    line.push(10, note, 'a', 1, false);
    line.push(2, note, 'b', 2, true); // shorter delay, but queued behind a
    clock.advance(9);
    expect(got).toEqual([]);
    expect(line.pending()).toBe(2);
    clock.advance(1);
    expect(got).toEqual(['a1@10', 'b2!@10']);
    // A delivery that queues another message: it goes out on its own delay.
    line.push(0, () => {
      line.push(5, note, 'c', 3, false);
    });
    clock.advance(0);
    clock.advance(5);
    expect(got).toEqual(['a1@10', 'b2!@10', 'c3@15']);
    expect(line.pending()).toBe(0);
  });

  it('keeps order across thousands of messages and refills after draining, and clear drops the rest', () => {
    const clock = new SimClock(0);
    const line = new DelayLine(clock);
    const got: number[] = [];
    const take = (n: number): void => {
      got.push(n);
    };
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 3000; i++) line.push(i < 2000 ? 0 : 5, take, round * 3000 + i);
      expect(line.pending()).toBe(3000);
      clock.advance(1);
      // The first 2000 are out; the rest were moved to the front of the queue and still wait.
      expect(line.pending()).toBe(1000);
      clock.advance(10);
    }
    expect(got).toEqual(Array.from({ length: 9000 }, (_, i) => i));
    line.push(5, take, -1);
    line.clear();
    clock.advance(10);
    expect(got).toHaveLength(9000);
    expect(line.pending()).toBe(0);
  });
});

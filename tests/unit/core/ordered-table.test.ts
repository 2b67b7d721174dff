import { describe, expect, it } from 'vitest';
import { OrderedTable } from '../../../engine/core/ordered-table.ts';
import { Rng } from '../../../engine/core/random.ts';

describe('OrderedTable', () => {
  it('sets, gets, replaces and deletes, and lists values in insertion order', () => {
    const t = new OrderedTable<string, number>();
    t.set('b-1', 1).set('b-2', 2).set('b-3', 3);
    expect(t.get('b-2')).toBe(2);
    expect(t.has('b-4')).toBe(false);
    t.set('b-2', 20);
    expect(t.values()).toEqual([1, 20, 3]);
    expect(t.delete('b-1')).toBe(true);
    expect(t.delete('b-1')).toBe(false);
    expect(t.get('b-1')).toBeUndefined();
    t.set('b-1', 100);
    expect(t.values()).toEqual([20, 3, 100]);
    expect(t.size).toBe(3);
  });

  it('takes number keys, negative and beyond 32 bits included', () => {
    const t = new OrderedTable<number, string>();
    const keys = [0, 1, -1, 2 ** 32, 2 ** 32 + 1, 2 ** 40, Number.MAX_SAFE_INTEGER];
    for (const k of keys) t.set(k, `v${k}`);
    for (const k of keys) expect(t.get(k)).toBe(`v${k}`);
    expect(t.get(2)).toBeUndefined();
    expect(t.delete(2 ** 32)).toBe(true);
    expect(t.has(0) && t.has(2 ** 32 + 1) && !t.has(2 ** 32)).toBe(true);
  });

  it('hands out a copy: changing the table while walking its values is safe', () => {
    const t = new OrderedTable<string, number>(2);
    for (let i = 0; i < 20; i++) t.set(`k${i}`, i);
    const seen: number[] = [];
    for (const v of t.values()) {
      seen.push(v);
      t.delete(`k${v}`);
      t.set(`n${v}`, v + 100);
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(t.values()).toEqual(Array.from({ length: 20 }, (_, i) => i + 100));
  });

  it('shares one snapshot until the table changes, and a change leaves a handed-out snapshot as it was', () => {
    const t = new OrderedTable<string, number>(2);
    t.set('a', 1).set('b', 2);
    const first = t.snapshot();
    expect(first).toEqual([1, 2]);
    expect(t.snapshot()).toBe(first);
    t.set('b', 20);
    const second = t.snapshot();
    expect(second).not.toBe(first);
    expect(second).toEqual([1, 20]);
    const seen: number[] = [];
    for (const v of second) {
      seen.push(v);
      t.delete(v === 1 ? 'a' : 'b');
      t.set(`n${v}`, v + 100);
    }
    expect(seen).toEqual([1, 20]);
    expect(first).toEqual([1, 2]);
    expect(second).toEqual([1, 20]);
    expect(t.snapshot()).toEqual([101, 120]);
  });

  it('agrees with a built-in Map over long random churn, through compactions and growth', () => {
    const rng = new Rng(11);
    for (const live of [1, 3, 17, 200, 2000]) {
      const t = new OrderedTable<string, number>();
      const ref = new Map<string, number>();
      const universe = Array.from({ length: live * 2 + 3 }, (_, i) => `c-${(i * 7919).toString(36)}`);
      for (let step = 0; step < 20_000; step++) {
        const key = universe[rng.int(0, universe.length - 1)]!;
        const op = rng.int(0, 9);
        if (op < 4) {
          t.set(key, step);
          ref.set(key, step);
        } else if (op < 8) {
          expect(t.delete(key)).toBe(ref.delete(key));
        } else {
          expect(t.get(key)).toBe(ref.get(key));
          expect(t.has(key)).toBe(ref.has(key));
        }
        expect(t.size).toBe(ref.size);
      }
      expect(t.values()).toEqual([...ref.values()]);
    }
  });

  it('keeps its arrays under steady churn: compacted in place, grown only when the live set grows', () => {
    const t = new OrderedTable<number, number>(32);
    const storage = () => (t as unknown as { keys: unknown[] }).keys;
    for (let i = 0; i < 10; i++) t.set(i, i);
    const before = storage();
    // A working set of ten, replaced a hundred thousand times over.
    for (let i = 10; i < 100_000; i++) {
      t.delete(i - 10);
      t.set(i, i);
    }
    expect(storage()).toBe(before);
    expect(t.values()).toEqual(Array.from({ length: 10 }, (_, i) => 99_990 + i));
    for (let i = 0; i < 100; i++) t.set(-1 - i, i);
    expect(storage()).not.toBe(before);
    expect(t.size).toBe(110);
  });
});

import { describe, expect, it } from 'vitest';
import {
  carryForward,
  gridIndexOf,
  quoteColumn,
  reorder,
  reorderFloats,
  timeGrid,
  timeOrder,
} from '../../../renderer/src/review/series.ts';

describe('review: run columns for the charts', () => {
  it('puts floats in time order as a copy, or hands back the very array already in order', () => {
    const values = Float64Array.from([3.5, 1.25, NaN]);
    expect(reorderFloats(values, null)).toBe(values);
    const sorted = reorderFloats(values, Uint32Array.from([1, 0, 2]));
    expect(sorted).toBeInstanceOf(Float64Array);
    expect(Array.from(sorted)).toEqual([1.25, 3.5, NaN]);
    expect(Array.from(values)).toEqual([3.5, 1.25, NaN]);
  });

  it('builds one grid of the union of times, each once, in order', () => {
    expect([...timeGrid([1, 3, 5], [2, 3, 6], [])]).toEqual([1, 2, 3, 5, 6]);
    expect([...timeGrid([5, 1, 1])]).toEqual([1, 5]);
    expect(timeGrid()).toHaveLength(0);
  });

  it('carries the last sample forward onto the grid, NaN before the first', () => {
    const out = carryForward([0, 1, 2, 3, 4, 9], [1, 3, 3], Float64Array.from([10, 30, 31]));
    expect(Number.isNaN(out[0])).toBe(true);
    expect([...out.slice(1)]).toEqual([10, 10, 31, 31, 31]);
    expect(gridIndexOf([10, 20, 30], 25)).toBe(1);
    expect(gridIndexOf([10, 20, 30], 5)).toBe(0);
  });

  it('carries a quote side onto the grid, a withheld side flagged at its last price', () => {
    const q = quoteColumn([0, 1, 2, 3, 4, 5], [1, 2, 4], Float64Array.from([100, NaN, 101]));
    expect(Number.isNaN(q.value[0])).toBe(true);
    expect([...q.value.slice(1)]).toEqual([100, 100, 100, 101, 101]);
    expect([...q.off]).toEqual([0, 0, 1, 1, 0, 0]);
    // Withheld from the start: nothing to draw until the first price.
    const late = quoteColumn([0, 1], [0, 1], Float64Array.from([NaN, 5]));
    expect(Number.isNaN(late.value[0])).toBe(true);
    expect([...late.off]).toEqual([0, 0]);
  });

  it('orders columns that are out of time order, stably, and leaves ordered ones alone', () => {
    expect(timeOrder([1, 2, 2, 3])).toBeNull();
    const order = timeOrder([3, 1, 2, 1]);
    expect(order && [...order]).toEqual([1, 3, 2, 0]);
    expect(Array.from(reorder(['a', 'b', 'c', 'd'], order))).toEqual(['b', 'd', 'c', 'a']);
    const same = ['x'];
    expect(reorder(same, null)).toBe(same);
  });
});

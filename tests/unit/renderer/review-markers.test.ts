import { describe, expect, it } from 'vitest';
import {
  fillsInRange,
  indexAtOrBefore,
  lowerBound,
  MARKER_CAP,
  markerOffset,
  markerStyle,
  markerPlan,
  planHolds,
  planIndices,
  pow2ceil,
} from '../../../renderer/src/review/markers.ts';

const CAP = 2000;

describe('review: fill markers', () => {
  const ts = [10, 20, 20, 30, 40];

  it('finds the fills of a time range by binary search, ends included', () => {
    expect(lowerBound(ts, 20)).toBe(1);
    expect(indexAtOrBefore(ts, 20)).toBe(2);
    expect(indexAtOrBefore(ts, 5)).toBe(-1);
    expect(fillsInRange(ts, 20, 30)).toEqual({ from: 1, to: 4 });
    expect(fillsInRange(ts, 11, 19)).toEqual({ from: 1, to: 1 });
    expect(fillsInRange(ts, 0, 1000)).toEqual({ from: 0, to: 5 });
    expect(fillsInRange(ts, 30, 20)).toEqual({ from: 0, to: 0 });
  });

  it('gives the chart the visible fills and half as many each side, every stride-th, under the cap', () => {
    const plan = markerPlan(40_000, 60_000, 100_000, CAP);
    expect(plan).toEqual({ from: 30_000, to: 70_000, stride: 32 });
    const idx = planIndices(plan);
    expect(idx.length).toBeLessThanOrEqual(CAP);
    expect(MARKER_CAP).toBeLessThanOrEqual(2000);
    expect(idx[0]).toBe(30_016);
    expect(idx.every((v) => v % 32 === 0)).toBe(true);
    expect(planIndices(markerPlan(3, 7, 10, 100))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('keeps the same fills while a pan stays inside them, so none flickers, and re-plans past them', () => {
    const plan = markerPlan(40_000, 60_000, 100_000, CAP);
    expect(planHolds(plan, 35_000, 55_000, 100_000, CAP)).toBe(true);
    expect(planHolds(plan, 25_000, 45_000, 100_000, CAP)).toBe(false);
    // Zoomed far in: a finer stride would show more.
    expect(planHolds(plan, 50_000, 50_100, 100_000, CAP)).toBe(false);
    // At the ends of the run.
    const all = markerPlan(0, 100_000, 100_000, CAP);
    expect(planHolds(all, 0, 100_000, 100_000, CAP)).toBe(true);
    // Overlapping pans shift the range but keep the stride grid: the fills in both are the same.
    const next = markerPlan(45_000, 65_000, 100_000, CAP);
    const a = new Set(planIndices(plan));
    expect(
      planIndices(next)
        .filter((i) => i < 70_000)
        .every((i) => a.has(i)),
    ).toBe(true);
  });

  it('always draws the selected fill, in order', () => {
    const idx = planIndices(markerPlan(0, 100_000, 100_000, 100), [12_345, 500_000]);
    expect(idx).toContain(12_345);
    expect(idx).not.toContain(500_000);
    expect(idx.length).toBeLessThanOrEqual(101);
    expect(idx.every((v, i) => i === 0 || v > idx[i - 1]!)).toBe(true);
    expect(pow2ceil(3)).toBe(4);
    expect(pow2ceil(0.5)).toBe(1);
  });

  it('draws buys under the price pointing up and sells over it pointing down, the cause as the shape', () => {
    expect(markerStyle('buy', 'trade')).toMatchObject({ shape: 'arrowUp', position: 'atPriceBottom' });
    expect(markerStyle('sell', 'trade')).toMatchObject({ shape: 'arrowDown', position: 'atPriceTop' });
    expect(markerStyle('buy', 'cross').shape).toBe('square');
    expect(markerStyle('sell', 'taker')).toMatchObject({ shape: 'circle', position: 'atPriceTop' });
    expect(markerStyle('buy', 'trade-through').color).not.toBe(markerStyle('buy', 'trade').color);
    expect(markerStyle('buy', 'trade').color).not.toBe(markerStyle('sell', 'trade').color);
    expect(markerStyle('sell', null).shape).toBe('arrowDown');
  });

  it('puts a marker centre half its height from its price, as lightweight-charts sizes it', () => {
    expect(markerOffset(6)).toBe(5); // clamped to 12 -> odd 11 -> even 10
    expect(markerOffset(20)).toBe(9); // 19 odd -> 18 even
    expect(markerOffset(100)).toBe(14); // clamped to 30 -> 29 -> 28
    expect(markerOffset(6, 2)).toBe(10);
  });
});

import { describe, expect, it } from 'vitest';
import {
  chooseLevel,
  pointAtOrBefore,
  pointSet,
  positionAt,
  pow2floor,
  timeAt,
  windowFor,
  windowHolds,
} from '../../../renderer/src/review/lod.ts';

describe('review: level of detail of the run charts', () => {
  it('keeps a level while it draws one to four points a pixel, else the power of two below', () => {
    expect(pow2floor(0.3)).toBe(1);
    expect(pow2floor(63.9)).toBe(32);
    expect(chooseLevel(1, 0.5)).toBe(1);
    expect(chooseLevel(1, 1.9)).toBe(1);
    expect(chooseLevel(1, 64)).toBe(64);
    expect(chooseLevel(64, 100)).toBe(64);
    expect(chooseLevel(64, 33)).toBe(64);
    expect(chooseLevel(64, 32)).toBe(32);
    expect(chooseLevel(64, 128)).toBe(128);
    expect(chooseLevel(8, Number.NaN)).toBe(8);
  });

  it('draws each bucket at its lowest and highest mid, in order; every point at level 1', () => {
    const mid = [5, 1, 9, 3, /**/ 2, 2, 2, 2, /**/ NaN, NaN, 7, 4, /**/ NaN, NaN];
    expect([...pointSet(mid, 1, 2, 5)]).toEqual([2, 3, 4]);
    expect([...pointSet(mid, 4, 0, 14)]).toEqual([1, 2, 4, 10, 11, 12]);
    expect(pointSet(mid, 4, 3, 3)).toHaveLength(0);
  });

  it('hands the charts a window of the visible span and as much again each side, on bucket bounds', () => {
    expect(windowFor(100, 200, 16, 10_000)).toEqual({ from: 0, to: 304 });
    expect(windowFor(1000, 1100, 16, 10_000)).toEqual({ from: 896, to: 1216 });
    expect(windowFor(9900, 9999, 16, 10_000)).toEqual({ from: 9792, to: 10_000 });
    const win = { from: 896, to: 1216 };
    expect(windowHolds(win, 1000, 1100, 10_000)).toBe(true);
    expect(windowHolds(win, 900, 1000, 10_000)).toBe(false);
    expect(windowHolds({ from: 0, to: 304 }, 0, 50, 10_000)).toBe(true);
  });

  it('maps times to fractional positions of the drawn points and back, past either end too', () => {
    const grid = [0, 10, 20, 30, 40, 50];
    const points = [0, 2, 3, 5]; // times 0, 20, 30, 50
    expect(positionAt(points, grid, 25)).toBe(1.5);
    expect(timeAt(points, grid, 1.5)).toBe(25);
    expect(positionAt(points, grid, 50)).toBe(3);
    const before = positionAt(points, grid, -50);
    expect(before).toBeLessThan(0);
    expect(timeAt(points, grid, before)).toBeCloseTo(-50);
    expect(timeAt(points, grid, positionAt(points, grid, 80))).toBeCloseTo(80);
    expect(pointAtOrBefore(points, 4)).toBe(2);
    expect(pointAtOrBefore(points, -1)).toBe(-1);
  });
});

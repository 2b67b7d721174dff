import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { EngineError } from '../../../engine/core/errors.ts';
import { buildQuotes, type QuoteParams } from '../../../engine/strategy/quote-builder.ts';
import { Overrides } from '../../../engine/strategy/overrides.ts';

const p: QuoteParams = {
  sizeLots: 10,
  levels: 1,
  levelSpacingTicks: 2,
  minSpreadTicks: 2,
  maxSpreadTicks: 100,
  postOnly: true,
  skewTicks: 0,
  maxPositionLots: 100,
};
const touch = { bestBid: 990, bestAsk: 1010 };

describe('quote builder', () => {
  it('rounds the bid down and the ask up', () => {
    const q = buildQuotes(995.9, 1004.1, p, touch, 0);
    expect(q.bid.levels).toEqual([{ price: 995, size: 10 }]);
    expect(q.ask.levels).toEqual([{ price: 1005, size: 10 }]);
  });

  it('widens to the minimum spread and narrows to the maximum', () => {
    const narrow = buildQuotes(1000.2, 1000.4, { ...p, minSpreadTicks: 6 }, touch, 0);
    expect(narrow.ask.levels[0]!.price - narrow.bid.levels[0]!.price).toBe(6);
    const wide = buildQuotes(
      900,
      1100,
      { ...p, maxSpreadTicks: 20 },
      { bestBid: undefined, bestAsk: undefined },
      0,
    );
    expect(wide.ask.levels[0]!.price - wide.bid.levels[0]!.price).toBe(20);
  });

  it('never crosses the touch when post-only', () => {
    const q = buildQuotes(1015, 1020, p, touch, 0);
    expect(q.bid.levels[0]!.price).toBe(1009);
    const r = buildQuotes(980, 985, p, touch, 0);
    expect(r.ask.levels[0]!.price).toBe(991);
  });

  it('lays levels behind the first and withholds the side that would pass the maximum position', () => {
    const q = buildQuotes(995, 1005, { ...p, levels: 3 }, touch, 0);
    expect(q.bid.levels.map((l) => l.price)).toEqual([995, 993, 991]);
    expect(q.ask.levels.map((l) => l.price)).toEqual([1005, 1007, 1009]);
    const full = buildQuotes(995, 1005, p, touch, 95);
    expect(full.bid.levels).toEqual([]);
    expect(full.bid.withheld).toBe('max_position');
    expect(full.ask.levels).toHaveLength(1);
  });

  it('raises a size below the venue minimum notional to the smallest that reaches it, per side', () => {
    // A minimum of 12,000 tick×lot units: the ask at 1005 needs 12 lots, the deepest bid (991) 13.
    const q = buildQuotes(995, 1005, { ...p, levels: 3, minNotionalUnits: 12_000 }, touch, 0);
    expect(q.bid.levels.map((l) => [l.price, l.size])).toEqual([
      [995, 13],
      [993, 13],
      [991, 13],
    ]);
    expect(q.ask.levels.map((l) => l.size)).toEqual([12, 12, 12]);
    for (const l of [...q.bid.levels, ...q.ask.levels])
      expect(l.price * l.size).toBeGreaterThanOrEqual(12_000);
    // A size already above the minimum is kept; the raised size counts against the position limit.
    expect(buildQuotes(995, 1005, { ...p, minNotionalUnits: 5_000 }, touch, 0).bid.levels[0]!.size).toBe(10);
    const near = buildQuotes(995, 1005, { ...p, minNotionalUnits: 12_000 }, touch, 90);
    expect([near.bid.withheld, near.ask.levels[0]!.size]).toEqual(['max_position', 12]);
  });

  it('applies skew and pins', () => {
    const q = buildQuotes(995, 1005, { ...p, skewTicks: -3 }, touch, 0);
    expect([q.bid.levels[0]!.price, q.ask.levels[0]!.price]).toEqual([992, 1002]);
    const pinned = buildQuotes(995, 1005, { ...p, pinBid: 999 }, touch, 0);
    expect(pinned.bid.levels[0]!.price).toBe(999);
  });
});

describe('overrides', () => {
  const make = () => new Overrides(new SimClock(5000), { maxPositionLots: 100, minLots: 1, maxLevels: 5 });

  it('records every change with its time and clears back to the model', () => {
    const o = make();
    o.set({ gamma: 0.2, skewTicks: -2 }, { gamma: '0.2' });
    expect(o.values()).toEqual({ gamma: 0.2, skewTicks: -2 });
    o.clear(['gamma']);
    expect(o.values()).toEqual({ skewTicks: -2 });
    o.pause('bid');
    expect(o.pausedSides()).toEqual({ bid: true, ask: false });
    o.resume('both');
    expect(o.pausedSides()).toEqual({ bid: false, ask: false });
    expect(o.history().map((h) => [h.field, h.value, h.at])).toEqual([
      ['gamma', '0.2', 5000],
      ['skewTicks', '-2', 5000],
      ['gamma', 'cleared', 5000],
      ['pause', 'paused bid', 5000],
      ['pause', 'resumed both', 5000],
    ]);
  });

  it('refuses every bad value as a whole and keeps the previous overrides', () => {
    const o = make();
    o.set({ kappa: 1, pinAsk: 500 });
    const bad = [
      { gamma: 0 },
      { gamma: Number.NaN },
      { kappa: -1 },
      { sizeLots: 0 },
      { levels: 6 },
      { minSpreadTicks: 1.5 },
      { maxPositionLots: 101 },
      { pinBid: 500 },
      { gamma: 0.1, levels: 0 },
      { sizeLots: 50, maxPositionLots: 40 },
    ];
    for (const v of bad) {
      expect(() => o.set(v), JSON.stringify(v)).toThrow(EngineError);
      expect(o.values()).toEqual({ kappa: 1, pinAsk: 500 });
    }
    expect(o.history()).toHaveLength(2);
  });
});

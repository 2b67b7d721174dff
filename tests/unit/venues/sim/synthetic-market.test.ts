import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../../engine/core/clock.ts';
import { Rng } from '../../../../engine/core/random.ts';
import { Ledger } from '../../../../engine/venues/sim/ledger.ts';
import { MatchingEngine } from '../../../../engine/venues/sim/matching-engine.ts';
import type { SyntheticMarketConfig } from '../../../../engine/venues/sim/synthetic-market.ts';
import { SyntheticMarket } from '../../../../engine/venues/sim/synthetic-market.ts';
import { Recorder, testInstrument } from './helpers.ts';

function build(seed: number, config: Partial<SyntheticMarketConfig> = {}) {
  const clock = new SimClock();
  const ledger = new Ledger();
  const engine = new MatchingEngine(testInstrument(), ledger);
  const rec = new Recorder();
  const market = new SyntheticMarket({
    engine,
    ledger,
    clock,
    rng: new Rng(seed),
    config: { startPrice: 10_000, ...config },
    listener: rec,
  });
  return { clock, engine, market, rec };
}

function tape(seed: number, seconds: number): string[] {
  const { clock, market, rec } = build(seed);
  market.start();
  clock.advance(seconds * 1000);
  return rec.fills.map((f) => `${f.price}:${f.lots}:${f.makerSide}`);
}

describe('SyntheticMarket', () => {
  it('gives the same tape for the same seed and a different one for another seed', () => {
    const a = tape(11, 20);
    const b = tape(11, 20);
    const c = tape(12, 20);
    expect(a.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('builds a two-sided book of tens of levels that follows the fair price', () => {
    const { clock, engine, market, rec } = build(5, { volatility: 1e-4 });
    market.start();
    for (let s = 1; s <= 60; s++) {
      clock.advance(1000);
      const bid = engine.bestBid()!;
      const ask = engine.bestAsk()!;
      expect(bid).toBeLessThan(ask);
      expect(engine.levelCount('buy')).toBeGreaterThanOrEqual(15);
      expect(engine.levelCount('sell')).toBeGreaterThanOrEqual(15);
      // The touch stays near the fair price even as it wanders.
      expect(Math.abs((bid + ask) / 2 - market.fairPrice())).toBeLessThan(60);
    }
    const makerSides = new Set(rec.fills.map((f) => f.makerSide));
    expect(makerSides).toEqual(new Set(['buy', 'sell']));
    expect(Math.abs(market.fairPrice() - 10_000)).toBeGreaterThan(0);
  });

  it('moves the fair price with the configured volatility', () => {
    const vol = 5e-4;
    const { clock, market } = build(9, { volatility: vol, limitRate: 0, marketRate: 0 });
    market.start();
    const logs: number[] = [Math.log(market.fairPrice())];
    for (let i = 0; i < 4000; i++) {
      clock.advance(50);
      logs.push(Math.log(market.fairPrice()));
    }
    let ss = 0;
    for (let i = 1; i < logs.length; i++) ss += (logs[i]! - logs[i - 1]!) ** 2;
    const perSqrtSecond = Math.sqrt(ss / (logs.length - 1) / 0.05);
    expect(perSqrtSecond).toBeGreaterThan(vol * 0.9);
    expect(perSqrtSecond).toBeLessThan(vol * 1.1);

    const flat = build(9, { volatility: 0 });
    flat.market.start();
    flat.clock.advance(5000);
    expect(flat.market.fairPrice()).toBeCloseTo(10_000, 6);
  });

  it('scales trading with the configured intensity', () => {
    const slow = build(3, { marketRate: 2 });
    const fast = build(3, { marketRate: 20 });
    slow.market.start();
    fast.market.start();
    slow.clock.advance(30_000);
    fast.clock.advance(30_000);
    expect(fast.rec.fills.length).toBeGreaterThan(2 * slow.rec.fills.length);
  });

  it('acts only when the clock moves, and not after stop', () => {
    const { clock, market, rec } = build(4);
    market.start();
    const seeded = market.backgroundOrders();
    expect(seeded).toBeGreaterThan(100);
    expect(rec.fills).toHaveLength(0);
    clock.advance(2000);
    const steps = market.stepCount();
    expect(steps).toBe(40);
    market.stop();
    clock.advance(2000);
    expect(market.stepCount()).toBe(steps);
    expect(market.running()).toBe(false);
  });

  it('refuses a nonsensical configuration', () => {
    expect(() => build(1, { stepMs: 0 })).toThrow(RangeError);
    expect(() => build(1, { volatility: -1 })).toThrow(RangeError);
    expect(() => build(1, { iocShare: 2 })).toThrow(RangeError);
  });
});

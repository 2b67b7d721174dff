import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../engine/core/decimal.ts';
import { defineInstrument, type Lots, type Ticks } from '../../../engine/core/instrument.ts';
import { Rng } from '../../../engine/core/random.ts';
import { Portfolio, rebuildPortfolio } from '../../../engine/portfolio/portfolio.ts';
import type { Fill } from '../../../engine/venues/venue.ts';

const inst = defineInstrument({
  symbol: 'X',
  base: 'B',
  quote: 'Q',
  tickSize: '1',
  lotSize: '1',
  minSize: '1',
  minNotional: '0',
  makerFee: '0',
  takerFee: '0',
});
let n = 0;
const fill = (side: 'buy' | 'sell', size: number, price: number, fee = '0'): Fill => ({
  type: 'fill',
  symbol: 'X',
  execId: `e${++n}`,
  clientId: 'c',
  venueOrderId: 'v',
  side,
  price: price as Ticks,
  size: size as Lots,
  fee,
  feeAsset: 'Q',
  liquidity: 'maker',
  ts: n,
});

describe('portfolio', () => {
  it('follows average entry and realised PnL through a reduction and a flip', () => {
    const p = new Portfolio(inst, '1000');
    p.apply(fill('buy', 2, 100, '0.2'));
    expect(p.positionLots()).toBe(2);
    expect(p.avgEntry()?.toFixed()).toBe('100');
    p.apply(fill('buy', 2, 110));
    expect(p.avgEntry()?.toFixed()).toBe('105');
    p.apply(fill('sell', 1, 120));
    expect(p.realized().toFixed()).toBe('15');
    expect(p.avgEntry()?.toFixed()).toBe('105');
    // Sell 5 from +3: close 3 at 90 (−45), open −2 at 90.
    p.apply(fill('sell', 5, 90, '0.5'));
    expect(p.positionLots()).toBe(-2);
    expect(p.realized().toFixed()).toBe('-30');
    expect(p.avgEntry()?.toFixed()).toBe('90');
    expect(p.unrealized(80).toFixed()).toBe('20');
    expect(p.fees().toFixed()).toBe('0.7');
    expect(p.equity(80).toFixed()).toBe('989.3');
    p.apply(fill('buy', 2, 95));
    expect(p.positionLots()).toBe(0);
    expect(p.avgEntry()).toBeNull();
    expect(p.unrealized(1234).toFixed()).toBe('0');
    expect(p.realized().toFixed()).toBe('-40');
  });

  it('ignores a repeated execution', () => {
    const p = new Portfolio(inst);
    const f = fill('buy', 3, 100);
    expect(p.apply(f)).toBe(true);
    expect(p.apply({ ...f })).toBe(false);
    expect(p.positionLots()).toBe(3);
  });

  it('refuses a malformed fee with its state intact, and converts a fee paid in the base asset', () => {
    const p = new Portfolio(inst, '100');
    const bad = { ...fill('buy', 2, 50), fee: '1e-3' };
    expect(() => p.apply(bad)).toThrow(/fee must be a plain decimal/);
    expect(() => p.apply({ ...bad, fee: '' })).toThrow(/fee/);
    expect(p.positionLots()).toBe(0);
    expect(p.fees().toFixed()).toBe('0');
    // The same execution with a proper fee is still applied: the refused one was not remembered.
    expect(p.apply({ ...bad, fee: '0.25' })).toBe(true);
    // The same fee text again (the parsed value is reused) still counts once per execution.
    expect(p.apply({ ...bad, execId: `${bad.execId}-2`, fee: '0.25' })).toBe(true);
    expect(() => p.apply({ ...bad, execId: `${bad.execId}-3`, fee: '0.2.5' })).toThrow(/fee/);
    expect(p.apply({ ...fill('buy', 1, 40, '0.5'), feeAsset: 'B' })).toBe(true);
    expect(p.fees().toFixed()).toBe('20.5');
    expect(p.equity(50).toFixed()).toBe('89.5');
  });

  it('rounds a released third of the cost once, so realised + unrealised stays exact', () => {
    const p = new Portfolio(inst);
    p.apply(fill('buy', 1, 100));
    p.apply(fill('buy', 2, 101));
    p.apply(fill('sell', 1, 110));
    // 302 / 3 = 100.666…, released rounded to 10 places.
    expect(p.realized().toFixed()).toBe('9.3333333333');
    expect(p.avgEntry()?.toFixed()).toBe('100.66666666665');
    expect(p.realized().plus(p.unrealized(110)).toFixed()).toBe('28');
  });

  it('realised + unrealised equals the cash-flow PnL on random fills', () => {
    const rng = new Rng(3);
    const fills: Fill[] = [];
    let cash = new Decimal(0);
    let pos = 0;
    for (let i = 0; i < 2000; i++) {
      const side = rng.bool() ? 'buy' : 'sell';
      const size = rng.int(1, 9);
      const price = rng.int(90, 110);
      fills.push(fill(side, size, price));
      cash = side === 'buy' ? cash.minus(size * price) : cash.plus(size * price);
      pos += side === 'buy' ? size : -size;
    }
    const p = rebuildPortfolio(inst, fills);
    const mark = 101;
    expect(p.positionLots()).toBe(pos);
    expect(p.realized().plus(p.unrealized(mark)).toFixed()).toBe(cash.plus(pos * mark).toFixed());
  });

  it('prints a rounded zero without a minus sign', () => {
    const tiny = defineInstrument({
      symbol: 'X',
      base: 'B',
      quote: 'Q',
      tickSize: '0.0001',
      lotSize: '0.001',
      minSize: '0.001',
      minNotional: '0',
      makerFee: '0',
      takerFee: '0',
    });
    const p = new Portfolio(tiny);
    p.apply({ ...fill('buy', 1, 10_001), symbol: 'X' });
    expect(p.snapshot(10_000).unrealized).toBe('0.0000');
  });

  it('prints its snapshot as the Decimal amounts round, on and off the half-tick grid', () => {
    const btc = defineInstrument({
      symbol: 'X',
      base: 'B',
      quote: 'Q',
      tickSize: '0.1',
      lotSize: '0.001',
      minSize: '0.001',
      minNotional: '0',
      makerFee: '0',
      takerFee: '0',
    });
    const rng = new Rng(77);
    const p = new Portfolio(btc, '2500.5');
    const fixed = (d: Decimal, places: number): string => {
      const r = d.toDecimalPlaces(places);
      return (r.isZero() ? new Decimal(0) : r).toFixed(places);
    };
    for (let i = 0; i < 400; i++) {
      const side = rng.bool() ? 'buy' : 'sell';
      const fee = `${rng.bool() ? '-' : ''}0.0${rng.int(0, 99_999)}`;
      p.apply({ ...fill(side, rng.int(1, 50), rng.int(600_000, 700_000), fee), symbol: 'X' });
      // A book price, a mid between two ticks, and a mark off the grid (the Decimal path).
      for (const mark of [rng.int(600_000, 700_000), rng.int(600_000, 700_000) + 0.5, 650_000.25]) {
        const s = p.snapshot(mark);
        expect(s.realized).toBe(fixed(p.realized(), 2));
        expect(s.fees).toBe(fixed(p.fees(), 4));
        expect(s.unrealized).toBe(fixed(p.unrealized(mark), 2));
        expect(s.equity).toBe(fixed(p.equity(mark), 2));
      }
    }
    expect(p.snapshot(undefined).equity).toBe(fixed(p.equity(undefined), 2));
  });
});

describe('Portfolio: funding and the venue’s position', () => {
  const funding = (execId: string, amount: string, asset = 'Q') => ({
    type: 'funding' as const,
    symbol: inst.symbol,
    execId,
    amount,
    asset,
    ts: 1,
  });

  it('takes each funding payment once, paid lowering equity and received raising it', () => {
    const p = new Portfolio(inst, '1000');
    expect(p.applyFunding(funding('f1', '1.25'))).toBe(true);
    expect(p.applyFunding(funding('f1', '1.25'))).toBe(false);
    expect(p.applyFunding(funding('f2', '-0.5'))).toBe(true);
    expect(p.funding().toFixed()).toBe('0.75');
    expect(p.equity(undefined).toFixed()).toBe('999.25');
  });

  it('refuses funding in another asset or of another symbol, and a malformed amount, unchanged', () => {
    const p = new Portfolio(inst, '1000');
    expect(p.applyFunding(funding('f1', '1', 'B'))).toBe(false);
    expect(p.applyFunding({ ...funding('f2', '1'), symbol: 'ETHUSDT' })).toBe(false);
    expect(() => p.applyFunding(funding('f3', 'one'))).toThrow();
    expect(p.applyFunding(funding('f3', '2'))).toBe(true);
    expect(p.funding().toFixed()).toBe('2');
  });

  it('adopts the venue’s position and cost basis, keeping realised PnL', () => {
    const p = new Portfolio(inst, '0');
    p.apply(fill('buy', 10, 1000));
    p.apply(fill('sell', 4, 1100));
    const realized = p.realized().toFixed();
    p.adoptPosition(-3, '55.5');
    expect(p.positionLots()).toBe(-3);
    expect(p.avgEntry()!.toFixed()).toBe('55.5');
    expect(p.realized().toFixed()).toBe(realized);
    p.adoptPosition(0, '0');
    expect(p.positionLots()).toBe(0);
    expect(p.avgEntry()).toBeNull();
  });
});

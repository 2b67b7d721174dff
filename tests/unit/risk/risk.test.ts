import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { Decimal } from '../../../engine/core/decimal.ts';
import { EngineError } from '../../../engine/core/errors.ts';
import { defineInstrument } from '../../../engine/core/instrument.ts';
import { validateLimits, type RiskLimits } from '../../../engine/risk/limits.ts';
import { DailyLossMonitor, DrawdownMonitor } from '../../../engine/risk/monitors.ts';
import { checkOrder, type RiskContext } from '../../../engine/risk/pre-trade.ts';
import { RateThrottle } from '../../../engine/risk/throttle.ts';
import { TradingStateMachine } from '../../../engine/risk/trading-state.ts';

const inst = defineInstrument({
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.10',
  lotSize: '0.001',
  minSize: '0.001',
  minNotional: '5',
  makerFee: '0',
  takerFee: '0',
});
const limits: RiskLimits = {
  maxOrderLots: 100,
  maxOrderNotional: new Decimal('6500'),
  maxPositionLots: 200,
  priceBand: 0.01,
  maxOpenOrders: 4,
  orderRateCount: 3,
  orderRateWindowMs: 1000,
  maxDrawdown: new Decimal('100'),
  dailyLossLimit: new Decimal('200'),
  staleFeedMs: 1000,
};
const ctx: RiskContext = {
  state: 'active',
  positionLots: 0,
  workingBuyLots: 0,
  workingSellLots: 0,
  openOrders: 0,
  mid: 650_000,
  accountRoomLots: Infinity,
  now: 0,
};
const check = (
  order: { side: 'buy' | 'sell'; price?: number; lots: number },
  c: Partial<RiskContext> = {},
  l: Partial<RiskLimits> = {},
) => checkOrder(inst, { ...limits, ...l }, new RateThrottle(1000, 1000), order, { ...ctx, ...c });

describe('pre-trade checks', () => {
  it('passes at each limit and refuses one past it', () => {
    expect(check({ side: 'buy', price: 650_000, lots: 100 })).toEqual({ ok: true });
    expect(check({ side: 'buy', price: 650_000, lots: 101 })).toMatchObject({
      ok: false,
      check: 'order_size',
    });
    // Notional: 100 lots at 65000 = 6500 exactly passes; 6500.1 does not.
    expect(check({ side: 'buy', price: 650_001, lots: 100 })).toMatchObject({
      ok: false,
      check: 'order_notional',
    });
    expect(
      check({ side: 'buy', price: 650_000, lots: 50 }, { positionLots: 100, workingBuyLots: 50 }),
    ).toEqual({ ok: true });
    expect(
      check({ side: 'buy', price: 650_000, lots: 51 }, { positionLots: 100, workingBuyLots: 50 }),
    ).toMatchObject({ ok: false, check: 'position' });
    expect(
      check({ side: 'sell', price: 650_000, lots: 50 }, { positionLots: -100, workingSellLots: 50 }),
    ).toEqual({ ok: true });
    expect(
      check({ side: 'sell', price: 650_000, lots: 51 }, { positionLots: -100, workingSellLots: 50 }),
    ).toMatchObject({ ok: false, check: 'position' });
    expect(check({ side: 'buy', price: 650_000, lots: 1 }, { openOrders: 3 })).toEqual({ ok: true });
    expect(check({ side: 'buy', price: 650_000, lots: 1 }, { openOrders: 4 })).toMatchObject({
      ok: false,
      check: 'open_orders',
    });
    expect(check({ side: 'buy', price: 656_500, lots: 1 })).toEqual({ ok: true });
    expect(check({ side: 'buy', price: 656_501, lots: 1 })).toMatchObject({ ok: false, check: 'price_band' });
  });

  it('refuses sub-minimum notional and bad lot counts', () => {
    expect(check({ side: 'buy', price: 650_000, lots: 0 })).toMatchObject({ ok: false, check: 'lot_size' });
    expect(check({ side: 'buy', price: 650_000, lots: 1.5 })).toMatchObject({ ok: false, check: 'lot_size' });
    expect(check({ side: 'buy', price: 40_000, lots: 1 }, { mid: 40_000 })).toMatchObject({
      ok: false,
      check: 'min_notional',
    });
  });

  it('allows only reducing orders when reducing and nothing when halted', () => {
    expect(
      check({ side: 'sell', price: 650_000, lots: 10 }, { state: 'reducing', positionLots: 10 }),
    ).toEqual({ ok: true });
    expect(
      check({ side: 'sell', price: 650_000, lots: 11 }, { state: 'reducing', positionLots: 10 }),
    ).toMatchObject({ check: 'trading_state' });
    expect(
      check({ side: 'buy', price: 650_000, lots: 1 }, { state: 'reducing', positionLots: 10 }),
    ).toMatchObject({ check: 'trading_state' });
    expect(
      check({ side: 'sell', price: 650_000, lots: 1 }, { state: 'halted', positionLots: 10 }),
    ).toMatchObject({ check: 'trading_state' });
  });

  it('throttles over a sliding window with bounded memory', () => {
    const t = new RateThrottle(3, 1000);
    expect([t.tryTake(0), t.tryTake(100), t.tryTake(200), t.tryTake(300)]).toEqual([true, true, true, false]);
    expect(t.used(999)).toBe(3);
    expect(t.tryTake(1000)).toBe(true);
    expect(t.used(1000)).toBe(3);
    expect(t.tryTake(1001)).toBe(false);
    expect(t.tryTake(1100)).toBe(true);
    expect(() => new RateThrottle(0, 1000)).toThrow();
    expect(() => new RateThrottle(3, 0)).toThrow();
    const refused = checkOrder(
      inst,
      limits,
      t,
      { side: 'buy', price: 650_000, lots: 1 },
      { ...ctx, now: 1100 },
    );
    expect(refused).toMatchObject({ ok: false, check: 'order_rate' });
  });

  it('validates limits, naming the bad field', () => {
    expect(() => validateLimits({ ...limits, orderRateWindowMs: 0 })).toThrow(/orderRateWindowMs/);
    expect(() => validateLimits({ ...limits, priceBand: 1.5 })).toThrow(/priceBand/);
    expect(() => validateLimits({ ...limits, maxDrawdown: new Decimal(0) })).toThrow(/maxDrawdown/);
    expect(() => validateLimits({ ...limits, maxOrderLots: Number.NaN })).toThrow(EngineError);
    expect(validateLimits(limits)).toBe(limits);
  });
});

describe('trading state and kill switch', () => {
  it('halts on kill, survives a restart through its state, and only a reset lifts it', () => {
    const clock = new SimClock(1000);
    const sm = new TradingStateMachine(clock);
    const changes: string[] = [];
    sm.onChange((c) => changes.push(`${c.from}->${c.to}`));
    sm.escalate('reducing', 'drawdown');
    sm.escalate('active', 'ignored: escalate never relaxes');
    expect(sm.state()).toBe('reducing');
    sm.engageKill('trader');
    expect(sm.state()).toBe('halted');
    const saved = JSON.parse(JSON.stringify(sm.killSwitch())) as ReturnType<typeof sm.killSwitch>;
    expect(saved).toEqual({ engaged: true, at: 1000, by: 'trader' });
    const restarted = new TradingStateMachine(clock, saved);
    expect(restarted.state()).toBe('halted');
    expect(restarted.killSwitch().engaged).toBe(true);
    restarted.reset();
    expect(restarted.state()).toBe('active');
    expect(restarted.killSwitch()).toEqual({ engaged: false, at: null, by: null });
    expect(changes).toEqual(['active->reducing', 'reducing->halted']);
  });
});

describe('limit monitors', () => {
  it('measures drawdown from the peak, including a peak of zero or below', () => {
    const dd = new DrawdownMonitor(new Decimal(100));
    expect(dd.update(new Decimal(0)).toFixed()).toBe('0');
    expect(dd.update(new Decimal(-60)).toFixed()).toBe('60');
    expect(dd.breached(new Decimal(60))).toBe(false);
    expect(dd.update(new Decimal(-100)).toFixed()).toBe('100');
    expect(dd.breached(new Decimal(100))).toBe(true);
    expect(dd.update(new Decimal(50)).toFixed()).toBe('0');
    expect(dd.update(new Decimal(-49.5)).toFixed()).toBe('99.5');
  });

  it('resets the daily loss at the UTC day boundary', () => {
    const dl = new DailyLossMonitor(new Decimal(200));
    const day = 86_400_000;
    expect(dl.update(day * 10 + 1, new Decimal(1000)).toFixed()).toBe('0');
    expect(dl.update(day * 10 + 5000, new Decimal(790)).toFixed()).toBe('210');
    expect(dl.breached(new Decimal(210))).toBe(true);
    expect(dl.update(day * 11, new Decimal(790)).toFixed()).toBe('0');
    expect(dl.update(day * 11 + 1, new Decimal(800)).toFixed()).toBe('0');
  });
});

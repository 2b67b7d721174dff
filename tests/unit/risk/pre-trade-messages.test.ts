import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../engine/core/decimal.ts';
import { defineInstrument, type Instrument } from '../../../engine/core/instrument.ts';
import type { RiskLimits } from '../../../engine/risk/limits.ts';
import {
  checkOrder,
  type OrderCandidate,
  type RiskContext,
  type RiskDecision,
} from '../../../engine/risk/pre-trade.ts';
import { RateThrottle } from '../../../engine/risk/throttle.ts';
import { DEFAULT_SIM_INSTRUMENT, SIM_ETH_INSTRUMENT } from '../../../engine/venues/sim/index.ts';

// Messages reach the trader: they speak in the instrument's units (BTC, USDT), never in lots or ticks.
const BTC = defineInstrument(DEFAULT_SIM_INSTRUMENT); // lot 0.001 BTC, tick 0.10 USDT
const ETH = defineInstrument(SIM_ETH_INSTRUMENT); // lot 0.01 ETH, tick 0.01 USDT

const limits: RiskLimits = {
  maxOrderLots: 200, // 0.2 BTC
  maxOrderNotional: new Decimal('100000'),
  maxPositionLots: 200,
  priceBand: 0.02,
  maxOpenOrders: 20,
  orderRateCount: 50,
  orderRateWindowMs: 1000,
  maxDrawdown: new Decimal('5000'),
  dailyLossLimit: new Decimal('10000'),
  staleFeedMs: 2000,
};
const ctx: RiskContext = {
  state: 'active',
  positionLots: 0,
  workingBuyLots: 0,
  workingSellLots: 0,
  openOrders: 0,
  mid: 650_000, // 65000.0 USDT
  accountRoomLots: Infinity,
  now: 0,
};

function refusal(
  order: OrderCandidate,
  change: Partial<RiskContext> = {},
  limitChange: Partial<RiskLimits> = {},
  inst: Instrument = BTC,
): { check: string; message: string } {
  const d: RiskDecision = checkOrder(
    inst,
    { ...limits, ...limitChange },
    new RateThrottle(limitChange.orderRateCount ?? 50, 1000),
    order,
    { ...ctx, ...change },
  );
  if (d.ok) throw new Error(`order ${JSON.stringify(order)} passed`);
  return { check: d.check, message: d.message };
}

const LOT_WORDS = /\blots?\b|\bticks?\b|lot limit/i;

describe('pre-trade messages in the instrument’s units', () => {
  it('prints a price band of 7% as 7%, with no binary fraction', () => {
    const r = refusal({ side: 'buy', price: 700_000, lots: 10 }, {}, { priceBand: 0.07 });
    expect(r.message).toBe('price 70000.00 USDT is more than 7% away from the mid 65000.00 USDT');
  });

  it('while reducing, refuses a sell that the working sells already leave nothing to reduce', () => {
    const d = checkOrder(
      BTC,
      limits,
      new RateThrottle(50, 1000),
      { side: 'sell', price: 650_000, lots: 10 },
      { ...ctx, state: 'reducing', positionLots: 10, workingSellLots: 10 },
    );
    expect(d).toMatchObject({ ok: false, check: 'trading_state' });
    const fits = checkOrder(
      BTC,
      limits,
      new RateThrottle(50, 1000),
      { side: 'sell', price: 650_000, lots: 5 },
      { ...ctx, state: 'reducing', positionLots: 10, workingSellLots: 5 },
    );
    expect(fits).toEqual({ ok: true });
  });

  it('an order of 1000 BTC against a 0.2 BTC limit', () => {
    const r = refusal({ side: 'buy', price: 650_000, lots: 1_000_000 });
    expect(r).toEqual({
      check: 'order_size',
      message: 'order of 1000.000 BTC exceeds the 0.200 BTC limit',
    });
    expect(r.message).not.toMatch(LOT_WORDS);
  });

  it('a size off the lot grid or below the minimum names the step and minimum in BTC', () => {
    for (const lots of [0, 1.5, -3, Number.NaN]) {
      expect(refusal({ side: 'sell', price: 650_000, lots })).toEqual({
        check: 'lot_size',
        message: 'size must be a multiple of 0.001 BTC, at least 0.001 BTC',
      });
    }
    const eth = refusal({ side: 'buy', price: 320_000, lots: 0 }, { mid: 320_000 }, {}, ETH);
    expect(eth.message).toBe('size must be a multiple of 0.01 ETH, at least 0.01 ETH');
  });

  it('the position limit, with working orders, in BTC', () => {
    const long = refusal(
      { side: 'buy', price: 650_000, lots: 60 },
      { positionLots: 150, workingBuyLots: 40 },
    );
    expect(long).toEqual({
      check: 'position',
      message: 'position with working orders would reach 0.250 BTC, the limit is 0.200 BTC',
    });
    const short = refusal(
      { side: 'sell', price: 650_000, lots: 10 },
      { positionLots: -150, workingSellLots: 41 },
    );
    expect(short.message).toBe('position with working orders would reach 0.201 BTC, the limit is 0.200 BTC');
    const room = refusal({ side: 'buy', price: 650_000, lots: 8 }, { accountRoomLots: 7 });
    expect(room.message).toBe('position with working orders would reach 0.008 BTC, the limit is 0.007 BTC');
  });

  it('the price band with prices in USDT on the instrument’s decimals', () => {
    // 2 % of 65000 is 1300: 66300.0 passes, 66300.1 does not.
    expect(
      checkOrder(BTC, limits, new RateThrottle(50, 1000), { side: 'buy', price: 663_000, lots: 10 }, ctx),
    ).toEqual({ ok: true });
    expect(refusal({ side: 'buy', price: 663_001, lots: 10 })).toEqual({
      check: 'price_band',
      message: 'price 66300.10 USDT is more than 2% away from the mid 65000.00 USDT',
    });
    const eth = refusal({ side: 'sell', price: 300_000, lots: 10 }, { mid: 320_000 }, {}, ETH);
    expect(eth.message).toBe('price 3000.00 USDT is more than 2% away from the mid 3200.00 USDT');
  });

  it('notional limits in USDT', () => {
    expect(
      refusal({ side: 'buy', price: 650_000, lots: 200 }, {}, { maxOrderNotional: new Decimal('10000') }),
    ).toEqual({ check: 'order_notional', message: 'notional 13000 USDT exceeds the 10000 USDT limit' });
    const small = refusal({ side: 'buy', price: 40_000, lots: 1 }, { mid: 40_000 });
    expect(small).toEqual({
      check: 'min_notional',
      message: 'notional 4 USDT is below the venue minimum 5 USDT',
    });
  });

  it('no refusal a trader can meet speaks in lots or ticks', () => {
    const messages = [
      refusal({ side: 'buy', price: 650_000, lots: 1_000_000 }),
      refusal({ side: 'buy', price: 650_000, lots: 0 }),
      refusal({ side: 'buy', price: 650_000, lots: 150 }, { positionLots: 100 }),
      refusal({ side: 'buy', price: 700_000, lots: 10 }),
      refusal({ side: 'buy', price: 650_000, lots: 200 }, {}, { maxOrderNotional: new Decimal('100') }),
      refusal({ side: 'buy', price: 40_000, lots: 1 }, { mid: 40_000 }),
      refusal({ side: 'buy', price: 650_000, lots: 10 }, { openOrders: 20 }),
      refusal({ side: 'buy', lots: 10 }, { mid: undefined }),
      refusal({ side: 'buy', price: 650_000, lots: 10 }, { mid: undefined }),
      refusal({ side: 'buy', price: 650_000, lots: 10 }, { state: 'halted' }),
      refusal({ side: 'buy', price: 650_000, lots: 10 }, { state: 'reducing' }),
      refusal({ side: 'buy', price: 650_000, lots: 10 }, { state: 'reconciling' }),
    ].map((r) => r.message);
    expect(new Set(messages).size).toBe(messages.length);
    for (const m of messages) expect(m).not.toMatch(LOT_WORDS);
    const throttle = new RateThrottle(1, 1000);
    const order = { side: 'buy' as const, price: 650_000, lots: 10 };
    expect(checkOrder(BTC, limits, throttle, order, ctx)).toEqual({ ok: true });
    expect(checkOrder(BTC, limits, throttle, order, ctx)).toEqual({
      ok: false,
      check: 'order_rate',
      message: 'more than 1 orders in 1000 ms',
    });
  });
});

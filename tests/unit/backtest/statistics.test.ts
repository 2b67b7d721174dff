import { describe, expect, it } from 'vitest';
import { StatisticsCollector, type BacktestStats } from '../../../engine/backtest/statistics.ts';
import { EventBus } from '../../../engine/core/bus.ts';
import { SimClock } from '../../../engine/core/clock.ts';
import { Decimal } from '../../../engine/core/decimal.ts';
import {
  defineInstrument,
  type Instrument,
  type InstrumentSpec,
  type Lots,
  type Side,
  type Ticks,
} from '../../../engine/core/instrument.ts';
import { Rng } from '../../../engine/core/random.ts';
import type { DomainEvents } from '../../../engine/events/domain-events.ts';
import type { Order, OrderOrigin } from '../../../engine/oms/order.ts';

const T0 = Date.UTC(2026, 0, 5, 9);

const spec = (over: Partial<InstrumentSpec> = {}): InstrumentSpec => ({
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.1',
  lotSize: '0.001',
  minSize: '0.001',
  minNotional: '0',
  makerFee: '0',
  takerFee: '0',
  ...over,
});
const BTC = defineInstrument(spec());
const ETH = defineInstrument(spec({ symbol: 'ETHUSDT', base: 'ETH' }));
/** Prices near 50,000 in ticks of 1e-8 and sizes in millions of lots: products far past 2^53. */
const BIG = defineInstrument(
  spec({ symbol: 'BIGUSDT', base: 'BIG', tickSize: '0.00000001', lotSize: '1', minSize: '1' }),
);

interface FillInput {
  side: Side;
  price: number;
  lots: number;
  fee?: string;
  feeAsset?: string;
  liquidity?: 'maker' | 'taker';
  order?: Order;
}

function setup(
  inst: Instrument = BTC,
  options: { startPosition?: number; startCash?: string; sampleMs?: number; decimalMid?: boolean } = {},
) {
  const clock = new SimClock(T0);
  const errors: unknown[] = [];
  // Subscribers' throws are swallowed by the bus: collected here so every test can see none happened.
  const bus = new EventBus<DomainEvents>((_topic, err) => errors.push(err));
  let mid: number | undefined;
  const common = {
    bus,
    clock,
    instrument: inst,
    ...(options.startPosition === undefined ? {} : { startPosition: options.startPosition as Lots }),
    ...(options.startCash === undefined ? {} : { startCash: options.startCash }),
    ...(options.sampleMs === undefined ? {} : { sampleMs: options.sampleMs }),
  };
  const stats = options.decimalMid
    ? new StatisticsCollector({
        ...common,
        midOf: () => (mid === undefined ? undefined : inst.tickSize.mul(mid)),
      })
    : new StatisticsCollector({ ...common, midTicks: () => mid });
  let exec = 0;
  const at = (ms: number): void => clock.advanceTo(T0 + ms);
  return {
    clock,
    bus,
    stats,
    errors,
    at,
    /** The book's mid becomes `ticks` (undefined: the book was reset) at `ms`. */
    book(ms: number, ticks: number | undefined, of: Instrument = inst): void {
      at(ms);
      mid = ticks;
      bus.publish('book.updated', { instrument: of, at: clock.now() });
    },
    fill(ms: number, f: FillInput, of: Instrument = inst): void {
      at(ms);
      bus.publish('fill.applied', {
        instrument: of,
        order: f.order,
        fill: {
          type: 'fill',
          symbol: of.symbol,
          execId: `x${++exec}`,
          clientId: f.order?.clientId ?? 'c',
          venueOrderId: 'v',
          side: f.side,
          price: f.price as Ticks,
          size: f.lots as Lots,
          fee: f.fee ?? '0',
          feeAsset: f.feeAsset ?? of.quote,
          liquidity: f.liquidity ?? 'maker',
          ts: clock.now(),
        },
      });
    },
    order(ms: number, order: Order, change: Partial<Order>, of: Instrument = inst): void {
      at(ms);
      Object.assign(order, change);
      bus.publish('order.changed', { instrument: of, order, at: clock.now() });
    },
    finish(ms: number): BacktestStats {
      at(ms);
      const s = stats.finish();
      expect(errors).toEqual([]);
      return s;
    },
  };
}

function newOrder(
  clientId: string,
  side: Side,
  price: number,
  size: number,
  origin: OrderOrigin = 'model',
): Order {
  return {
    clientId,
    venueOrderId: null,
    symbol: 'BTCUSDT',
    side,
    type: 'limit',
    tif: 'post_only',
    price: price as Ticks,
    size: size as Lots,
    filled: 0 as Lots,
    fillLots: 0,
    status: 'pending-new',
    origin,
    level: 0,
    decision: null,
    createdAt: 0,
    updatedAt: 0,
    lastUpdateSeq: 0,
    pendingAmend: null,
    cancelRevertTo: null,
    cancelUnconfirmed: false,
    cancelTries: 0,
    reason: null,
    needsReconcile: false,
  };
}

const d = (s: string | null): Decimal => new Decimal(s ?? 'NaN');

function expectIdentity(s: BacktestStats): void {
  expect(d(s.spread_capture).plus(d(s.inventory_pnl)).minus(d(s.fees)).eq(d(s.pnl_total))).toBe(true);
}

const MONEY = /^-?\d+(\.\d+)?$/;

/** Population mean / std and downside deviation, annualised, straight from the list. */
function ratios(changes: number[], sampleMs: number): { sharpe: number; sortino: number } {
  const n = changes.length;
  const mean = changes.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(changes.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const down = Math.sqrt(changes.reduce((a, b) => a + Math.min(b, 0) ** 2, 0) / n);
  const annual = Math.sqrt((365 * 86_400_000) / sampleMs);
  return { sharpe: (mean / std) * annual, sortino: (mean / down) * annual };
}

describe('StatisticsCollector', () => {
  it('splits PnL into spread capture, inventory and fees, and the parts add up to the change of equity', () => {
    const t = setup(BTC, { startCash: '1000' });
    t.book(0, 1001); // 100.1
    t.fill(100, { side: 'buy', price: 1000, lots: 2000, fee: '0.02' }); // 2 at 100.0
    t.book(500, 1002.5); // 100.25
    t.fill(700, { side: 'sell', price: 1004, lots: 1000, fee: '-0.01' }); // 1 at 100.4, a rebate
    t.book(1500, 999); // 99.9
    const s = t.finish(10_000);

    // Spread: 2 × (100.1 − 100.0) + 1 × (100.4 − 100.25) = 0.35. Inventory: 2 × 0.15 + 1 × (−0.35).
    expect(s.spread_capture).toBe('0.35');
    expect(s.inventory_pnl).toBe('-0.05');
    expect(s.fees).toBe('0.01');
    expect(s.pnl_total).toBe('0.29');
    expectIdentity(s);
    // Equity from cash and position: −200 + 100.4 − 0.01 + 1 × 99.9.
    const equity = new Decimal(1000).minus(200).plus('100.4').minus('0.01').plus('99.9');
    expect(d(s.equity_end).eq(equity)).toBe(true);
    expect(d(s.equity_end).minus(d(s.equity_start)).eq(d(s.pnl_total))).toBe(true);
    expect(s.equity_start).toBe('1000');

    expect([s.fills, s.buy_fills, s.sell_fills]).toEqual([2, 1, 1]);
    expect(s.maker_share).toBe(1);
    expect(s.turnover).toBe('300.4');
    expect(s.position_end).toBe('1');
    expect(s.inventory_max).toBe('2');
    // |position| 2 for 600 ms and 1 for 9300 ms of 10 s.
    expect(s.inventory_twa).toBe('1.05');
    // Equity 0 → 0.18 → 0.48 → 0.64 (peak) → 0.29.
    expect(s.max_drawdown).toBe('0.35');
    expect(s.pnl_vs_hold).toBe('0.29');
    expect(s.fills_without_mid).toBe(0);
    for (const k of ['pnl_total', 'spread_capture', 'inventory_pnl', 'fees', 'turnover'] as const)
      expect(s[k]).toMatch(MONEY);
  });

  it('marks out fills against the mid τ later, weighted by size, and leaves out those past the end', () => {
    const t = setup();
    t.book(0, 1001);
    t.fill(100, { side: 'buy', price: 1000, lots: 2000 });
    t.book(500, 1002.5);
    t.fill(700, { side: 'sell', price: 1004, lots: 1000 });
    t.book(1500, 999);
    const s = t.finish(10_000);
    // 1 s: the buy sees 100.25 (+0.25 × 2), the sell 99.9 (+0.5 × 1): 1 / 3 per unit.
    expect(s.markout_1s).toBe('0.3333333');
    // Against the mid at the fill: 0.15 × 2 and 0.35 × 1.
    expect(s.adverse_1s).toBe('0.2166667');
    // 5 s: both see 99.9: −0.1 × 2 + 0.5 × 1, and −0.2 × 2 + 0.35 × 1.
    expect(s.markout_5s).toBe('0.1');
    expect(s.adverse_5s).toBe('-0.0166667');
    expect(s.markout_30s).toBeNull();
    expect(s.adverse_60s).toBeNull();
    expect(s.markout_left_out).toEqual({ '1s': 0, '5s': 0, '30s': 2, '60s': 2 });
    expect(s.null_reasons.markout_30s).toMatch(/past the end/);
  });

  it('takes the mid in force at t+τ, events at t+τ included, not a later one', () => {
    const t = setup();
    t.book(0, 1001);
    t.fill(0, { side: 'buy', price: 1000, lots: 1000 });
    t.book(1000, 1005); // at exactly t + 1 s
    t.fill(1500, { side: 'sell', price: 1012, lots: 1000 }); // its 1 s horizon ends after the run
    t.book(1800, 1010); // what a late look at the buy's horizon would see
    const s = t.finish(2000);
    expect(s.markout_1s).toBe('0.5');
    expect(s.adverse_1s).toBe('0.4');
    expect(s.markout_left_out['1s']).toBe(1);
  });

  it('measures the drawdown of marked equity at every mark change and fill, fees included', () => {
    const t = setup();
    t.book(0, 1000);
    t.fill(10, { side: 'buy', price: 1000, lots: 1000, fee: '0.05' }); // E −0.05
    t.book(20, 1010); // E 0.95, the peak
    t.book(30, 995); // E −0.55
    t.fill(40, { side: 'sell', price: 994, lots: 1000, fee: '0.03' }); // −0.1 of spread: E −0.68
    t.book(50, 980); // flat: no change
    t.book(60, 1000);
    t.fill(70, { side: 'buy', price: 1000, lots: 1000 });
    t.book(80, 1030); // E 2.32, a new peak
    t.book(90, 1020); // E 1.32: a drawdown of 1, smaller than the first
    const s = t.finish(100);
    expect(s.max_drawdown).toBe('1.63');
    expect(s.pnl_total).toBe('1.32');
    expect(s.spread_capture).toBe('-0.1');
    expect(s.inventory_pnl).toBe('1.5');
    expect(s.fees).toBe('0.08');
    expectIdentity(s);
  });

  it('counts rebates as negative fees and converts a fee paid in the base asset at the fill price', () => {
    const t = setup();
    t.book(0, 1000);
    t.fill(1, { side: 'buy', price: 999, lots: 1000, fee: '-0.0125' });
    t.fill(2, { side: 'sell', price: 1001, lots: 1000, fee: '-0.0125' });
    const rebated = t.stats.finish();
    expect(rebated.fees).toBe('-0.025');
    expect(rebated.spread_capture).toBe('0.2');
    expect(rebated.pnl_total).toBe('0.225');
    expectIdentity(rebated);
    // 0.000001 BTC at 100.0 is 0.0001 USDT.
    t.fill(3, { side: 'buy', price: 1000, lots: 1000, fee: '0.000001', feeAsset: 'BTC', liquidity: 'taker' });
    const s = t.finish(4);
    expect(s.fees).toBe('-0.0249');
    expect(s.pnl_total).toBe('0.2249');
    expect(s.maker_share).toBeCloseTo(2 / 3, 12);
    expectIdentity(s);
  });

  it('samples equity changes on the clock for Sharpe and Sortino, gaps without events included', () => {
    const t = setup(BTC, { startPosition: 1000 });
    t.book(0, 1000); // holding 1 at 100
    t.book(500, 1010); // boundary 1 s: +1
    t.book(1500, 1005); // 2 s: −0.5
    t.book(2500, 1020); // 3 s: +1.5, then seven unchanged seconds
    const s = t.finish(10_000);
    expect(s.samples).toBe(10);
    const expected = ratios([1, -0.5, 1.5, 0, 0, 0, 0, 0, 0, 0], 1000);
    expect(s.sharpe).toBeCloseTo(expected.sharpe, 6);
    expect(s.sortino).toBeCloseTo(expected.sortino, 6);
    expect(s.sampling).toContain('1000 ms equity changes');
    expect(s.pnl_total).toBe('2');
    expect(s.inventory_pnl).toBe('2');
    // Holding the start position is exactly what happened.
    expect(s.pnl_vs_hold).toBe('0');
    expect(s.inventory_twa).toBe('1');
  });

  it('defines fill ratio from acknowledged model quotes and uptime from both sides being live', () => {
    const t = setup();
    t.book(0, 1000);
    const b1 = newOrder('b1', 'buy', 999, 10);
    const s1 = newOrder('s1', 'sell', 1001, 10);
    const s2 = newOrder('s2', 'sell', 1002, 5);
    const r1 = newOrder('r1', 'sell', 1000, 10);
    const m1 = newOrder('m1', 'sell', 1003, 100, 'manual');
    t.order(0, b1, {});
    t.order(100, b1, { status: 'new', venueOrderId: 'vb1' }); // quoted 10
    t.order(200, s1, {});
    t.order(300, s1, { status: 'new', venueOrderId: 'vs1' }); // quoted 20, both sides live
    t.order(1300, b1, { status: 'pending-amend' });
    t.order(1400, b1, { status: 'new', price: 998 as Ticks }); // a new price: 10 more
    t.fill(2000, { side: 'sell', price: 1001, lots: 4, order: s1 });
    t.order(2000, s1, { status: 'partially-filled', filled: 4 as Lots });
    t.order(3000, s1, { status: 'pending-cancel' }); // the sell side is withdrawn: 2.7 s of uptime
    t.order(3100, s1, { status: 'cancelled' });
    t.order(3500, r1, {});
    t.order(3600, r1, { status: 'rejected' }); // never rested: quotes nothing
    t.order(3700, m1, { status: 'new', venueOrderId: 'vm1' }); // the trader's, not a quote
    t.order(4000, s2, {});
    t.order(4100, s2, { status: 'new', venueOrderId: 'vs2' }); // quoted 35, both live again
    t.order(5000, b1, { status: 'pending-amend' });
    t.order(5100, b1, { status: 'new', size: 15 as Lots }); // grown by 5: 40
    t.order(6000, b1, { status: 'pending-amend' });
    t.order(6100, b1, { status: 'new', size: 12 as Lots }); // shrunk: nothing new offered
    // Another instrument's orders and fills on the same bus are not ours.
    t.order(6200, newOrder('e1', 'buy', 10, 1000), { status: 'new' }, ETH);
    t.fill(6300, { side: 'buy', price: 10, lots: 1000 }, ETH);
    const s = t.finish(10_000);
    expect(s.quoted_size).toBe('0.04');
    expect(s.quoted_filled_size).toBe('0.004');
    expect(s.fill_ratio).toBeCloseTo(0.1, 12);
    expect(s.quote_uptime).toBeCloseTo((2700 + 5900) / 10_000, 12);
    expect(s.fills).toBe(1);
  });

  it('gives well-defined values for an empty run', () => {
    const t = setup();
    const s = t.finish(0);
    expect(s).toMatchObject({
      fills: 0,
      pnl_total: '0',
      spread_capture: '0',
      inventory_pnl: '0',
      fees: '0',
      turnover: '0',
      max_drawdown: '0',
      equity_start: '0',
      equity_end: '0',
      pnl_vs_hold: '0',
      inventory_max: '0',
      markout_1s: null,
      adverse_60s: null,
      fill_ratio: null,
      maker_share: null,
      quote_uptime: null,
      inventory_twa: null,
      sharpe: null,
      sortino: null,
      samples: 0,
    });
    for (const k of ['markout_1s', 'fill_ratio', 'maker_share', 'quote_uptime', 'inventory_twa', 'sharpe'])
      expect(s.null_reasons[k], k).toBeTruthy();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);

    // Time passes with a book that never has a mid, and a start position that is never marked.
    const u = setup(BTC, { startPosition: 5000 });
    u.book(100, undefined);
    const e = u.finish(60_000);
    expect(e.quote_uptime).toBe(0);
    expect(e.inventory_twa).toBe('5');
    expect(e.pnl_total).toBe('0');
    expect(e.equity_start).toBeNull();
    expect(e.pnl_vs_hold).toBeNull();
    expect(e.null_reasons.pnl_vs_hold).toMatch(/no mid/);
    expect(e.sharpe).toBeNull();
    const numbers = Object.values(e).filter((v): v is number => typeof v === 'number');
    expect(numbers.every(Number.isFinite)).toBe(true);
  });

  it('marks fills that come before any mid at their own price', () => {
    const t = setup();
    t.fill(10, { side: 'buy', price: 1000, lots: 1000, fee: '0.01' });
    t.book(20, 1010);
    const s = t.finish(30);
    expect(s.fills_without_mid).toBe(1);
    expect(s.spread_capture).toBe('0');
    expect(s.inventory_pnl).toBe('1');
    expect(s.pnl_total).toBe('0.99');
    expectIdentity(s);
  });

  it('stays exact when sums pass 2^53, on the float path and the BigInt one', () => {
    const t = setup(BIG, { startPosition: 10_000_000 });
    let mid = 5_000_000_000_000; // 50,000.00000000
    t.book(0, mid);
    // Ten falls of 1.0 (2e15 half-tick lots each, float path) push the drawdown past 2^52.
    for (let i = 1; i <= 10; i++) t.book(i, (mid -= 100_000_000));
    // Two falls of 1000 (2e18 each: past 2^53, the BigInt path).
    for (let i = 11; i <= 12; i++) t.book(i, (mid -= 100_000_000_000));
    t.book(13, (mid += 50_000_000_000));
    t.fill(14, { side: 'sell', price: mid, lots: 10_000_000, fee: '0.5' });
    const s = t.finish(15);
    expect(s.inventory_pnl).toBe('-15100000000');
    expect(s.max_drawdown).toBe('20100000000');
    expect(s.turnover).toBe('484900000000');
    expect(s.pnl_total).toBe('-15100000000.5');
    expect(s.pnl_vs_hold).toBe('-0.5');
    expectIdentity(s);
  });

  it('reads a Decimal mid as the same mark as the book mid in ticks', () => {
    const run = (decimalMid: boolean): BacktestStats => {
      const t = setup(BTC, { decimalMid });
      t.book(0, 1001);
      t.fill(100, { side: 'buy', price: 1000, lots: 2000, fee: '0.02' });
      t.book(500, 1002.5);
      t.book(600, 1002.5);
      t.book(900, 999);
      return t.finish(3000);
    };
    expect(run(true)).toEqual(run(false));
  });

  for (const [inst, seed] of [
    [BTC, 11],
    [BIG, 12],
  ] as const)
    it(`agrees with a plain Decimal replay of the same events (${inst.symbol})`, () => {
      checkAgainstReference(inst, seed);
    });
});

/** A long random run, recomputed here the slow, obvious way: every equity and mid in Decimal, kept in full. */
function checkAgainstReference(inst: Instrument, seed: number): void {
  const big = inst === BIG;
  const rng = new Rng(seed);
  const startPos = big ? 3_000_000 : 40;
  const t = setup(inst, { startPosition: startPos, startCash: '250' });
  const tick = inst.tickSize;
  const lot = inst.lotSize;
  const step = big ? 100_000_000 : 1; // half ticks per mid move
  let midH = big ? 10_000_000_000_000 : 130_000;
  const markOf = (h: number): Decimal => tick.mul(h).div(2);

  let cash = new Decimal(0);
  let fees = new Decimal(0);
  let pos = startPos;
  let spread = new Decimal(0);
  let inventory = new Decimal(0);
  let turnover = new Decimal(0);
  let mark = markOf(midH);
  const equity = (): Decimal => new Decimal(250).plus(cash).plus(lot.mul(pos).mul(mark)).minus(fees);
  const marks: { t: number; mark: Decimal }[] = [{ t: 0, mark }];
  const fills: { t: number; s: number; p: Decimal; q: Decimal; m: Decimal }[] = [];
  const curve: { t: number; e: Decimal }[] = [];
  const start = equity();
  let peak = start;
  let worst = new Decimal(0);
  let absPosTime = new Decimal(0);
  let posSince = 0;
  const noteEquity = (now: number): void => {
    const e = equity();
    curve.push({ t: now, e });
    if (e.gt(peak)) peak = e;
    if (peak.minus(e).gt(worst)) worst = peak.minus(e);
  };
  t.book(0, midH / 2);
  noteEquity(0);

  let now = 0;
  const feeTexts = ['0', '0.0001', '-0.00005', '0.123456789', '-1.5'];
  for (let i = 0; i < 3000; i++) {
    now += rng.int(1, 700);
    if (rng.next() < 0.55) {
      const next = midH + rng.int(-3, 3) * step;
      if (next !== midH) {
        const m = markOf(next);
        inventory = inventory.plus(lot.mul(pos).mul(m.minus(mark)));
        mark = m;
        midH = next;
        marks.push({ t: now, mark });
      }
      t.book(now, midH / 2);
    } else {
      const side: Side = rng.bool() ? 'buy' : 'sell';
      const s = side === 'buy' ? 1 : -1;
      const priceTicks = Math.floor(midH / 2) + rng.int(-3, 3) * (big ? 50_000_000 : 1);
      const lots = rng.int(1, big ? 5_000_000 : 60);
      const fee = feeTexts[rng.int(0, feeTexts.length - 1)]!;
      t.fill(now, { side, price: priceTicks, lots, fee, liquidity: rng.bool(0.8) ? 'maker' : 'taker' });
      const p = tick.mul(priceTicks);
      const q = lot.mul(lots);
      absPosTime = absPosTime.plus(Math.abs(pos) * (now - posSince));
      posSince = now;
      cash = cash.minus(p.mul(q).mul(s));
      fees = fees.plus(fee);
      spread = spread.plus(mark.minus(p).mul(q).mul(s));
      turnover = turnover.plus(p.mul(q));
      pos += s * lots;
      fills.push({ t: now, s, p, q, m: mark });
    }
    noteEquity(now);
  }
  const end = now + 20_000;
  const s = t.finish(end);
  absPosTime = absPosTime.plus(Math.abs(pos) * (end - posSince));

  expect(s.fills).toBe(fills.length);
  expect(d(s.spread_capture).eq(spread)).toBe(true);
  expect(d(s.inventory_pnl).eq(inventory)).toBe(true);
  expect(d(s.fees).eq(fees)).toBe(true);
  expect(d(s.pnl_total).eq(equity().minus(start))).toBe(true);
  expectIdentity(s);
  expect(d(s.turnover).eq(turnover)).toBe(true);
  expect(d(s.max_drawdown).eq(worst)).toBe(true);
  expect(s.position_end).toBe(lot.mul(pos).toFixed());
  expect(Number(s.inventory_twa)).toBeCloseTo(lot.mul(absPosTime).div(end).toNumber(), 3);
  const hold = lot.mul(startPos).mul(mark.minus(marks[0]!.mark));
  expect(d(s.pnl_vs_hold).eq(equity().minus(start).minus(hold))).toBe(true);

  const markAt = (time: number): Decimal => {
    let m = marks[0]!.mark;
    for (const x of marks) if (x.t <= time) m = x.mark;
    return m;
  };
  for (const [k, horizon] of [1000, 5000, 30_000, 60_000].entries()) {
    let sum = new Decimal(0);
    let adverse = new Decimal(0);
    let qty = new Decimal(0);
    let left = 0;
    for (const f of fills) {
      if (f.t + horizon > end) {
        left++;
        continue;
      }
      const later = markAt(f.t + horizon);
      sum = sum.plus(later.minus(f.p).mul(f.q).mul(f.s));
      adverse = adverse.plus(later.minus(f.m).mul(f.q).mul(f.s));
      qty = qty.plus(f.q);
    }
    const name = (['1s', '5s', '30s', '60s'] as const)[k]!;
    const places = inst.priceDecimals + 6;
    expect(s[`markout_${name}`], name).toBe(sum.div(qty).toDecimalPlaces(places).toFixed());
    expect(s[`adverse_${name}`], name).toBe(adverse.div(qty).toDecimalPlaces(places).toFixed());
    expect(s.markout_left_out[name]).toBe(left);
  }

  const equityAt = (time: number): Decimal => {
    let e = start;
    for (const x of curve) if (x.t <= time) e = x.e;
    return e;
  };
  const changes: number[] = [];
  let prev = start;
  for (let b = 1000; b <= end; b += 1000) {
    const e = equityAt(b);
    changes.push(e.minus(prev).toNumber());
    prev = e;
  }
  expect(s.samples).toBe(changes.length);
  const expected = ratios(changes, 1000);
  expect(Math.abs(s.sharpe! - expected.sharpe)).toBeLessThan(1e-9 * Math.abs(expected.sharpe));
  expect(Math.abs(s.sortino! - expected.sortino)).toBeLessThan(1e-9 * Math.abs(expected.sortino));
}

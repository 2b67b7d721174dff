import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { Decimal } from '../../../engine/core/decimal.ts';
import { EngineError } from '../../../engine/core/errors.ts';
import { defineInstrument, type Instrument } from '../../../engine/core/instrument.ts';
import { defaultTradingConfig } from '../../../engine/node/trading-config.ts';
import {
  RiskEngine,
  type AccountLimits,
  type ExposureContext,
  type InstrumentRisk,
} from '../../../engine/risk/risk-engine.ts';
import type { StateChange } from '../../../engine/risk/trading-state.ts';
import { DEFAULT_SIM_INSTRUMENT, SIM_ETH_INSTRUMENT } from '../../../engine/venues/sim/index.ts';

const BTC = defineInstrument(DEFAULT_SIM_INSTRUMENT);
const ETH = defineInstrument(SIM_ETH_INSTRUMENT);
/** Mids in ticks: BTCUSDT 65000.0 (tick 0.10), ETHUSDT 3200.00 (tick 0.01). */
const BTC_MID = 650_000;
const ETH_MID = 320_000;

const accountLimits = (change: Partial<AccountLimits> = {}): AccountLimits => ({
  maxGrossNotional: new Decimal('10000'),
  maxDrawdown: new Decimal('100'),
  dailyLossLimit: new Decimal('200'),
  ...change,
});

function setup(change: Partial<AccountLimits> = {}) {
  const clock = new SimClock(Date.UTC(2026, 2, 2, 12));
  const engine = new RiskEngine(clock, accountLimits(change));
  const btc = engine.addInstrument(BTC, defaultTradingConfig(BTC).limits);
  const eth = engine.addInstrument(ETH, defaultTradingConfig(ETH).limits);
  return { clock, engine, btc, eth };
}

const flat = (mid: number | undefined = BTC_MID): ExposureContext => ({
  positionLots: 0,
  workingBuyLots: 0,
  workingSellLots: 0,
  openOrders: 0,
  mid,
});

/** What the desk reports for one instrument: gross notional and the value of one lot at the mid. */
function book(risk: InstrumentRisk, inst: Instrument, positionLots: number, midTicks: number | undefined) {
  if (midTicks === undefined)
    return { risk, exposure: { grossNotional: new Decimal(0), lotValue: undefined, mark: undefined } };
  const lotValue = inst.tickSize.mul(midTicks).mul(inst.lotSize);
  return {
    risk,
    exposure: { grossNotional: lotValue.mul(Math.abs(positionLots)), lotValue, mark: midTicks },
  };
}

describe('RiskEngine: the state an instrument trades in', () => {
  it('is the strictest of the account, the instrument and reconciliation', () => {
    const { engine, btc, eth } = setup();
    expect(engine.effectiveState(btc)).toBe('active');
    btc.state.escalate('reducing', 'btc drawdown');
    expect(engine.effectiveState(btc)).toBe('reducing');
    expect(engine.effectiveState(eth)).toBe('active');
    engine.beginReconcile();
    // Reconciling beats reducing, for every instrument.
    expect(engine.effectiveState(btc)).toBe('reconciling');
    expect(engine.effectiveState(eth)).toBe('reconciling');
    expect(engine.accountState()).toBe('reconciling');
    eth.state.escalate('halted', 'eth daily loss');
    // Halted beats reconciling.
    expect(engine.effectiveState(eth)).toBe('halted');
    expect(engine.effectiveState(btc)).toBe('reconciling');
    engine.endReconcile();
    expect(engine.effectiveState(btc)).toBe('reducing');
    engine.escalate('halted', 'storage failed');
    expect(engine.effectiveState(btc)).toBe('halted');
    engine.beginReconcile();
    expect(engine.accountState()).toBe('halted');
    expect(engine.effectiveState(btc)).toBe('halted');
  });

  it('takes the account state when it is the stricter one', () => {
    const { engine, btc } = setup();
    engine.escalate('reducing', 'account drawdown');
    expect(engine.effectiveState(btc)).toBe('reducing');
    expect(engine.reasonFor(btc)).toBe('account drawdown');
    btc.state.escalate('halted', 'btc daily loss');
    expect(engine.effectiveState(btc)).toBe('halted');
    expect(engine.reasonFor(btc)).toBe('btc daily loss');
    expect(engine.accountState()).toBe('reducing');
  });

  it('counts nested reconciliations and never below zero', () => {
    const { engine, btc } = setup();
    engine.beginReconcile();
    engine.beginReconcile();
    engine.endReconcile();
    expect(engine.isReconciling()).toBe(true);
    expect(engine.effectiveState(btc)).toBe('reconciling');
    expect(engine.reasonFor(btc)).toBe('reconciling with the venue');
    engine.endReconcile();
    expect(engine.isReconciling()).toBe(false);
    expect(engine.effectiveState(btc)).toBe('active');
    engine.endReconcile();
    engine.beginReconcile();
    expect(engine.isReconciling()).toBe(true);
    engine.endReconcile();
    expect(engine.isReconciling()).toBe(false);
  });
});

describe('RiskEngine: the gate', () => {
  it('refuses every order while reconciling, naming reconciliation', () => {
    const { engine, btc } = setup();
    const long = { ...flat(), positionLots: 50 };
    expect(engine.check(btc, { side: 'buy', price: BTC_MID, lots: 10 }, flat(), true)).toEqual({ ok: true });
    engine.beginReconcile();
    const orders = [
      { side: 'buy' as const, price: BTC_MID, lots: 10 },
      { side: 'sell' as const, price: BTC_MID, lots: 10 },
      { side: 'sell' as const, lots: 10 },
    ];
    for (const order of orders) {
      // Even one that reduces the position.
      const d = engine.check(btc, order, long, false);
      expect(d).toMatchObject({ ok: false, check: 'trading_state' });
      expect(!d.ok && d.message).toMatch(/reconcil/);
    }
    engine.endReconcile();
    expect(engine.check(btc, { side: 'sell', price: BTC_MID, lots: 10 }, long, false)).toEqual({ ok: true });
  });

  it('counts refusals of the model’s own orders only', () => {
    const { engine, btc } = setup();
    engine.beginReconcile();
    engine.check(btc, { side: 'buy', price: BTC_MID, lots: 10 }, flat(), false);
    expect(btc.modelRefusals).toBe(0);
    engine.check(btc, { side: 'buy', price: BTC_MID, lots: 10 }, flat(), true);
    engine.check(btc, { side: 'sell', price: BTC_MID, lots: 10 }, flat(), true);
    expect(btc.modelRefusals).toBe(2);
  });

  it('refuses account limits that are not a positive amount, naming the field', () => {
    const clock = new SimClock(0);
    for (const [field, value] of [
      ['maxGrossNotional', new Decimal(0)],
      ['maxDrawdown', new Decimal(-1)],
      ['dailyLossLimit', new Decimal(Number.NaN)],
      ['maxGrossNotional', new Decimal(Infinity)],
      ['maxDrawdown', 100 as unknown as Decimal],
    ] as const) {
      expect(() => new RiskEngine(clock, accountLimits({ [field]: value }))).toThrow(
        new EngineError('invalid_input', `account limits: ${field} must be a positive amount`),
      );
    }
    expect(() => new RiskEngine(clock, accountLimits())).not.toThrow();
  });

  it('refuses a second set of limits for one instrument, and bad instrument limits', () => {
    const { engine } = setup();
    expect(() => engine.addInstrument(BTC, defaultTradingConfig(BTC).limits)).toThrow(
      /BTCUSDT has risk limits already/,
    );
    const other = new RiskEngine(new SimClock(0), accountLimits());
    expect(() =>
      other.addInstrument(BTC, { ...defaultTradingConfig(BTC).limits, maxPositionLots: 0 }),
    ).toThrow(/maxPositionLots/);
    expect(other.instrument('BTCUSDT')).toBeUndefined();
  });
});

describe('RiskEngine: account monitors', () => {
  it('moves the account to reducing when the drawdown reaches its limit', () => {
    const { clock, engine, btc } = setup({ dailyLossLimit: new Decimal('1000') });
    const watch = (equity: string) => {
      engine.watchAccount(clock.now(), new Decimal(equity), []);
      clock.advance(1000);
      return engine.account.state();
    };
    expect(watch('1000')).toBe('active');
    expect(watch('1050')).toBe('active');
    expect(watch('950.01')).toBe('active');
    expect(engine.accountDrawdown.toFixed()).toBe('99.99');
    expect(watch('950')).toBe('reducing');
    expect(engine.accountDrawdown.toFixed()).toBe('100');
    expect(engine.reasonFor(null)).toBe('account drawdown 100.00 reached its limit');
    expect(engine.effectiveState(btc)).toBe('reducing');
    // A recovery does not lift it: only the trader's reset does.
    expect(watch('2000')).toBe('reducing');
    expect(engine.accountDrawdown.toFixed()).toBe('0');
  });

  it('halts the account when the day’s loss reaches its limit', () => {
    const { clock, engine, eth } = setup({ maxDrawdown: new Decimal('1000') });
    const watch = (equity: string) => {
      engine.watchAccount(clock.now(), new Decimal(equity), []);
      clock.advance(60_000);
      return engine.account.state();
    };
    expect(watch('5000')).toBe('active');
    expect(watch('5100')).toBe('active');
    expect(watch('4800.5')).toBe('active');
    expect(engine.accountDailyLoss.toFixed()).toBe('199.5');
    expect(watch('4800')).toBe('halted');
    expect(engine.accountDailyLoss.toFixed()).toBe('200');
    expect(engine.reasonFor(null)).toBe('account daily loss 200.00 reached its limit');
    expect(engine.effectiveState(eth)).toBe('halted');
    expect(engine.check(eth, { side: 'buy', price: ETH_MID, lots: 10 }, flat(ETH_MID), false)).toMatchObject({
      ok: false,
      message: 'trading is halted',
    });
  });

  it('measures the day’s loss from the first equity of each UTC day', () => {
    const { clock, engine } = setup({ maxDrawdown: new Decimal('1000') });
    const dayStart = Date.UTC(2026, 2, 3);
    clock.advanceTo(dayStart - 1000);
    engine.watchAccount(clock.now(), new Decimal('5000'), []);
    clock.advanceTo(dayStart);
    engine.watchAccount(clock.now(), new Decimal('4850'), []);
    expect(engine.accountDailyLoss.toFixed()).toBe('0');
    engine.watchAccount(clock.now() + 1, new Decimal('4700'), []);
    expect(engine.accountDailyLoss.toFixed()).toBe('150');
    expect(engine.account.state()).toBe('active');
  });

  it('moves one instrument on its own monitors, leaving the account and the others', () => {
    const { clock, engine, btc, eth } = setup();
    // defaultTradingConfig: drawdown 5000, daily loss 10000 per instrument.
    btc.watch(clock.now(), new Decimal('20000'));
    btc.watch(clock.now(), new Decimal('15000'));
    expect(btc.drawdown.toFixed()).toBe('5000');
    expect(btc.state.state()).toBe('reducing');
    btc.watch(clock.now(), new Decimal('10000'));
    expect(btc.dailyLoss.toFixed()).toBe('10000');
    expect(btc.state.state()).toBe('halted');
    expect(engine.account.state()).toBe('active');
    expect(engine.effectiveState(eth)).toBe('active');
  });
});

describe('RiskEngine: the account position limit', () => {
  it('turns the gross notional limit into lots of room per instrument', () => {
    const { clock, engine, btc, eth } = setup();
    // 0.1 BTC (100 lots) at 65000 = 6500 USDT; ETH flat.
    engine.watchAccount(clock.now(), new Decimal(0), [
      book(btc, BTC, 100, BTC_MID),
      book(eth, ETH, 0, ETH_MID),
    ]);
    expect(engine.grossNotional.toFixed()).toBe('6500');
    // ETH: (10000 - 6500) / (3200 × 0.01) = 109.375 → 109 lots.
    expect(eth.accountRoomLots).toBe(109);
    // BTC: its own exposure counts inside its room, 10000 / 65 = 153.8 → 153 lots.
    expect(btc.accountRoomLots).toBe(153);
  });

  it('gives a book with no mid (or no lot value) no bound, and leaves no negative room', () => {
    const { clock, engine, btc, eth } = setup();
    engine.watchAccount(clock.now(), new Decimal(0), [
      book(btc, BTC, 0, undefined),
      book(eth, ETH, 200, ETH_MID),
    ]);
    expect(btc.accountRoomLots).toBe(Infinity);
    engine.watchAccount(clock.now(), new Decimal(0), [
      { risk: btc, exposure: { grossNotional: new Decimal(0), lotValue: new Decimal(0), mark: 0 } },
      book(eth, ETH, 200, ETH_MID),
    ]);
    expect(btc.accountRoomLots).toBe(Infinity);
    // 5 ETH at 3200 = 16000 USDT, past the limit on its own: BTC has no room left.
    engine.watchAccount(clock.now(), new Decimal(0), [
      book(btc, BTC, 0, BTC_MID),
      book(eth, ETH, 500, ETH_MID),
    ]);
    expect(btc.accountRoomLots).toBe(0);
    expect(engine.grossNotional.toFixed()).toBe('16000');
  });

  it('refuses an order past the account room in the instrument’s units, though its own limit allows it', () => {
    const { clock, engine, btc, eth } = setup();
    const own = btc.limits.maxPositionLots;
    expect(own).toBe(100);
    // Before the account monitor ran there is no account bound: 56 lots pass on BTC's own limit.
    expect(engine.check(btc, { side: 'buy', price: BTC_MID, lots: 56 }, flat(), false)).toEqual({ ok: true });
    // 2 ETH at 3200 = 6400 USDT leaves BTC (10000 - 6400) / 65 = 55.38 → 55 lots.
    engine.watchAccount(clock.now(), new Decimal(0), [
      book(btc, BTC, 0, BTC_MID),
      book(eth, ETH, 200, ETH_MID),
    ]);
    expect(btc.accountRoomLots).toBe(55);
    expect(engine.check(btc, { side: 'buy', price: BTC_MID, lots: 55 }, flat(), false)).toEqual({ ok: true });
    const refused = engine.check(btc, { side: 'buy', price: BTC_MID, lots: 56 }, flat(), false);
    expect(refused).toEqual({
      ok: false,
      check: 'position',
      message: 'position with working orders would reach 0.056 BTC, the limit is 0.055 BTC',
    });
    // Position and working orders count against the room too.
    const held = { ...flat(), positionLots: 20, workingBuyLots: 30 };
    expect(engine.check(btc, { side: 'buy', price: BTC_MID, lots: 5 }, held, false)).toEqual({ ok: true });
    expect(engine.check(btc, { side: 'buy', price: BTC_MID, lots: 6 }, held, false)).toMatchObject({
      ok: false,
      check: 'position',
    });
    // With no room at all, an order that reduces the position still passes.
    engine.watchAccount(clock.now(), new Decimal(0), [
      book(btc, BTC, 20, BTC_MID),
      book(eth, ETH, 1000, ETH_MID),
    ]);
    expect(btc.accountRoomLots).toBe(0);
    const long = { ...flat(), positionLots: 20 };
    expect(engine.check(btc, { side: 'sell', price: BTC_MID, lots: 10 }, long, false)).toEqual({ ok: true });
    expect(engine.check(btc, { side: 'buy', price: BTC_MID, lots: 10 }, long, false)).toMatchObject({
      ok: false,
      message: 'position with working orders would reach 0.030 BTC, the limit is 0.000 BTC',
    });
  });
});

describe('RiskEngine: the account guard on an unchanged account', () => {
  it('keeps the room of the same exposures and recomputes it when one exposure is new', () => {
    const { clock, engine, btc, eth } = setup();
    const books = [book(btc, BTC, 0, BTC_MID), book(eth, ETH, 200, ETH_MID)];
    engine.watchAccount(clock.now(), new Decimal(0), books);
    expect(btc.accountRoomLots).toBe(55);
    // The same exposure objects again: nothing to recompute, the room stands.
    clock.advance(100);
    engine.watchAccount(clock.now(), new Decimal(0), [...books]);
    expect(btc.accountRoomLots).toBe(55);
    expect(engine.grossNotional.toFixed()).toBe('6400');
    // ETH's position moved: a new exposure object, so the room follows it.
    engine.watchAccount(clock.now(), new Decimal(0), [books[0]!, book(eth, ETH, 100, ETH_MID)]);
    expect(btc.accountRoomLots).toBe(104);
    expect(engine.grossNotional.toFixed()).toBe('3200');
  });

  it('gives the room of an exact Decimal division for any marks and positions, half ticks included', () => {
    const { clock, engine, btc, eth } = setup();
    const limit = engine.accountLimits.maxGrossNotional;
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    for (let i = 0; i < 400; i++) {
      // Marks on the half-tick grid, as a book's mid is; positions long, short or flat.
      const btcMark = 600_000 + next(100_000) + (next(2) === 0 ? 0.5 : 0);
      const ethMark = 300_000 + next(40_000) + (next(2) === 0 ? 0.5 : 0);
      const books = [book(btc, BTC, next(300) - 150, btcMark), book(eth, ETH, next(600) - 300, ethMark)];
      clock.advance(100);
      engine.watchAccount(clock.now(), new Decimal(0), books);
      const gross = books[0]!.exposure.grossNotional.plus(books[1]!.exposure.grossNotional);
      for (const { risk, exposure } of books) {
        const room = limit.minus(gross.minus(exposure.grossNotional)).div(exposure.lotValue!).floor();
        expect(risk.accountRoomLots).toBe(room.isNegative() ? 0 : room.toNumber());
      }
    }
  });

  it('escalates again after a reset when the same equity still breaches its limit', () => {
    const { clock, engine } = setup({ dailyLossLimit: new Decimal('1000') });
    engine.watchAccount(clock.now(), new Decimal('1000'), []);
    const low = new Decimal('900');
    engine.watchAccount(clock.now(), low, []);
    expect(engine.account.state()).toBe('reducing');
    engine.reset();
    expect(engine.account.state()).toBe('active');
    clock.advance(100);
    engine.watchAccount(clock.now(), low, []);
    expect(engine.account.state()).toBe('reducing');
    expect(engine.accountDrawdown.toFixed()).toBe('100');
  });

  it('starts a new day’s loss from the same equity object once the day changes', () => {
    const { clock, engine } = setup({
      maxDrawdown: new Decimal('100000'),
      dailyLossLimit: new Decimal('500'),
    });
    engine.watchAccount(clock.now(), new Decimal('5000'), []);
    const low = new Decimal('4800');
    engine.watchAccount(clock.now(), low, []);
    expect(engine.accountDailyLoss.toFixed()).toBe('200');
    clock.advance(86_400_000);
    engine.watchAccount(clock.now(), low, []);
    expect(engine.accountDailyLoss.toFixed()).toBe('0');
  });
});

describe('RiskEngine: kill switch and changes', () => {
  it('halts the whole account on kill; reset clears the account and every instrument', () => {
    const { clock, engine, btc, eth } = setup();
    btc.state.escalate('reducing', 'btc drawdown');
    eth.state.escalate('halted', 'eth daily loss');
    clock.advance(5000);
    engine.engageKill('trader');
    expect(engine.killSwitch()).toEqual({ engaged: true, at: clock.now(), by: 'trader' });
    expect(engine.accountState()).toBe('halted');
    expect(engine.effectiveState(btc)).toBe('halted');
    expect(engine.reasonFor(null)).toBe('kill switch');
    expect(
      engine.check(btc, { side: 'sell', price: BTC_MID, lots: 10 }, { ...flat(), positionLots: 50 }, false),
    ).toMatchObject({ ok: false, check: 'trading_state', message: 'trading is halted' });
    engine.reset();
    expect(engine.killSwitch()).toEqual({ engaged: false, at: null, by: null });
    expect(engine.account.state()).toBe('active');
    expect(btc.state.state()).toBe('active');
    expect(eth.state.state()).toBe('active');
    expect(engine.effectiveState(eth)).toBe('active');
    expect(engine.reasonFor(eth)).toBeNull();
    expect(engine.check(eth, { side: 'buy', price: ETH_MID, lots: 10 }, flat(ETH_MID), false)).toEqual({
      ok: true,
    });
  });

  it('stays halted across a restart through the saved kill switch', () => {
    const clock = new SimClock(0);
    const engine = new RiskEngine(clock, accountLimits(), { engaged: true, at: 10, by: 'trader' });
    const btc = engine.addInstrument(BTC, defaultTradingConfig(BTC).limits);
    expect(engine.effectiveState(btc)).toBe('halted');
    expect(engine.killSwitch()).toEqual({ engaged: true, at: 10, by: 'trader' });
  });

  it('reports each change with its symbol, or null for the account', () => {
    const { clock, engine, btc } = setup();
    const seen: [string | null, StateChange][] = [];
    engine.onChange((symbol, change) => seen.push([symbol, change]));
    const t0 = clock.now();
    btc.state.escalate('reducing', 'btc drawdown');
    clock.advance(10);
    engine.engageKill('trader');
    clock.advance(10);
    engine.watchAccount(clock.now(), new Decimal(0), []);
    engine.reset();
    expect(seen.slice(0, 2)).toEqual([
      ['BTCUSDT', { from: 'active', to: 'reducing', reason: 'btc drawdown', at: t0 }],
      [null, { from: 'active', to: 'halted', reason: 'kill switch', at: t0 + 10 }],
    ]);
    expect(seen).toContainEqual([
      null,
      { from: 'halted', to: 'active', reason: 'reset by trader', at: t0 + 20 },
    ]);
    expect(seen).toContainEqual([
      'BTCUSDT',
      { from: 'reducing', to: 'active', reason: 'reset by trader', at: t0 + 20 },
    ]);
    // Escalating to a state already held reports nothing.
    const before = seen.length;
    engine.escalate('active', 'nothing to do');
    btc.state.escalate('active', 'nothing to do');
    expect(seen).toHaveLength(before);
  });
});

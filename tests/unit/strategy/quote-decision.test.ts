import { describe, expect, it } from 'vitest';
import {
  decideQuotes,
  type QuoteDecision,
  type QuoteInputs,
} from '../../../engine/strategy/quote-decision.ts';
import type { QuoteSide, WithheldReason } from '../../../engine/strategy/quote-builder.ts';

/** BTCUSDT around 65000 with a 0.10 tick: prices below are in ticks. */
const S = 650_000;

/** A complete, quotable set of inputs; each test changes what it is about. */
function inputs(change: Partial<QuoteInputs> = {}): QuoteInputs {
  return {
    now: 1_000_000,
    quoting: true,
    state: 'active',
    feed: 'ok',
    s: S,
    sigma: 20,
    volReady: true,
    volRemaining: 0,
    fit: undefined,
    overrides: {},
    paused: { bid: false, ask: false },
    positionLots: 0,
    bestBid: S - 1,
    bestAsk: S + 1,
    model: {
      name: 'avellaneda-stoikov',
      gamma: 0.005,
      kappa: 0.5,
      A: 5,
      horizon: { kind: 'rolling', seconds: 10 },
      priceSource: 'microprice',
      volHalfLifeS: 60,
      volWarmup: 20,
      fitIntensity: false,
    },
    quotingConfig: {
      sizeLots: 10,
      levels: 1,
      levelSpacingTicks: 2,
      minSpreadTicks: 2,
      maxSpreadTicks: 400,
      toleranceTicks: 1,
      minRefreshMs: 100,
      maxInFlight: 32,
    },
    maxPositionLots: 100,
    ...change,
  };
}

/** Avellaneda-Stoikov's total spread, computed here independently of the engine. */
const asSpread = (gamma: number, kappa: number, sigma = 20, tau = 10) =>
  gamma * sigma * sigma * tau + (2 / gamma) * Math.log1p(gamma / kappa);

const prices = (side: QuoteSide) => side.levels.map((l) => l.price);
const withheldBoth = (d: QuoteDecision, reason: WithheldReason) => {
  expect(d.quotes).toEqual({
    bid: { levels: [], withheld: reason },
    ask: { levels: [], withheld: reason },
  });
};

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('decideQuotes: withheld without a model', () => {
  it.each<[string, Partial<QuoteInputs>, WithheldReason]>([
    ['quoting is off', { quoting: false }, 'stopped'],
    ['quoting is off, even when halted', { quoting: false, state: 'halted' }, 'stopped'],
    ['trading is halted', { state: 'halted' }, 'halted'],
    ['halted beats a stale feed', { state: 'halted', feed: 'stale' }, 'halted'],
    ['the engine reconciles', { state: 'reconciling' }, 'reconciling'],
    ['the feed is stale', { feed: 'stale' }, 'stale_feed'],
    ['the feed is waiting', { feed: 'waiting' }, 'no_market'],
    ['the feed has a gap', { feed: 'gap' }, 'no_market'],
    ['the book is crossed', { feed: 'crossed' }, 'no_market'],
    ['the feed is disconnected', { feed: 'disconnected' }, 'no_market'],
    ['there is no reference price', { s: undefined }, 'no_market'],
  ])('when %s', (_what, change, reason) => {
    const d = decideQuotes(inputs(change));
    withheldBoth(d, reason);
    expect(d.model).toBeNull();
    expect(d.invalid).toBeNull();
  });
});

describe('decideQuotes: the model', () => {
  it('withholds while volatility warms up, showing the model inputs and the warning', () => {
    const d = decideQuotes(inputs({ volReady: false, volRemaining: 7, sigma: undefined, positionLots: 20 }));
    withheldBoth(d, 'warming_up');
    expect(d.invalid).toBeNull();
    expect(d.model).toEqual({
      out: null,
      s: S,
      sigma: null,
      q: 2,
      gamma: 0.005,
      kappa: 0.5,
      A: 5,
      tau: 10,
      warnings: ['volatility warming up: 7 samples to go'],
    });
    // A σ that exists but is not ready yet is shown, and still withholds.
    const partial = decideQuotes(inputs({ volReady: false, volRemaining: 1 }));
    withheldBoth(partial, 'warming_up');
    expect(partial.model?.sigma).toBe(20);
  });

  it('quotes one level a side on the tick grid around s, with the model output set', () => {
    const d = decideQuotes(inputs());
    const spread = asSpread(0.005, 0.5);
    expect(d.invalid).toBeNull();
    expect(d.quotes.bid).toEqual({
      levels: [{ price: Math.floor(S - spread / 2), size: 10 }],
      withheld: null,
    });
    expect(d.quotes.ask).toEqual({
      levels: [{ price: Math.ceil(S + spread / 2), size: 10 }],
      withheld: null,
    });
    const bid = d.quotes.bid.levels[0]!.price;
    const ask = d.quotes.ask.levels[0]!.price;
    expect(bid).toBeLessThan(S);
    expect(ask).toBeGreaterThan(S);
    expect(Number.isInteger(bid) && Number.isInteger(ask)).toBe(true);
    expect(d.model).toMatchObject({
      s: S,
      sigma: 20,
      q: 0,
      gamma: 0.005,
      kappa: 0.5,
      A: 5,
      tau: 10,
      warnings: [],
    });
    expect(d.model?.out?.reservation).toBe(S);
    expect(d.model?.out?.spread).toBeCloseTo(spread, 9);
  });

  it('lowers both quotes for a long inventory and raises them for a short one', () => {
    const flat = decideQuotes(inputs());
    const long = decideQuotes(inputs({ positionLots: 20 }));
    const short = decideQuotes(inputs({ positionLots: -20 }));
    expect(long.model?.q).toBe(2);
    expect(long.model?.out?.reservation).toBeCloseTo(S - 2 * 0.005 * 400 * 10, 9);
    expect(prices(long.quotes.bid)[0]!).toBeLessThan(prices(flat.quotes.bid)[0]!);
    expect(prices(long.quotes.ask)[0]!).toBeLessThan(prices(flat.quotes.ask)[0]!);
    expect(prices(short.quotes.bid)[0]!).toBeGreaterThan(prices(flat.quotes.bid)[0]!);
  });

  it('takes τ from a session horizon, never below zero', () => {
    const now = 1_000_000;
    const session = (endsAt: number) =>
      decideQuotes(inputs({ now, model: { ...inputs().model, horizon: { kind: 'session', endsAt } } }));
    expect(session(now + 4_000).model?.tau).toBe(4);
    expect(session(now - 4_000).model?.tau).toBe(0);
  });

  it('uses the fitted A and κ, unless κ is overridden', () => {
    const fitted = decideQuotes(inputs({ fit: { A: 9, kappa: 2 } }));
    expect(fitted.model).toMatchObject({ A: 9, kappa: 2 });
    expect(fitted.model?.out?.spread).toBeCloseTo(asSpread(0.005, 2), 9);
    const overridden = decideQuotes(inputs({ fit: { A: 9, kappa: 2 }, overrides: { kappa: 3 } }));
    expect(overridden.model).toMatchObject({ A: 9, kappa: 3 });
  });

  it('withholds with the reason as an alert when the model refuses its inputs', () => {
    const d = decideQuotes(inputs({ sigma: -1 }));
    withheldBoth(d, 'model_invalid');
    expect(d.invalid).toMatch(/volatility/);
    expect(d.model?.out).toBeNull();
    expect(d.model?.warnings).toEqual([d.invalid]);
  });
});

describe('decideQuotes: overrides, pauses, reducing and the position limit', () => {
  it('an override of γ, κ or size changes the model view and the levels', () => {
    const base = decideQuotes(inputs());
    const gamma = decideQuotes(inputs({ overrides: { gamma: 0.05 } }));
    expect(gamma.model?.gamma).toBe(0.05);
    expect(gamma.quotes.ask.levels[0]!.price).toBe(Math.ceil(S + asSpread(0.05, 0.5) / 2));
    expect(gamma.quotes.ask.levels[0]!.price).toBeGreaterThan(base.quotes.ask.levels[0]!.price);

    const kappa = decideQuotes(inputs({ overrides: { kappa: 5 } }));
    expect(kappa.model?.kappa).toBe(5);
    expect(kappa.quotes.bid.levels[0]!.price).toBe(Math.floor(S - asSpread(0.005, 5) / 2));
    expect(kappa.quotes.bid.levels[0]!.price).toBeGreaterThan(base.quotes.bid.levels[0]!.price);

    const size = decideQuotes(inputs({ positionLots: 20, overrides: { sizeLots: 40 } }));
    expect(size.model?.q).toBe(0.5);
    expect(size.quotes.bid.levels.map((l) => l.size)).toEqual([40]);
    expect(size.quotes.ask.levels.map((l) => l.size)).toEqual([40]);
  });

  it('applies levels, skew, minimum spread and pins from the overrides', () => {
    const base = decideQuotes(inputs());
    const b = base.quotes.bid.levels[0]!.price;
    const a = base.quotes.ask.levels[0]!.price;
    const levels = decideQuotes(inputs({ overrides: { levels: 3 } }));
    expect(prices(levels.quotes.bid)).toEqual([b, b - 2, b - 4]);
    expect(prices(levels.quotes.ask)).toEqual([a, a + 2, a + 4]);
    const skew = decideQuotes(inputs({ overrides: { skewTicks: -5 } }));
    expect([prices(skew.quotes.bid)[0], prices(skew.quotes.ask)[0]]).toEqual([b - 5, a - 5]);
    const wide = decideQuotes(inputs({ overrides: { minSpreadTicks: 100 } }));
    expect(prices(wide.quotes.ask)[0]! - prices(wide.quotes.bid)[0]!).toBe(100);
    const pinned = decideQuotes(inputs({ overrides: { pinBid: S - 50, pinAsk: S + 60 } }));
    expect([prices(pinned.quotes.bid)[0], prices(pinned.quotes.ask)[0]]).toEqual([S - 50, S + 60]);
  });

  it('a paused bid withholds only the bid, a paused ask only the ask', () => {
    const bid = decideQuotes(inputs({ paused: { bid: true, ask: false } }));
    expect(bid.quotes.bid).toEqual({ levels: [], withheld: 'paused' });
    expect(bid.quotes.ask.withheld).toBeNull();
    expect(bid.quotes.ask.levels).toHaveLength(1);
    expect(bid.model?.out).not.toBeNull();
    const ask = decideQuotes(inputs({ paused: { bid: false, ask: true } }));
    expect(ask.quotes.ask).toEqual({ levels: [], withheld: 'paused' });
    expect(ask.quotes.bid.levels).toHaveLength(1);
  });

  it('reducing keeps only the side that reduces the position', () => {
    const long = decideQuotes(inputs({ state: 'reducing', positionLots: 30 }));
    expect(long.quotes.bid).toEqual({ levels: [], withheld: 'reducing' });
    expect(long.quotes.ask.withheld).toBeNull();
    expect(long.quotes.ask.levels).toHaveLength(1);
    const short = decideQuotes(inputs({ state: 'reducing', positionLots: -30 }));
    expect(short.quotes.ask).toEqual({ levels: [], withheld: 'reducing' });
    expect(short.quotes.bid.levels).toHaveLength(1);
    const flat = decideQuotes(inputs({ state: 'reducing', positionLots: 0 }));
    withheldBoth(flat, 'reducing');
    expect(flat.model).not.toBeNull();
  });

  it('withholds the side that would pass the position limit, and an override may lower it', () => {
    // 90 + 10 reaches the limit of 100 exactly: still allowed; 91 + 10 is not.
    expect(decideQuotes(inputs({ positionLots: 90 })).quotes.bid.levels).toHaveLength(1);
    const long = decideQuotes(inputs({ positionLots: 91 }));
    expect(long.quotes.bid).toEqual({ levels: [], withheld: 'max_position' });
    expect(long.quotes.ask.levels).toHaveLength(1);
    const short = decideQuotes(inputs({ positionLots: -91 }));
    expect(short.quotes.ask).toEqual({ levels: [], withheld: 'max_position' });
    expect(short.quotes.bid.levels).toHaveLength(1);

    expect(decideQuotes(inputs({ positionLots: 45 })).quotes.bid.levels).toHaveLength(1);
    const lowered = decideQuotes(inputs({ positionLots: 45, overrides: { maxPositionLots: 50 } }));
    expect(lowered.quotes.bid).toEqual({ levels: [], withheld: 'max_position' });
    expect(lowered.quotes.ask.levels).toHaveLength(1);
    const loweredShort = decideQuotes(inputs({ positionLots: -45, overrides: { maxPositionLots: 50 } }));
    expect(loweredShort.quotes.ask.withheld).toBe('max_position');
    // An override above the risk limit does not raise it.
    const raised = decideQuotes(inputs({ positionLots: 91, overrides: { maxPositionLots: 1000 } }));
    expect(raised.quotes.bid.withheld).toBe('max_position');
  });
});

describe('decideQuotes: purity', () => {
  const cases: Partial<QuoteInputs>[] = [
    {},
    { positionLots: 37, overrides: { gamma: 0.02, levels: 3, skewTicks: 4 } },
    { state: 'reducing', positionLots: -20, paused: { bid: false, ask: true } },
    { volReady: false, volRemaining: 3 },
    { model: { ...inputs().model, name: 'glft' }, fit: { A: 3, kappa: 1.5 } },
  ];

  it.each(cases)('gives deeply equal outputs for identical inputs (%#)', (change) => {
    const first = decideQuotes(inputs(change));
    const second = decideQuotes(inputs(change));
    expect(second).toEqual(first);
    expect(second.quotes).not.toBe(first.quotes);
  });

  it.each(cases)('never mutates its input (%#)', (change) => {
    const original = inputs(change);
    const frozen = deepFreeze(structuredClone(original));
    const d = decideQuotes(frozen);
    expect(frozen).toEqual(original);
    expect(d).toEqual(decideQuotes(original));
  });
});

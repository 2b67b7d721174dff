import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../engine/core/errors.ts';
import type { Lots, Ticks } from '../../../../engine/core/instrument.ts';
import { Ledger } from '../../../../engine/venues/sim/ledger.ts';
import { MatchingEngine } from '../../../../engine/venues/sim/matching-engine.ts';
import { Recorder, testInstrument } from './helpers.ts';

const T = (n: number): Ticks => n as Ticks;
const L = (n: number): Lots => n as Lots;

function setup(maker = '0.0001', taker = '0.0006') {
  const ledger = new Ledger();
  const a = ledger.addOwner('a', true);
  const b = ledger.addOwner('b', true);
  const c = ledger.addOwner('c', true);
  const engine = new MatchingEngine(testInstrument(maker, taker), ledger);
  const rec = new Recorder();
  engine.setListener(rec);
  return { ledger, engine, rec, a, b, c };
}

/** A funded owner: 1000 USD and 10 TST (100 lots). Prices are in cents, sizes in 0.1 TST. */
function funded(ledger: Ledger, usd = '1000', tst = '10'): number {
  const o = ledger.addOwner('f');
  ledger.deposit(o, 'USD', usd);
  ledger.deposit(o, 'TST', tst);
  return o;
}

describe('price-time priority', () => {
  it('fills the best price first, then the oldest order at that price', () => {
    const { engine, rec, a, b, c } = setup();
    const first = engine.submit(a, 'sell', 'limit', 'gtc', T(101), L(5));
    const second = engine.submit(b, 'sell', 'limit', 'gtc', T(101), L(5));
    const better = engine.submit(a, 'sell', 'limit', 'gtc', T(100), L(2));
    engine.submit(c, 'buy', 'limit', 'gtc', T(101), L(9));
    expect(rec.fills.map((f) => [f.makerId, f.price, f.lots])).toEqual([
      [better, 100, 2],
      [first, 101, 5],
      [second, 101, 2],
    ]);
    expect(engine.depth('sell')).toEqual([[101, 3]]);
    expect(engine.bestBid()).toBeUndefined();
  });

  it('rests the unfilled part of a crossing GTC limit at its own price', () => {
    const { engine, a, b } = setup();
    engine.submit(a, 'sell', 'limit', 'gtc', T(100), L(3));
    const id = engine.submit(b, 'buy', 'limit', 'gtc', T(102), L(10));
    expect(engine.order(id)).toMatchObject({ price: 102, size: 10, filled: 3 });
    expect(engine.depth('buy')).toEqual([[102, 7]]);
  });
});

describe('order types', () => {
  it('rejects a post-only order that would take and leaves the book untouched', () => {
    const { engine, rec, a, b } = setup();
    engine.submit(a, 'sell', 'limit', 'gtc', T(100), L(3));
    expect(engine.submit(b, 'buy', 'limit', 'post_only', T(100), L(1))).toBe(0);
    expect(engine.lastReject).toBe('post_only_would_take');
    expect(rec.fills).toHaveLength(0);
    expect(engine.depth('sell')).toEqual([[100, 3]]);
    const ok = engine.submit(b, 'buy', 'limit', 'post_only', T(99), L(1));
    expect(ok).toBeGreaterThan(0);
    expect(engine.isResting(ok)).toBe(true);
  });

  it('cancels the rest of an IOC with reason ioc_unfilled', () => {
    const { engine, rec, a, b } = setup();
    engine.submit(a, 'sell', 'limit', 'gtc', T(100), L(3));
    engine.submit(a, 'sell', 'limit', 'gtc', T(105), L(3));
    const id = engine.submit(b, 'buy', 'limit', 'ioc', T(101), L(5));
    expect(rec.doneOf(id)).toMatchObject({ status: 'cancelled', reason: 'ioc_unfilled', filled: 3, size: 5 });
    expect(engine.isResting(id)).toBe(false);
    expect(engine.depth('buy')).toEqual([]);
    expect(engine.depth('sell')).toEqual([[105, 3]]);
  });

  it('walks the book with a market order and cancels what the book cannot fill', () => {
    const { engine, rec, a, b } = setup();
    engine.submit(a, 'buy', 'limit', 'gtc', T(99), L(2));
    engine.submit(a, 'buy', 'limit', 'gtc', T(97), L(2));
    const id = engine.submit(b, 'sell', 'market', 'gtc', 0, L(6));
    expect(rec.fills.map((f) => [f.price, f.lots])).toEqual([
      [99, 2],
      [97, 2],
    ]);
    expect(rec.doneOf(id)).toMatchObject({ status: 'cancelled', reason: 'ioc_unfilled', filled: 4 });
    const none = engine.submit(b, 'sell', 'market', 'gtc', 0, L(1));
    expect(rec.doneOf(none)).toMatchObject({ status: 'cancelled', reason: 'no_liquidity', filled: 0 });
  });

  it('reports a fully filled taker as filled', () => {
    const { engine, rec, a, b } = setup();
    engine.submit(a, 'sell', 'limit', 'gtc', T(100), L(5));
    const id = engine.submit(b, 'buy', 'market', 'gtc', 0, L(5));
    expect(rec.doneOf(id)).toMatchObject({ status: 'filled', reason: null, filled: 5 });
  });
});

describe('amend', () => {
  it('keeps queue priority on a size decrease at the same price', () => {
    const { engine, a, b } = setup();
    const x = engine.submit(a, 'buy', 'limit', 'gtc', T(100), L(5));
    const y = engine.submit(b, 'buy', 'limit', 'gtc', T(100), L(5));
    expect(engine.amend(x, 0, L(2))).toBe(true);
    expect(engine.queueAt('buy', 100)).toEqual([x, y]);
    expect(engine.depth('buy')).toEqual([[100, 7]]);
  });

  it('sends the order to the back on a size increase', () => {
    const { engine, a, b } = setup();
    const x = engine.submit(a, 'buy', 'limit', 'gtc', T(100), L(5));
    const y = engine.submit(b, 'buy', 'limit', 'gtc', T(100), L(5));
    expect(engine.amend(x, 0, L(6))).toBe(true);
    expect(engine.queueAt('buy', 100)).toEqual([y, x]);
    expect(engine.depth('buy')).toEqual([[100, 11]]);
  });

  it('sends the order to the back of the new level on a price change', () => {
    const { engine, a, b } = setup();
    const x = engine.submit(a, 'buy', 'limit', 'gtc', T(100), L(5));
    const y = engine.submit(b, 'buy', 'limit', 'gtc', T(99), L(5));
    expect(engine.amend(x, T(99), 0)).toBe(true);
    expect(engine.queueAt('buy', 99)).toEqual([y, x]);
    expect(engine.depth('buy')).toEqual([[99, 10]]);
  });

  it('finishes the order when amended to a size at or below what has filled', () => {
    const { engine, rec, a, b } = setup();
    const x = engine.submit(a, 'sell', 'limit', 'gtc', T(100), L(10));
    engine.submit(b, 'buy', 'limit', 'ioc', T(100), L(4));
    expect(engine.amend(x, 0, L(3))).toBe(true);
    expect(rec.doneOf(x)).toMatchObject({ status: 'filled', size: 4, filled: 4 });
    expect(engine.depth('sell')).toEqual([]);
  });

  it('matches when a price amend crosses, and refuses that for post-only', () => {
    const { engine, rec, a, b } = setup();
    engine.submit(a, 'sell', 'limit', 'gtc', T(101), L(2));
    const po = engine.submit(b, 'buy', 'limit', 'post_only', T(99), L(2));
    expect(engine.amend(po, T(101), 0)).toBe(false);
    expect(engine.lastReject).toBe('post_only_would_take');
    expect(engine.order(po)).toMatchObject({ price: 99, size: 2, filled: 0 });
    const g = engine.submit(b, 'buy', 'limit', 'gtc', T(98), L(3));
    expect(engine.amend(g, T(101), 0)).toBe(true);
    expect(rec.fills.at(-1)).toMatchObject({ takerId: g, price: 101, lots: 2 });
    expect(engine.depth('buy')).toEqual([
      [101, 1],
      [99, 2],
    ]);
  });

  it('answers unknown_order for an order that is not resting', () => {
    const { engine } = setup();
    expect(engine.amend(42, T(100), 0)).toBe(false);
    expect(engine.lastReject).toBe('unknown_order');
    expect(engine.cancel(42)).toBe(false);
    expect(engine.lastReject).toBe('unknown_order');
  });
});

describe('self-trade prevention (cancel resting)', () => {
  it('cancels the resting order of the same owner and keeps matching deeper', () => {
    const { engine, rec, a, b } = setup();
    const own = engine.submit(a, 'sell', 'limit', 'gtc', T(100), L(2));
    const other = engine.submit(b, 'sell', 'limit', 'gtc', T(100), L(2));
    const taker = engine.submit(a, 'buy', 'limit', 'gtc', T(100), L(3));
    expect(rec.doneOf(own)).toMatchObject({ status: 'cancelled', reason: 'self_trade', filled: 0 });
    expect(rec.fills).toEqual([expect.objectContaining({ makerId: other, takerId: taker, lots: 2 })]);
    expect(engine.depth('buy')).toEqual([[100, 1]]);
    expect(engine.depth('sell')).toEqual([]);
  });
});

describe('cancel and cancel-all', () => {
  it('cancels only the given owner', () => {
    const { engine, rec, a, b } = setup();
    engine.submit(a, 'buy', 'limit', 'gtc', T(98), L(1));
    engine.submit(b, 'buy', 'limit', 'gtc', T(98), L(1));
    engine.submit(a, 'sell', 'limit', 'gtc', T(103), L(1));
    expect(engine.cancelAll(a)).toBe(2);
    expect(rec.done.every((d) => d.owner === a && d.reason === 'user')).toBe(true);
    expect(engine.restingOrders().map((o) => o.owner)).toEqual([b]);
  });
});

describe('funding', () => {
  it('refuses a limit the balance cannot fund and leaves balances and book intact', () => {
    const { engine, ledger, a } = setup();
    const f = funded(ledger, '100', '1');
    engine.submit(a, 'sell', 'limit', 'gtc', T(5000), L(100));
    // 30 lots at 50.00 = 150 USD > 100 USD.
    expect(engine.submit(f, 'buy', 'limit', 'gtc', T(5000), L(30))).toBe(0);
    expect(engine.lastReject).toBe('insufficient_funds');
    // 11 lots = 1.1 TST > 1 TST.
    expect(engine.submit(f, 'sell', 'limit', 'gtc', T(6000), L(11))).toBe(0);
    expect(ledger.total(f, 'USD').toFixed()).toBe('100');
    expect(ledger.locked(f, 'USD').isZero()).toBe(true);
    expect(engine.depth('sell')).toEqual([[5000, 100]]);
    expect(engine.depth('buy')).toEqual([]);
  });

  it('locks the order value plus a taker-fee reserve and releases it on cancel', () => {
    const { engine, ledger } = setup();
    const f = funded(ledger);
    const id = engine.submit(f, 'buy', 'limit', 'gtc', T(5000), L(10));
    // 1 TST at 50.00 = 50 USD, plus 0.06 % = 50.03.
    expect(ledger.locked(f, 'USD').toFixed()).toBe('50.03');
    expect(ledger.free(f, 'USD').toFixed()).toBe('949.97');
    const s = engine.submit(f, 'sell', 'limit', 'gtc', T(6000), L(25));
    expect(ledger.locked(f, 'TST').toFixed()).toBe('2.5');
    engine.cancel(id);
    engine.cancel(s);
    expect(ledger.locked(f, 'USD').isZero()).toBe(true);
    expect(ledger.locked(f, 'TST').isZero()).toBe(true);
    expect(ledger.total(f, 'USD').toFixed()).toBe('1000');
  });

  it('settles maker and taker fees exactly in the quote asset', () => {
    const { engine, ledger } = setup();
    const maker = funded(ledger);
    const taker = funded(ledger);
    engine.submit(maker, 'sell', 'limit', 'gtc', T(5000), L(10));
    engine.submit(taker, 'buy', 'limit', 'gtc', T(5100), L(10));
    // Notional 50 USD: the maker receives 50 - 0.005, the taker pays 50 + 0.03.
    expect(ledger.total(maker, 'USD').toFixed()).toBe('1049.995');
    expect(ledger.total(maker, 'TST').toFixed()).toBe('9');
    expect(ledger.total(taker, 'USD').toFixed()).toBe('949.97');
    expect(ledger.total(taker, 'TST').toFixed()).toBe('11');
    expect(ledger.locked(taker, 'USD').isZero()).toBe(true);
    expect(ledger.locked(maker, 'TST').isZero()).toBe(true);
  });

  it('credits a maker rebate (negative maker fee)', () => {
    const { engine, ledger } = setup('-0.0002', '0.0005');
    const maker = funded(ledger);
    const taker = funded(ledger);
    engine.submit(maker, 'buy', 'limit', 'gtc', T(5000), L(10));
    engine.submit(taker, 'sell', 'market', 'gtc', 0, L(10));
    expect(ledger.total(maker, 'USD').toFixed()).toBe('950.01');
    expect(ledger.total(taker, 'USD').toFixed()).toBe('1049.975');
  });

  it('fills a market buy only as far as the free balance pays', () => {
    const { engine, ledger, rec, a } = setup();
    const f = funded(ledger, '120', '0');
    engine.submit(a, 'sell', 'limit', 'gtc', T(5000), L(20));
    engine.submit(a, 'sell', 'limit', 'gtc', T(6000), L(20));
    const id = engine.submit(f, 'buy', 'market', 'gtc', 0, L(40));
    // 2 TST at 50 costs 100.06; the remaining 19.94 buys 3 lots at 60 (18 + fee 0.0108).
    expect(rec.doneOf(id)).toMatchObject({ status: 'cancelled', reason: 'insufficient_funds', filled: 23 });
    expect(ledger.total(f, 'TST').toFixed()).toBe('2.3');
    expect(ledger.free(f, 'USD').isNegative()).toBe(false);
    const poor = funded(ledger, '6', '0'); // one lot at 60.00 costs 6.0036
    expect(engine.submit(poor, 'buy', 'market', 'gtc', 0, L(5))).toBe(0);
    expect(engine.lastReject).toBe('insufficient_funds');
  });
});

describe('bad input', () => {
  it('throws a clear EngineError and changes nothing', () => {
    const { engine, rec, a } = setup();
    engine.submit(a, 'buy', 'limit', 'gtc', T(100), L(1));
    const before = engine.depth('buy');
    const bad: (() => unknown)[] = [
      () => engine.submit(a, 'buy', 'limit', 'gtc', T(0), L(1)),
      () => engine.submit(a, 'buy', 'limit', 'gtc', T(100.5), L(1)),
      () => engine.submit(a, 'buy', 'limit', 'gtc', T(100), L(0)),
      () => engine.submit(a, 'buy', 'limit', 'gtc', T(100), L(-3)),
      () => engine.submit(a, 'buy', 'market', 'gtc', T(100), L(1)),
      () => engine.submit(a, 'buy', 'market', 'post_only', 0, L(1)),
      () => engine.amend(1, T(1.5), 0),
    ];
    for (const fn of bad) {
      expect(fn).toThrow(EngineError);
    }
    expect(engine.depth('buy')).toEqual(before);
    expect(rec.accepted).toHaveLength(1);
  });

  it('refuses to be re-entered from a listener', () => {
    const ledger = new Ledger();
    const a = ledger.addOwner('a', true);
    const b = ledger.addOwner('b', true);
    const engine = new MatchingEngine(testInstrument(), ledger);
    let caught: unknown;
    engine.setListener({
      onAccept() {},
      onAmend() {},
      onFill() {
        try {
          engine.submit(a, 'buy', 'limit', 'gtc', T(1), L(1));
        } catch (err) {
          caught = err;
        }
      },
      onDone() {},
    });
    engine.submit(a, 'sell', 'limit', 'gtc', T(100), L(1));
    engine.submit(b, 'buy', 'limit', 'gtc', T(100), L(1));
    expect(caught).toBeInstanceOf(EngineError);
    expect(engine.depth('buy')).toEqual([]);
  });
});

describe('L2 changes', () => {
  it('reports every changed level once, best first, however many changes piled up between flushes', () => {
    const { engine, a } = setup();
    const ids: number[] = [];
    // 6000 changes on 3000 levels with no flush in between: the pending list compacts itself.
    for (let i = 0; i < 3000; i++) ids.push(engine.submit(a, 'buy', 'limit', 'gtc', T(1000 + i), L(1)));
    for (let i = 0; i < 3000; i += 2) engine.cancel(ids[i]!);
    const change = engine.flushL2()!;
    expect(change.asks).toEqual([]);
    expect(change.bids).toHaveLength(3000);
    expect(change.bids[0]).toEqual([3999, 1]);
    expect(change.bids.at(-1)).toEqual([1000, 0]);
    expect(change.bids.filter(([, size]) => size > 0)).toEqual(engine.depth('buy', 5000));
    expect(engine.flushL2()).toBeUndefined();
  });
});

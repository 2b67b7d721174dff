import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../../engine/core/decimal.ts';
import { l, rig, SYMBOL, t } from './helpers.ts';

describe('the simulated account', () => {
  it('settles every fill exactly: quote spent = price x size + fee, base received = size', async () => {
    const r = rig();
    // A maker buy by a trade through it, a taker buy, a maker sell by a crossing book, a taker sell.
    r.place({ clientId: 'b1', timeInForce: 'post_only', price: t(10000), size: l(7) });
    r.place({ clientId: 'b2', timeInForce: 'ioc', price: t(10001), size: l(13) });
    r.place({ clientId: 's1', side: 'sell', timeInForce: 'post_only', price: t(10003), size: l(9) });
    r.clock.advance(10);
    r.feed.trade(9999, 50, 'sell');
    // The bids come up through our ask.
    r.feed.delta(
      [[10004, 30]],
      [
        [10001, 0],
        [10002, 0],
        [10005, 10],
      ],
    );
    r.clock.advance(10);
    r.place({ clientId: 's2', side: 'sell', type: 'market', price: undefined, size: l(3) });
    r.clock.advance(10);
    const fills = r.fills();
    expect(fills.map((f) => [f.clientId, f.side, f.price, f.size, f.liquidity])).toEqual([
      ['b2', 'buy', 10001, 13, 'taker'],
      ['b1', 'buy', 10000, 7, 'maker'],
      ['s1', 'sell', 10003, 9, 'maker'],
      ['s2', 'sell', 10004, 3, 'taker'],
    ]);
    let quote = new Decimal(100000);
    let base = new Decimal(100);
    for (const f of fills) {
      const notional = new Decimal(f.price).mul('0.01').mul(new Decimal(f.size).mul('0.1'));
      const rate = f.liquidity === 'maker' ? '0.0001' : '0.0006';
      expect(f.fee).toBe(notional.mul(rate).toFixed());
      const size = new Decimal(f.size).mul('0.1');
      if (f.side === 'buy') {
        quote = quote.minus(notional).minus(f.fee);
        base = base.plus(size);
      } else {
        quote = quote.plus(notional).minus(f.fee);
        base = base.minus(size);
      }
    }
    const balances = await r.settle(r.exec.balances());
    expect(balances).toEqual([
      { asset: 'TST', total: base.toFixed(), free: base.toFixed() },
      { asset: 'USD', total: quote.toFixed(), free: quote.toFixed() },
    ]);
    expect(base.toFixed()).toBe('100.8');
  });

  it('a resting order locks what it may spend; free comes back as it fills or is cancelled', async () => {
    const r = rig();
    r.place({ clientId: 'b1', price: t(9990), size: l(10) });
    r.place({ clientId: 's1', side: 'sell', price: t(10010), size: l(20) });
    r.clock.advance(10);
    // 99.90 x 1.0 x (1 + 0.0006) locked in USD; 2.0 TST locked.
    expect(await r.settle(r.exec.balances())).toEqual([
      { asset: 'TST', total: '100', free: '98' },
      { asset: 'USD', total: '100000', free: new Decimal(100000).minus('99.95994').toFixed() },
    ]);
    r.feed.trade(9980, 4, 'sell');
    r.clock.advance(10);
    const afterFill = await r.settle(r.exec.balances());
    // 0.4 bought at 99.90 plus the maker fee; 0.6 still reserved at the order's rate.
    const spent = new Decimal('39.96').plus('0.003996');
    const reserved = new Decimal('59.94').mul('1.0006');
    expect(afterFill).toEqual([
      { asset: 'TST', total: '100.4', free: '98.4' },
      {
        asset: 'USD',
        total: new Decimal(100000).minus(spent).toFixed(),
        free: new Decimal(100000).minus(spent).minus(reserved).toFixed(),
      },
    ]);
    expect(await r.settle(r.exec.cancelAll(SYMBOL))).toEqual({ ok: true, value: { cancelled: 2 } });
    const after = await r.settle(r.exec.balances());
    for (const b of after) expect(b.free, b.asset).toBe(b.total);
  });

  it('cancelAll cancels every open order of the symbol, oldest first, and leaves none open', async () => {
    const r = rig();
    for (const [i, price] of [9990, 9991, 9992].entries()) r.place({ clientId: `b${i}`, price: t(price) });
    r.clock.advance(10);
    expect(await r.settle(r.exec.openOrders(SYMBOL))).toHaveLength(3);
    expect(await r.settle(r.exec.cancelAll(SYMBOL))).toEqual({ ok: true, value: { cancelled: 3 } });
    expect(r.events.slice(-3).map((e) => e.type === 'order' && [e.clientId, e.status, e.reason])).toEqual([
      ['b0', 'cancelled', 'user'],
      ['b1', 'cancelled', 'user'],
      ['b2', 'cancelled', 'user'],
    ]);
    expect(await r.settle(r.exec.openOrders())).toEqual([]);
    expect(await r.settle(r.exec.cancelAll('NOPEUSD'))).toMatchObject({ ok: false, code: 'invalid_order' });
    // A cancelled order no longer fills.
    r.feed.trade(9900, 100, 'sell');
    r.clock.advance(10);
    expect(r.fills()).toEqual([]);
  });

  it('executionsSince returns our fills with venue time at or after the mark, oldest first', async () => {
    const r = rig();
    const start = r.clock.now();
    r.place({ clientId: 'b1', price: t(9999), size: l(10) });
    r.clock.advance(10);
    r.feed.trade(9998, 4, 'sell');
    r.clock.advance(100);
    const mark = r.clock.now();
    r.feed.trade(9998, 6, 'sell');
    r.clock.advance(10);
    const all = await r.settle(r.exec.executionsSince(start));
    expect(all).toEqual(r.fills());
    expect(all.map((f) => f.size)).toEqual([4, 6]);
    expect(await r.settle(r.exec.executionsSince(mark))).toEqual([r.fills()[1]]);
    expect(await r.settle(r.exec.executionsSince(start, 'NOPEUSD'))).toEqual([]);
    expect(new Set(all.map((f) => f.execId)).size).toBe(2);
  });
});

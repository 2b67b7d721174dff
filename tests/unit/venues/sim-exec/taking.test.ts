import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../../engine/core/decimal.ts';
import { l, rig, t } from './helpers.ts';

const balanceOf = async (r: ReturnType<typeof rig>, asset: string) =>
  (await r.settle(r.exec.balances())).find((b) => b.asset === asset);

const sizesOf = (r: ReturnType<typeof rig>, clientId: string) =>
  r
    .fills()
    .filter((f) => f.clientId === clientId)
    .map((f) => f.size);

describe('orders that take liquidity', () => {
  it('an IOC walks two levels at the taker fee and cancels the rest', async () => {
    const r = rig();
    const answers = r.place({ clientId: 'i1', timeInForce: 'ioc', price: t(10002), size: l(100) });
    r.clock.advance(10);
    expect(answers).toMatchObject([{ ok: true, value: { clientId: 'i1' } }]);
    // 3.0 at 100.01 and 4.0 at 100.02; fees 0.0006 of 300.03 and of 400.08.
    expect(r.fills().map((f) => [f.price, f.size, f.liquidity, f.fee, f.feeAsset])).toEqual([
      [10001, 30, 'taker', '0.180018', 'USD'],
      [10002, 40, 'taker', '0.240048', 'USD'],
    ]);
    // Its state goes out once, after the fills.
    expect(r.updates('i1')).toMatchObject([
      { status: 'cancelled', reason: 'ioc_unfilled', size: 100, filled: 70, updateSeq: 1 },
    ]);
    const spent = new Decimal('300.03').plus('400.08').plus('0.180018').plus('0.240048');
    expect(await balanceOf(r, 'USD')).toEqual({
      asset: 'USD',
      total: new Decimal(100000).minus(spent).toFixed(),
      free: new Decimal(100000).minus(spent).toFixed(),
    });
    expect(await balanceOf(r, 'TST')).toEqual({ asset: 'TST', total: '107', free: '107' });
  });

  it('never takes more than the book shows: what we took is gone until the feed shows more', () => {
    const r = rig();
    r.place({ clientId: 'i1', timeInForce: 'ioc', price: t(10001), size: l(30) });
    r.clock.advance(10);
    r.place({ clientId: 'i2', timeInForce: 'ioc', price: t(10001), size: l(10) });
    r.clock.advance(10);
    expect(r.updates('i2')).toMatchObject([{ status: 'cancelled', reason: 'ioc_unfilled', filled: 0 }]);
    // Someone adds 2.0 at 100.01: those 20 lots are there for us.
    r.feed.delta([], [[10001, 50]]);
    r.place({ clientId: 'i3', timeInForce: 'ioc', price: t(10001), size: l(30) });
    r.clock.advance(10);
    expect(sizesOf(r, 'i3')).toEqual([20]);
    // The level shrinks to 1.0 (others took it), then 1.5 more join: only what is new is ours.
    r.feed.delta([], [[10001, 10]]);
    r.feed.delta([], [[10001, 25]]);
    r.place({ clientId: 'i4', timeInForce: 'ioc', price: t(10001), size: l(30) });
    r.clock.advance(10);
    expect(sizesOf(r, 'i4')).toEqual([15]);
  });

  it('a market order walks the book as far as it must', () => {
    const r = rig();
    r.place({ clientId: 'm1', side: 'sell', type: 'market', price: undefined, size: l(60) });
    r.clock.advance(10);
    expect(r.fills().map((f) => [f.price, f.size, f.liquidity])).toEqual([
      [9999, 50, 'taker'],
      [9998, 10, 'taker'],
    ]);
    expect(r.updates('m1')).toMatchObject([{ status: 'filled', filled: 60 }]);
    r.place({ clientId: 'm2', side: 'sell', type: 'market', price: undefined, size: l(100) });
    r.clock.advance(10);
    expect(r.updates('m2')).toMatchObject([{ status: 'cancelled', reason: 'ioc_unfilled', filled: 40 }]);
  });

  it('a GTC limit takes its crossing part and rests the rest at its price', () => {
    const r = rig();
    r.place({ clientId: 'g1', price: t(10001), size: l(50) });
    r.clock.advance(10);
    expect(r.fills().map((f) => [f.price, f.size, f.liquidity])).toEqual([[10001, 30, 'taker']]);
    expect(r.updates('g1')).toMatchObject([{ status: 'partially_filled', filled: 30, price: 10001 }]);
    // The feed still shows the asks we took; they do not fill us again.
    r.feed.delta([[9998, 40]], []);
    r.clock.advance(10);
    expect(r.fills()).toHaveLength(1);
    // New liquidity at our price does: the book shows the opposite side at our price.
    r.feed.delta([], [[10001, 35]]);
    r.clock.advance(10);
    expect(r.fills().map((f) => [f.price, f.size, f.liquidity])).toEqual([
      [10001, 30, 'taker'],
      [10001, 20, 'maker'],
    ]);
    expect(r.updates('g1').at(-1)).toMatchObject({ status: 'filled', filled: 50 });
  });
});

import { describe, expect, it } from 'vitest';
import { ASKS, l, rig, SYMBOL, t } from './helpers.ts';

/** A rig whose bid at 99.99 shows `shown` public lots, with a resting buy of ours there. */
function restingBid(shown: number, size = 10) {
  const r = rig();
  r.feed.snapshot(
    [
      [9999, shown],
      [9998, 50],
    ],
    ASKS,
  );
  r.place({ clientId: 'b1', price: t(9999), size: l(size) });
  r.clock.advance(10);
  return r;
}

const causes = (r: ReturnType<typeof rig>) => r.fills().map((f) => [f.size, f.liquidity, f.cause]);

describe('the cause of each simulated fill', () => {
  it("a trade at our price, once the queue ahead is consumed: 'trade'", () => {
    const r = restingBid(2);
    r.feed.trade(9999, 5, 'sell');
    r.clock.advance(10);
    expect(causes(r)).toEqual([[3, 'maker', 'trade']]);
  });

  it("a trade printed through our price: 'trade-through', even with a queue still ahead", () => {
    const r = restingBid(50);
    r.feed.trade(9998, 4, 'sell');
    r.clock.advance(10);
    expect(causes(r)).toEqual([[4, 'maker', 'trade-through']]);
  });

  it("the book showing the opposite side at our price, with no trade: 'cross'", () => {
    const r = restingBid(50);
    r.feed.delta(
      [[9999, 0]],
      [
        [9999, 20],
        [10001, 0],
      ],
    );
    r.clock.advance(10);
    expect(causes(r)).toEqual([[10, 'maker', 'cross']]);
  });

  it("taking liquidity on arrival: 'taker'; the rest of the order, resting, fills by a cross", () => {
    const r = rig();
    r.place({ clientId: 'g1', price: t(10001), size: l(50) });
    r.clock.advance(10);
    r.feed.delta([], [[10001, 35]]);
    r.clock.advance(10);
    expect(causes(r)).toEqual([
      [30, 'taker', 'taker'],
      [20, 'maker', 'cross'],
    ]);
  });

  it("an amend that makes a resting order marketable takes as 'taker'", async () => {
    const r = restingBid(50, 10);
    const answer = await r.settle(r.exec.amendOrder({ symbol: SYMBOL, clientId: 'b1', price: t(10001) }));
    expect(answer).toMatchObject({ ok: true });
    expect(causes(r)).toEqual([[10, 'taker', 'taker']]);
  });

  it('one trade can fill through one order of ours and at the price of another', () => {
    const r = restingBid(0, 3);
    r.place({ clientId: 'b2', price: t(9998), size: l(3) });
    r.clock.advance(10);
    r.feed.delta([[9998, 0]], []);
    r.feed.trade(9998, 4, 'sell');
    r.clock.advance(10);
    expect(r.fills().map((f) => [f.clientId, f.size, f.cause])).toEqual([
      ['b1', 3, 'trade-through'],
      ['b2', 1, 'trade'],
    ]);
  });

  it('executionsSince reports the same causes', async () => {
    const r = restingBid(2);
    r.feed.trade(9999, 3, 'sell');
    r.feed.trade(9998, 1, 'sell');
    r.clock.advance(10);
    const fills = await r.settle(r.exec.executionsSince(0));
    expect(fills.map((f) => f.cause)).toEqual(['trade', 'trade-through']);
    expect(fills).toEqual(r.fills());
  });
});

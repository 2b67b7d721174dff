import { describe, expect, it } from 'vitest';
import { ASKS, l, rig, SYMBOL, t } from './helpers.ts';

/** A rig whose bid at 99.99 shows `ahead` lots, with a resting buy of ours there once the clock moves. */
function restingBid(ahead: number, size = 3, price = 9999) {
  const r = rig();
  r.feed.snapshot(
    [
      [9999, ahead],
      [9998, 50],
    ],
    ASKS,
  );
  const answers = r.place({ clientId: 'b1', price: t(price), size: l(size) });
  r.clock.advance(10);
  expect(answers).toMatchObject([{ ok: true }]);
  expect(r.updates('b1').at(-1)).toMatchObject({ status: 'new', filled: 0 });
  return r;
}

/** A public sell of `size` lots at `price`, then the delta that shows the level after it. */
function sellAt(r: ReturnType<typeof rig>, price: number, size: number, levelAfter?: number): void {
  r.feed.trade(price, size, 'sell');
  if (levelAfter !== undefined) r.feed.delta([[price, levelAfter]], []);
  r.clock.advance(10);
}

const filledLots = (r: ReturnType<typeof rig>, clientId = 'b1') =>
  r
    .fills()
    .filter((f) => f.clientId === clientId)
    .reduce((n, f) => n + f.size, 0);

describe('resting orders under the risk-averse queue model', () => {
  it('a bid with 5 lots ahead fills only after 5 lots traded at its price, then by the 6th to 8th', () => {
    const r = restingBid(5);
    for (let k = 1; k <= 5; k++) {
      sellAt(r, 9999, 1, 5 - k);
      expect(filledLots(r), `after trade ${k}`).toBe(0);
    }
    for (let k = 6; k <= 8; k++) {
      sellAt(r, 9999, 1);
      expect(filledLots(r), `after trade ${k}`).toBe(k - 5);
    }
    const fills = r.fills();
    expect(fills.map((f) => [f.price, f.size, f.liquidity])).toEqual([
      [9999, 1, 'maker'],
      [9999, 1, 'maker'],
      [9999, 1, 'maker'],
    ]);
    // Maker fee: 99.99 x 0.1 x 0.0001.
    expect(fills[0]!.fee).toBe('0.0009999');
    expect(r.updates('b1').map((u) => u.status)).toEqual([
      'new',
      'partially_filled',
      'partially_filled',
      'filled',
    ]);
  });

  it('a trade bigger than the queue ahead fills us with what is left of it', () => {
    const r = restingBid(5);
    sellAt(r, 9999, 7);
    expect(filledLots(r)).toBe(2);
  });

  it('only trades that take our side move the queue: a buy at our bid price does not', () => {
    const r = restingBid(0);
    r.feed.trade(9999, 5, 'buy');
    r.clock.advance(10);
    expect(filledLots(r)).toBe(0);
  });

  it('a trade through our price fills us up to its size, and nothing is ahead afterwards', () => {
    const r = restingBid(50, 5, 9998);
    sellAt(r, 9997, 2);
    expect(r.fills().map((f) => [f.price, f.size, f.liquidity])).toEqual([[9998, 2, 'maker']]);
    sellAt(r, 9998, 1);
    expect(filledLots(r)).toBe(3);
    sellAt(r, 9990, 10);
    expect(filledLots(r)).toBe(5);
    expect(r.updates('b1').at(-1)).toMatchObject({ status: 'filled', filled: 5 });
  });

  it('a book update that shows the opposite side at our price fills the rest as maker at our price', () => {
    const r = restingBid(50, 4);
    sellAt(r, 9999, 51);
    expect(filledLots(r)).toBe(1);
    // The asks come down to our bid.
    r.feed.delta(
      [[9999, 0]],
      [
        [9999, 20],
        [10001, 0],
      ],
    );
    expect(filledLots(r)).toBe(1);
    r.clock.advance(10);
    expect(r.fills().map((f) => [f.price, f.size, f.liquidity])).toEqual([
      [9999, 1, 'maker'],
      [9999, 3, 'maker'],
    ]);
    expect(r.updates('b1').at(-1)).toMatchObject({ status: 'filled', filled: 4 });
  });

  it('a shrinking level moves us forward only as far as it must (cancels come from behind us)', () => {
    const r = restingBid(50);
    r.feed.delta([[9999, 80]], []); // others join behind us
    r.feed.delta([[9999, 60]], []); // and cancel: still 50 ahead
    sellAt(r, 9999, 50, 10);
    expect(filledLots(r)).toBe(0);
    sellAt(r, 9999, 1, 9);
    expect(filledLots(r)).toBe(1);

    const s = restingBid(50);
    s.feed.delta([[9999, 30]], []); // fewer shown than were ahead: at most 30 ahead now
    sellAt(s, 9999, 30, 0);
    expect(filledLots(s)).toBe(0);
    sellAt(s, 9999, 1);
    expect(filledLots(s)).toBe(1);
  });

  it('two orders of ours at one price share a trade: one public lot never fills both', () => {
    const r = restingBid(50);
    r.place({ clientId: 'b2', price: t(9999), size: l(3) });
    r.clock.advance(10);
    sellAt(r, 9999, 53);
    expect([filledLots(r, 'b1'), filledLots(r, 'b2')]).toEqual([3, 0]);
    sellAt(r, 9999, 2);
    expect([filledLots(r, 'b1'), filledLots(r, 'b2')]).toEqual([3, 2]);
  });

  it('an amend that decreases the size keeps the place; a price change or a size increase loses it', async () => {
    const cases = [
      { amend: [{ size: l(5) }], kept: true },
      {
        amend: [{ price: t(9998) }, { price: t(9999) }],
        kept: false,
      },
      { amend: [{ size: l(12) }], kept: false },
    ];
    for (const { amend, kept } of cases) {
      const r = restingBid(50, 10);
      r.feed.delta([[9999, 80]], []); // 30 lots queue up behind us
      sellAt(r, 9999, 45, 35); // 5 left ahead of us, 35 shown
      for (const change of amend) {
        const answer = await r.settle(r.exec.amendOrder({ symbol: SYMBOL, clientId: 'b1', ...change }));
        expect(answer).toMatchObject({ ok: true });
      }
      sellAt(r, 9999, 6, 29);
      // Kept: 5 ahead, so the 6th lot is ours. Lost: the 35 shown are all ahead again.
      expect(filledLots(r), JSON.stringify(amend)).toBe(kept ? 1 : 0);
      sellAt(r, 9999, 29, 0);
      expect(filledLots(r), JSON.stringify(amend)).toBe(kept ? 5 : 0);
      sellAt(r, 9999, 1);
      expect(filledLots(r), JSON.stringify(amend)).toBe(kept ? 5 : 1);
    }
  });
});

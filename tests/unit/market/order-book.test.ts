import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { EngineError } from '../../../engine/core/errors.ts';
import type { Lots, Ticks } from '../../../engine/core/instrument.ts';
import { Rng } from '../../../engine/core/random.ts';
import { FeedHealth } from '../../../engine/market/feed-health.ts';
import { OrderBook } from '../../../engine/market/order-book.ts';
import { TradeTape } from '../../../engine/market/trade-tape.ts';
import type { BookDelta, BookSnapshot, Level } from '../../../engine/market/types.ts';

const L = (p: number, s: number): Level => [p as Ticks, s as Lots];
function snap(seq: number, bids: [number, number][], asks: [number, number][], ts = 0): BookSnapshot {
  return {
    kind: 'snapshot',
    symbol: 'X',
    seq,
    ts,
    bids: bids.map(([p, s]) => L(p, s)),
    asks: asks.map(([p, s]) => L(p, s)),
  };
}
function delta(seq: number, bids: [number, number][], asks: [number, number][], prevSeq?: number): BookDelta {
  return {
    kind: 'delta',
    symbol: 'X',
    seq,
    ...(prevSeq === undefined ? {} : { prevSeq }),
    ts: seq,
    bids: bids.map(([p, s]) => L(p, s)),
    asks: asks.map(([p, s]) => L(p, s)),
  };
}

function book(clock = new SimClock()): OrderBook {
  return new OrderBook('X', clock);
}

describe('OrderBook', () => {
  it('applies a snapshot then deltas; size 0 deletes; best prices follow', () => {
    const b = book();
    expect(
      b.apply(
        snap(
          10,
          [
            [100, 5],
            [99, 3],
            [97, 1],
          ],
          [
            [102, 4],
            [103, 2],
          ],
        ),
      ),
    ).toBe('ok');
    expect([b.bestBid(), b.bestAsk(), b.spread(), b.mid()]).toEqual([100, 102, 2, 101]);
    expect(b.apply(delta(11, [[101, 7]], []))).toBe('ok');
    expect(b.bestBid()).toBe(101);
    expect(
      b.apply(
        delta(
          12,
          [
            [101, 0],
            [100, 0],
          ],
          [[102, 0]],
        ),
      ),
    ).toBe('ok');
    expect([b.bestBid(), b.bestAsk()]).toEqual([99, 103]);
    expect(b.levels('buy', 10)).toEqual([L(99, 3), L(97, 1)]);
    expect(b.levels('sell', 10)).toEqual([L(103, 2)]);
    expect(b.levelCount('buy')).toBe(2);
  });

  it('ignores the deletion of a level it never had', () => {
    const b = book();
    b.apply(snap(1, [[100, 5]], [[102, 4]]));
    expect(
      b.apply(
        delta(
          2,
          [
            [50, 0],
            [100_000, 0],
          ],
          [[101, 0]],
        ),
      ),
    ).toBe('ok');
    expect(b.levels('buy', 5)).toEqual([L(100, 5)]);
    expect(b.levels('sell', 5)).toEqual([L(102, 4)]);
  });

  it('detects a gap by prevSeq and by the seq+1 rule, refuses deltas until a snapshot', () => {
    const b = book();
    b.apply(snap(1, [[100, 5]], [[102, 4]]));
    expect(b.apply(delta(3, [[100, 9]], []))).toBe('gap');
    expect(b.status()).toBe('gap');
    expect(b.sizeAt('buy', 100)).toBe(5);
    expect(b.apply(delta(4, [[100, 9]], []))).toBe('gap');
    expect(b.apply(snap(10, [[100, 1]], [[102, 1]]))).toBe('ok');
    expect(b.apply(delta(20, [[100, 2]], [], 10))).toBe('ok');
    expect(b.apply(delta(25, [[100, 3]], [], 21))).toBe('gap');
    expect(b.sizeAt('buy', 100)).toBe(2);
    expect(b.gapCount).toBe(2);
  });

  it('refuses a delta before any snapshot and ignores stale ones', () => {
    const b = book();
    expect(b.apply(delta(1, [[100, 1]], []))).toBe('no_snapshot');
    expect(b.bestBid()).toBeUndefined();
    b.apply(snap(5, [[100, 5]], [[102, 4]]));
    expect(b.apply(delta(5, [[100, 9]], []))).toBe('stale');
    expect(b.apply(delta(3, [[100, 9]], []))).toBe('stale');
    expect(b.sizeAt('buy', 100)).toBe(5);
    expect(b.staleCount).toBe(2);
  });

  it('reports a crossed book and recovers when a later delta uncrosses it', () => {
    const b = book();
    b.apply(snap(1, [[100, 5]], [[102, 4]]));
    expect(b.apply(delta(2, [[102, 1]], []))).toBe('crossed');
    expect(b.status()).toBe('crossed');
    expect(b.crossedCount).toBe(1);
    expect(b.apply(delta(3, [], [[102, 0]]))).toBe('ok');
    expect(b.status()).toBe('ok');
  });

  it('answers queries on an empty side without inventing a price', () => {
    const b = book();
    b.apply(snap(1, [[100, 5]], []));
    expect(b.bestAsk()).toBeUndefined();
    expect(b.mid()).toBeUndefined();
    expect(b.microprice()).toBeUndefined();
    expect(b.spread()).toBeUndefined();
    expect(b.bestAskSize()).toBe(0);
    expect(b.sizeToPrice('sell', 1000)).toBe(0);
    expect(b.imbalance(5)).toBe(1);
    b.apply(delta(2, [[100, 0]], []));
    expect(b.bestBid()).toBeUndefined();
    expect(b.imbalance(5)).toBe(0);
  });

  it('computes microprice, imbalance and size to a price from a small book', () => {
    const b = book();
    b.apply(
      snap(
        1,
        [
          [100, 3],
          [99, 2],
          [98, 5],
        ],
        [
          [101, 1],
          [102, 4],
          [104, 6],
        ],
      ),
    );
    // microprice = (100*1 + 101*3) / (1+3) = 100.75: leans to the ask, which has less size.
    expect(b.microprice()).toBe(100.75);
    // imbalance top 2: bids 5, asks 5 → 0; top 3: bids 10, asks 11 → -1/21.
    expect(b.imbalance(2)).toBe(0);
    expect(b.imbalance(3)).toBeCloseTo(-1 / 21, 15);
    expect(b.sizeToPrice('buy', 99)).toBe(5);
    expect(b.sizeToPrice('buy', 50)).toBe(10);
    expect(b.sizeToPrice('sell', 103)).toBe(5);
    expect(b.sizeToPrice('sell', 100)).toBe(0);
    expect(b.levels('buy', 2)).toEqual([L(100, 3), L(99, 2)]);
    expect(b.levels('sell', 2)).toEqual([L(101, 1), L(102, 4)]);
  });

  it('tracks age on the injected clock', () => {
    const clock = new SimClock(1_000);
    const b = book(clock);
    expect(b.age()).toBeUndefined();
    b.apply(snap(1, [[100, 1]], [[101, 1]], 999));
    clock.advance(250);
    expect(b.age()).toBe(250);
    expect(b.lastVenueTs()).toBe(999);
    const health = new FeedHealth(clock, 200);
    health.setConnected(true);
    expect(health.state(b)).toBe('stale');
    b.apply(delta(2, [[100, 2]], []));
    expect(health.state(b)).toBe('ok');
    health.setConnected(false);
    expect(health.state(b)).toBe('disconnected');
  });

  it('refuses a message with an invalid level and leaves the book untouched', () => {
    const b = book();
    b.apply(snap(1, [[100, 5]], [[102, 4]]));
    for (const bad of [
      delta(
        2,
        [
          [101, 1],
          [100, -1],
        ],
        [],
      ),
      delta(
        2,
        [
          [101, 1],
          [0, 1],
        ],
        [],
      ),
      delta(2, [[101, 1.5]], []),
      delta(2, [[Number.NaN, 1]], []),
    ]) {
      expect(() => b.apply(bad)).toThrow(EngineError);
      expect(b.levels('buy', 5)).toEqual([L(100, 5)]);
      expect(b.seq()).toBe(1);
    }
  });

  it('matches a naive reference book level for level after thousands of random deltas', () => {
    const rng = new Rng(99);
    const b = book();
    const ref = { buy: new Map<number, number>(), sell: new Map<number, number>() };
    let mid = 500_000;
    const bids: [number, number][] = [];
    const asks: [number, number][] = [];
    for (let i = 1; i <= 40; i++) {
      bids.push([mid - i, rng.int(1, 50)]);
      asks.push([mid + i, rng.int(1, 50)]);
    }
    b.apply(snap(1, bids, asks));
    for (const [p, s] of bids) ref.buy.set(p, s);
    for (const [p, s] of asks) ref.sell.set(p, s);
    for (let seq = 2; seq < 20_000; seq++) {
      // The fair price wanders far enough to force the dense window to move several times.
      mid += rng.int(-3, 3) * (rng.bool(0.01) ? 400 : 1);
      const d: { buy: [number, number][]; sell: [number, number][] } = { buy: [], sell: [] };
      for (let k = rng.int(1, 10); k > 0; k--) {
        const side = rng.bool() ? 'buy' : 'sell';
        const dist = 1 + Math.floor(rng.exponential(0.1));
        const p = side === 'buy' ? mid - dist : mid + dist;
        const size = rng.bool(0.35) ? 0 : rng.int(1, 100);
        d[side].push([p, size]);
      }
      // Keep the book uncrossed as a venue would: remove levels the other side moved through.
      const topBid = Math.max(...d.buy.filter(([, s]) => s > 0).map(([p]) => p), -1);
      const topAsk = Math.min(...d.sell.filter(([, s]) => s > 0).map(([p]) => p), Infinity);
      for (const [p] of ref.sell) if (p <= topBid) d.sell.push([p, 0]);
      for (const [p] of ref.buy) if (p >= topAsk) d.buy.push([p, 0]);
      expect(b.apply(delta(seq, d.buy, d.sell))).toBe('ok');
      for (const side of ['buy', 'sell'] as const) {
        for (const [p, s] of d[side]) {
          if (s === 0) ref[side].delete(p);
          else ref[side].set(p, s);
        }
      }
      if (seq % 97 === 0) {
        const expBids = [...ref.buy].sort((a, c) => c[0] - a[0]).slice(0, 30);
        const expAsks = [...ref.sell].sort((a, c) => a[0] - c[0]).slice(0, 30);
        expect(b.levels('buy', 30)).toEqual(expBids);
        expect(b.levels('sell', 30)).toEqual(expAsks);
        expect(b.levelCount('buy')).toBe(ref.buy.size);
        expect(b.levelCount('sell')).toBe(ref.sell.size);
      }
    }
  });
});

describe('TradeTape', () => {
  const trade = (i: number, ts: number, size = 1) => ({
    symbol: 'X',
    tradeId: `t${i}`,
    ts,
    price: 100 as Ticks,
    size: size as Lots,
    aggressor: 'buy' as const,
  });

  it('keeps the newest trades in bounded memory and tells a lagging cursor what it missed', () => {
    const tape = new TradeTape(4);
    const c0 = tape.cursor();
    for (let i = 0; i < 10; i++) tape.push(trade(i, i * 100, i));
    expect(tape.last()?.tradeId).toBe('t9');
    const r = tape.since(c0);
    expect(r.trades.map((t) => t.tradeId)).toEqual(['t6', 't7', 't8', 't9']);
    expect(r.missed).toBe(6);
    expect(tape.since(r.cursor).trades).toEqual([]);
    // Volume over the last 250 ms at t=900: trades at 700, 800, 900 → 7 + 8 + 9.
    expect(tape.volume(900, 250)).toBe(24);
  });
});

import { describe, expect, it } from 'vitest';
import { SimClock } from '../../../engine/core/clock.ts';
import { defineInstrument } from '../../../engine/core/instrument.ts';
import { BookFeed, type BookSource } from '../../../engine/simulators/bybit/book-feed.ts';
import type { MatchingEngine } from '../../../engine/venues/sim/matching-engine.ts';

const inst = defineInstrument({
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  tickSize: '0.1',
  lotSize: '0.001',
  minSize: '0.001',
  minNotional: '0',
  makerFee: '0',
  takerFee: '0',
});

/** A book whose levels the test sets; `seq` grows with every change, as the matching engine's. */
function source() {
  const levels: Record<'buy' | 'sell', [number, number][]> = { buy: [[650_000, 5]], sell: [] };
  const src = {
    category: 'spot' as const,
    instrument: inst,
    seq: 1,
    lastChangeAt: 0,
    engine: { depth: (side: 'buy' | 'sell') => levels[side] } as unknown as MatchingEngine,
  };
  const set = (side: 'buy' | 'sell', l: [number, number][]) => {
    levels[side] = l;
    src.seq++;
  };
  return { src: src as BookSource, set };
}

type Frame = { type: string; data: { u: number; b: [string, string][]; a: [string, string][] } };

describe('Bybit simulator book feed', () => {
  it('a new subscriber joining between pushes leaves the others one delta ahead, never one change behind', () => {
    const clock = new SimClock(0);
    const { src, set } = source();
    const feed = new BookFeed(src, clock, 100);
    const a: Frame[] = [];
    feed.subscribe(50, (f) => a.push(JSON.parse(f) as Frame));
    expect(a.map((f) => [f.type, f.data.u])).toEqual([['snapshot', 100]]);
    // The book changes, and a second subscriber arrives before the next push period.
    set('buy', [
      [650_001, 2],
      [650_000, 5],
    ]);
    const b: Frame[] = [];
    feed.subscribe(50, (f) => b.push(JSON.parse(f) as Frame));
    // The first subscriber hears the change as the next delta; the second's snapshot is that image.
    expect(a.map((f) => [f.type, f.data.u])).toEqual([
      ['snapshot', 100],
      ['delta', 101],
    ]);
    expect(a[1]!.data.b).toEqual([['65000.1', '0.002']]);
    expect(b.map((f) => [f.type, f.data.u, f.data.b])).toEqual([
      [
        'snapshot',
        101,
        [
          ['65000.1', '0.002'],
          ['65000.0', '0.005'],
        ],
      ],
    ]);
  });
});

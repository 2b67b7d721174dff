/**
 * Order book throughput on a realistic delta stream, against ccxt's order book on the same stream in
 * the same run. Both books get their input pre-built outside the timed section (ccxt keeps the arrays
 * it is given, so it gets fresh ones for every pass, as its exchange handlers produce when parsing).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { WallClock } from '../../engine/core/clock.ts';
import type { Lots, Ticks } from '../../engine/core/instrument.ts';
import { Rng } from '../../engine/core/random.ts';
import { OrderBook } from '../../engine/market/order-book.ts';
import type { BookDelta, BookSnapshot, Level } from '../../engine/market/types.ts';
import type { Emit } from './figure.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const DELTAS = 200_000;
const ROUNDS = 5;
const TICK = 0.1;

interface Stream {
  snapshot: BookSnapshot;
  deltas: BookDelta[];
  levelUpdates: number;
}

/** A seeded stream: ~50 levels a side around a random-walk mid, 1-10 level changes per delta. */
function makeStream(seed: number): Stream {
  const rng = new Rng(seed);
  let mid = 650_000;
  const bids = new Map<number, number>();
  const asks = new Map<number, number>();
  for (let i = 1; i <= 50; i++) {
    bids.set(mid - i, rng.int(1, 500));
    asks.set(mid + i, rng.int(1, 500));
  }
  const toLevels = (m: Map<number, number>, desc: boolean): Level[] =>
    [...m].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0])).map(([p, s]) => [p as Ticks, s as Lots]);
  const snapshot: BookSnapshot = {
    kind: 'snapshot',
    symbol: 'BTCUSDT',
    seq: 1,
    ts: 0,
    bids: toLevels(bids, true),
    asks: toLevels(asks, false),
  };
  const deltas: BookDelta[] = [];
  let levelUpdates = 0;
  for (let seq = 2; seq < DELTAS + 2; seq++) {
    if (rng.bool(0.05)) mid += rng.bool() ? 1 : -1; // the touch moves now and then
    const b: Level[] = [];
    const a: Level[] = [];
    for (let k = rng.int(1, 10); k > 0; k--) {
      const isBid = rng.bool();
      const dist = 1 + Math.min(60, Math.floor(rng.exponential(0.08)));
      const p = isBid ? mid - dist : mid + dist;
      const m = isBid ? bids : asks;
      const size = m.has(p) && rng.bool(0.3) ? 0 : rng.int(1, 500);
      if (size === 0) m.delete(p);
      else m.set(p, size);
      (isBid ? b : a).push([p as Ticks, size as Lots]);
    }
    // Keep the stream uncrossed, as a venue's is.
    const topBid = Math.max(...bids.keys());
    const topAsk = Math.min(...asks.keys());
    if (topBid >= topAsk) {
      for (const p of [...asks.keys()])
        if (p <= topBid) {
          asks.delete(p);
          a.push([p as Ticks, 0 as Lots]);
        }
    }
    levelUpdates += b.length + a.length;
    deltas.push({ kind: 'delta', symbol: 'BTCUSDT', seq, ts: seq, bids: b, asks: a });
  }
  return { snapshot, deltas, levelUpdates };
}

function ours(stream: Stream): number {
  // The wall clock, as live: staleness tracking reads it on every message.
  const book = new OrderBook('BTCUSDT', new WallClock());
  book.apply(stream.snapshot);
  const t0 = performance.now();
  for (const d of stream.deltas) {
    if (book.applyDelta(d) !== 'ok') throw new Error(`stream broke the book at ${d.seq}`);
  }
  return performance.now() - t0;
}

interface CcxtSide {
  storeArray(level: number[]): void;
}
interface CcxtBook {
  bids: CcxtSide;
  asks: CcxtSide;
  nonce: number | undefined;
  timestamp: number | undefined;
}
type CcxtCtor = new (snapshot: object) => CcxtBook;
type CcxtDelta = { seq: number; ts: number; bids: number[][]; asks: number[][] };

function ccxtInput(stream: Stream): CcxtDelta[] {
  return stream.deltas.map((d) => ({
    seq: d.seq,
    ts: d.ts,
    bids: d.bids.map(([p, s]) => [p * TICK, s]),
    asks: d.asks.map(([p, s]) => [p * TICK, s]),
  }));
}

function theirs(Ctor: CcxtCtor, stream: Stream, input: CcxtDelta[]): number {
  const book = new Ctor({
    bids: stream.snapshot.bids.map(([p, s]) => [p * TICK, s]),
    asks: stream.snapshot.asks.map(([p, s]) => [p * TICK, s]),
    nonce: 1,
  });
  const t0 = performance.now();
  for (const d of input) {
    // The same sequence bookkeeping ccxt's exchange handlers do around the book.
    if (book.nonce !== undefined && d.seq <= book.nonce) continue;
    for (const l of d.bids) book.bids.storeArray(l);
    for (const l of d.asks) book.asks.storeArray(l);
    book.nonce = d.seq;
    book.timestamp = d.ts;
  }
  return performance.now() - t0;
}

export default async function bookBench(emit: Emit): Promise<void> {
  const mod = (await import(
    pathToFileURL(join(ROOT, 'node_modules/ccxt/js/src/base/ws/OrderBook.js')).href
  )) as { OrderBook: CcxtCtor };
  const version = (
    JSON.parse(readFileSync(join(ROOT, 'node_modules/ccxt/package.json'), 'utf8')) as { version: string }
  ).version;
  const stream = makeStream(42);
  let bestOurs = Infinity;
  let bestTheirs = Infinity;
  // Alternate the two so machine noise hits both alike; the first round of each warms up the JIT.
  for (let round = 0; round < ROUNDS; round++) {
    const o = ours(stream);
    const t = theirs(mod.OrderBook, stream, ccxtInput(stream));
    if (round > 0) {
      bestOurs = Math.min(bestOurs, o);
      bestTheirs = Math.min(bestTheirs, t);
    }
  }
  const oursRate = (stream.levelUpdates / bestOurs) * 1000;
  const theirsRate = (stream.levelUpdates / bestTheirs) * 1000;
  emit({
    figure: 'book.updates_per_s',
    value: Math.round(oursRate),
    unit: 'level updates/s',
    levelUpdates: stream.levelUpdates,
    deltas: DELTAS,
    sequenceTracking: true,
    stalenessTracking: true,
  });
  emit({
    figure: 'book.reference_updates_per_s',
    value: Math.round(theirsRate),
    unit: 'level updates/s',
    reference: `ccxt ${version} OrderBook`,
  });
  emit({
    figure: 'book.vs_reference_ratio',
    value: Math.round((oursRate / theirsRate) * 100) / 100,
    unit: 'ratio',
    reference: `ccxt ${version} OrderBook`,
  });
}

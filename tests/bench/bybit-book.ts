/**
 * bybit.book_vs_ccxt_ratio: decoding and applying recorded `orderbook.50.BTCUSDT` frames (raw text, as
 * they came off the simulator's public stream), in process and on one thread. Ours: the adapter's
 * decode path (decodeBookText, falling back to JSON.parse + parseBookFrame) + OrderBook.apply. ccxt pro: JSON.parse + bybit `handleOrderBook` on a ccxt.pro.bybit
 * instance with its markets loaded, given a stub client shaped as its handleMessage path passes one,
 * so it does its own full parse and book update. Every round replays all frames from the snapshot.
 */
import { WallClock } from '../../engine/core/clock.ts';
import { defineInstrument, type InstrumentSpec } from '../../engine/core/instrument.ts';
import { OrderBook } from '../../engine/market/order-book.ts';
import { decodeBookText } from '../../engine/venues/bybit/book-text.ts';
import { parseBookFrame } from '../../engine/venues/bybit/messages.ts';
import type { Emit } from './figure.ts';
import { machineBaseline } from './figure.ts';

/** The part of a ccxt.pro.bybit instance this bench drives. */
export interface CcxtProBook {
  handleOrderBook(client: unknown, message: unknown): void;
  orderbooks: Record<string, { bids: number[][]; asks: number[][] } | undefined>;
}

const ROUNDS = 7;
const WARM_UP_ROUNDS = 3;
/** Each timed round replays the recording this many times over (about 0.3-1 s per round and side). */
const REPLAYS_PER_ROUND = 4;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

export function bookVsCcxt(
  emit: Emit,
  frames: readonly string[],
  spec: InstrumentSpec,
  pro: CcxtProBook,
  spotWsUrl: string,
): void {
  if (frames.length < 1000) throw new Error(`only ${frames.length} book frames were recorded`);
  const inst = defineInstrument(spec);
  const clock = new WallClock();
  const book = new OrderBook(inst.symbol, clock);
  // What ccxt's WS client hands its handlers: `url` (spot or not) and `resolve` (no one is waiting).
  const client = {
    url: spotWsUrl,
    futures: {},
    verbose: false,
    resolve: (result: unknown) => result,
  };

  const ours = (): number => {
    let ok = 0;
    for (let r = 0; r < REPLAYS_PER_ROUND; r++) {
      for (const text of frames) {
        // The adapter's own path: the text decoder, and JSON.parse + the checked parser where it declines.
        const message = decodeBookText(inst, text)?.message ?? parseBookFrame(inst, JSON.parse(text));
        if (book.apply(message) === 'ok') ok++;
      }
    }
    return ok;
  };
  const theirs = (): void => {
    for (let r = 0; r < REPLAYS_PER_ROUND; r++) {
      for (const text of frames) pro.handleOrderBook(client, JSON.parse(text));
    }
  };
  const timed = (fn: () => unknown): number => {
    const t0 = performance.now();
    fn();
    return ((frames.length * REPLAYS_PER_ROUND) / (performance.now() - t0)) * 1000;
  };

  // Every frame applies: the recording is one unbroken stream from its snapshot.
  const applied = ours();
  if (applied !== frames.length * REPLAYS_PER_ROUND)
    throw new Error(`${frames.length * REPLAYS_PER_ROUND - applied} recorded frames did not apply`);
  for (let i = 0; i < WARM_UP_ROUNDS; i++) {
    ours();
    theirs();
  }
  const baseline = machineBaseline();
  const oursRates: number[] = [];
  const ccxtRates: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternating which goes first, so neither always runs on the other's garbage.
    const a = i % 2 === 0 ? timed(ours) : 0;
    const c = timed(theirs);
    const o = i % 2 === 0 ? a : timed(ours);
    oursRates.push(o);
    ccxtRates.push(c);
    ratios.push(o / c);
  }

  // Both ended on the same book: the best levels agree (ccxt in floats, ours in ticks and lots).
  const theirBook = pro.orderbooks[`${inst.base}/${inst.quote}`];
  const bestBid = theirBook?.bids[0]?.[0];
  const ourBid = book.bestBid();
  if (
    bestBid === undefined ||
    ourBid === undefined ||
    Math.abs(bestBid - ourBid * inst.tickSize.toNumber()) > 1e-9
  )
    throw new Error(`the books disagree at the end: ccxt best bid ${bestBid}, ours ${ourBid} ticks`);

  // How many recorded frames the text decoder declined (they took JSON.parse and the checked parser).
  const declined = frames.filter((t) => decodeBookText(inst, t) === null).length;
  let levels = 0;
  for (const text of frames.slice(1)) {
    const d = (JSON.parse(text) as { data: { b: unknown[]; a: unknown[] } }).data;
    levels += d.b.length + d.a.length;
  }
  const common = { samples: ROUNDS, frames: frames.length, replays_per_round: REPLAYS_PER_ROUND };
  emit({
    figure: 'bybit.book_ours_frames_per_s',
    value: Math.round(median(oursRates)),
    unit: 'frames/s',
    ...common,
    path: 'decodeBookText (exact integer steps from the text; JSON.parse + parseBookFrame where it declines) -> OrderBook.apply',
    declined_frames: declined,
    by_round: oursRates.map(Math.round),
  });
  emit({
    figure: 'bybit.book_ccxt_frames_per_s',
    value: Math.round(median(ccxtRates)),
    unit: 'frames/s',
    ...common,
    path: 'JSON.parse -> ccxt.pro.bybit handleOrderBook (parse + OrderBook reset / handleDeltas)',
    by_round: ccxtRates.map(Math.round),
  });
  emit({
    figure: 'bybit.book_vs_ccxt_ratio',
    value: Math.round(median(ratios) * 100) / 100,
    unit: 'x',
    ...common,
    goal: 3,
    levels_per_delta: Math.round((levels / (frames.length - 1)) * 10) / 10,
    path: 'ours frames/s / ccxt pro frames/s per round (median of rounds), the same recorded orderbook.50.BTCUSDT frames',
    by_round: ratios.map((r) => Math.round(r * 100) / 100),
    machine_rng_per_s: baseline,
  });
}

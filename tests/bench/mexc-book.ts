/**
 * mexc.book_vs_ccxt_ratio: decoding and applying recorded `spot@public.aggre.depth.v3.api.pb` pushes
 * (the binary frames as they came off the simulator's public stream, starting from the REST snapshot
 * recorded with them), in process and on one thread.
 *
 * Ours: the adapter's own push path, MexcPublicStream's `onPush` (decodePush, the channel's route,
 * depthUpdateFromPush, the version chain) to its listener, which applies each delta to an OrderBook.
 * The stream is built without a connection and its private push entry called directly, in the bench
 * only; it is brought to `live` from the recorded snapshot through its own resync path.
 * ccxt pro: ccxt.pro.mexc `handleMessage` on each frame (isBinaryMessage -> decodeProtoMsg ->
 * handleProtobufMessage -> handleOrderBook -> handleDelta), its markets parsed from the simulator's
 * recorded exchangeInfo, its book primed from the same snapshot the way its loadOrderBook does
 * (parseOrderBook with the nonce, then reset), given a stub client shaped as its WS client.
 *
 * Every replay starts both books afresh from the snapshot; priming is outside the timed part for
 * both, which is the frames alone. The two sides' replays are interleaved within each round.
 */
import { WallClock } from '../../engine/core/clock.ts';
import { defineInstrument, type InstrumentSpec } from '../../engine/core/instrument.ts';
import { OrderBook } from '../../engine/market/order-book.ts';
import type { BookMessage } from '../../engine/market/types.ts';
import { decodePush } from '../../engine/venues/mexc/proto/codec.ts';
import { MexcPublicStream } from '../../engine/venues/mexc/public-stream.ts';
import { parseDepthSnapshot } from '../../engine/venues/mexc/rest-streams.ts';
import type { Emit } from './figure.ts';
import { machineBaseline } from './figure.ts';
import type { DepthRecording } from './mexc-wire.ts';

/** The part of a ccxt.pro.mexc instance this bench drives. */
export interface CcxtProMexcBook {
  handleMessage(client: unknown, message: unknown): void;
  parseOrderBook(raw: unknown, symbol: string): Record<string, unknown>;
  orderBook(snapshot?: unknown): { reset(snapshot: unknown): void };
  orderbooks: Record<string, { bids: number[][]; asks: number[][]; nonce?: number } | undefined>;
}

/** What the bench reaches into: the stream's links, its subscriptions and its push entry. */
interface StreamInternals {
  links: unknown[];
  subs: Map<string, unknown>;
  onPush(link: unknown, bytes: Uint8Array): void;
  onSubscribed(channels: readonly string[]): void;
  resync(sub: unknown): void;
}

const ROUNDS = 7;
const WARM_UP_ROUNDS = 3;
/** Each timed round replays the recording this many times over (about 0.3-1 s per round and side). */
const REPLAYS_PER_ROUND = 4;
const CHANNEL_PREFIX = 'spot@public.aggre.depth.v3.api.pb@10ms@';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** Lets a settled promise's callbacks run (the stream's snapshot lands in a `then`). */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function bookVsCcxt(
  emit: Emit,
  recording: DepthRecording,
  spec: InstrumentSpec,
  pro: CcxtProMexcBook,
  wsUrl: string,
): Promise<void> {
  const { frames } = recording;
  if (frames.length < 1000) throw new Error(`only ${frames.length} depth pushes were recorded`);
  const inst = defineInstrument(spec);
  const clock = new WallClock();
  const snapshot = parseDepthSnapshot(inst.symbol, recording.snapshot);

  // ---- ours: the adapter's stream, fed the recorded frames -------------------------------------
  const book = new OrderBook(inst.symbol, clock);
  let applied = 0;
  let feedErrors: string[] = [];
  const stream = new MexcPublicStream({
    clock,
    // Never dialled: the stream is not connected, its push entry is called directly.
    url: wsUrl,
    instrument: (s) => (s === inst.symbol ? inst : undefined),
    snapshot: () => Promise.resolve(snapshot),
    onNotice: () => undefined,
    interval: '10ms',
  });
  const internals = stream as unknown as StreamInternals;
  const unsubscribe = stream.subscribe(inst.symbol, {
    onBook: (m: BookMessage) => {
      if (book.apply(m) === 'ok') applied++;
    },
    onTrade: () => undefined,
    onFeedError: (reason) => feedErrors.push(reason),
  });
  const link = internals.links[0];
  const sub = internals.subs.get(inst.symbol);
  if (link === undefined || sub === undefined || typeof internals.onPush !== 'function')
    throw new Error('MexcPublicStream internals changed: the bench finds no link, subscription or onPush');
  // The venue's acknowledgement of the depth channel: the stream takes its snapshot and goes live.
  internals.onSubscribed([`${CHANNEL_PREFIX}${inst.symbol}`]);
  await settled();

  /** Back to the snapshot, through the stream's own resync (the next replay starts from it). */
  const primeOurs = async () => {
    internals.resync(sub);
    await settled();
  };
  const replayOurs = (): number => {
    const t0 = performance.now();
    for (const frame of frames) {
      // What MexcSocket hands on: a plain Uint8Array view of the frame.
      internals.onPush(link, new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength));
    }
    return performance.now() - t0;
  };

  // ---- ccxt pro: handleMessage on the same frames ------------------------------------------------
  const ccxtSymbol = `${inst.base}/${inst.quote}`;
  // What ccxt's WS client hands its handlers: `url`, `subscriptions`, `resolve` (no one is waiting).
  const client = {
    url: wsUrl,
    futures: {},
    subscriptions: {},
    rejections: {},
    verbose: false,
    resolve: (result: unknown) => result,
    reject: (err: unknown) => {
      throw err instanceof Error ? err : new Error(String(err));
    },
  };
  const primeCcxt = () => {
    // As its loadOrderBook: the REST book parsed (nonce = lastUpdateId), then the stored book reset.
    const parsed = pro.parseOrderBook(recording.snapshot, ccxtSymbol);
    parsed['nonce'] = recording.snapshot.lastUpdateId;
    const stored = pro.orderBook();
    stored.reset(parsed);
    pro.orderbooks[ccxtSymbol] = stored as unknown as { bids: number[][]; asks: number[][] };
  };
  const replayCcxt = (): number => {
    const t0 = performance.now();
    for (const frame of frames) pro.handleMessage(client, frame);
    return performance.now() - t0;
  };

  /**
   * One round: the recording replayed REPLAYS_PER_ROUND times by each side, the two interleaved
   * replay by replay (which goes first alternating), so a burst of load from another process on this
   * shared machine falls on both sides rather than on one side's whole round. Frames per second each.
   */
  const round = async (i: number): Promise<{ ours: number; ccxt: number }> => {
    let oursMs = 0;
    let ccxtMs = 0;
    for (let r = 0; r < REPLAYS_PER_ROUND; r++) {
      await primeOurs();
      primeCcxt();
      if ((i + r) % 2 === 0) {
        oursMs += replayOurs();
        ccxtMs += replayCcxt();
      } else {
        ccxtMs += replayCcxt();
        oursMs += replayOurs();
      }
    }
    const perSecond = (ms: number) => ((frames.length * REPLAYS_PER_ROUND) / ms) * 1000;
    return { ours: perSecond(oursMs), ccxt: perSecond(ccxtMs) };
  };

  try {
    // Every frame applies: the recording is one unbroken chain from its snapshot.
    applied = 0;
    replayOurs();
    if (feedErrors.length > 0) throw new Error(`our stream refused the recording: ${feedErrors[0]}`);
    if (applied !== frames.length)
      throw new Error(`${frames.length - applied} of ${frames.length} recorded pushes did not apply`);
    for (let i = 0; i < WARM_UP_ROUNDS; i++) await round(i);
    const baseline = machineBaseline();
    const oursRates: number[] = [];
    const ccxtRates: number[] = [];
    const ratios: number[] = [];
    applied = 0;
    feedErrors = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r = await round(i);
      oursRates.push(r.ours);
      ccxtRates.push(r.ccxt);
      ratios.push(r.ours / r.ccxt);
    }
    // Each replay applied its snapshot and every frame.
    const expected = ROUNDS * REPLAYS_PER_ROUND * (frames.length + 1);
    if (feedErrors.length > 0 || applied !== expected)
      throw new Error(
        `timed replays applied ${applied} of ${expected} (${feedErrors[0] ?? 'no feed error'})`,
      );

    // Both ended on the same book: the best levels agree (ccxt in floats, ours in ticks).
    const theirBook = pro.orderbooks[ccxtSymbol];
    const tick = inst.tickSize.toNumber();
    const agree = (theirs: number | undefined, ours: number | undefined) =>
      theirs !== undefined && ours !== undefined && Math.abs(theirs - ours * tick) < tick / 2;
    if (!agree(theirBook?.bids[0]?.[0], book.bestBid()) || !agree(theirBook?.asks[0]?.[0], book.bestAsk()))
      throw new Error(
        `the books disagree at the end: ccxt ${theirBook?.bids[0]?.[0]} / ${theirBook?.asks[0]?.[0]}, ours ${book.bestBid()} / ${book.bestAsk()} ticks`,
      );

    let levels = 0;
    let bytes = 0;
    for (const frame of frames) {
      bytes += frame.byteLength;
      const body = decodePush(frame).publicAggreDepths;
      levels += (body?.bids.length ?? 0) + (body?.asks.length ?? 0);
    }
    const common = { samples: ROUNDS, frames: frames.length, replays_per_round: REPLAYS_PER_ROUND };
    emit({
      figure: 'mexc.book_ours_frames_per_s',
      value: Math.round(median(oursRates)),
      unit: 'frames/s',
      ...common,
      path: 'MexcPublicStream.onPush: the depth frame decoder (wire bytes to ticks and lots; decodePush for anything else) -> route -> version chain -> listener -> OrderBook.apply',
      by_round: oursRates.map(Math.round),
    });
    emit({
      figure: 'mexc.book_ccxt_frames_per_s',
      value: Math.round(median(ccxtRates)),
      unit: 'frames/s',
      ...common,
      path: 'ccxt.pro.mexc handleMessage -> decodeProtoMsg (protobufjs decode + toJSON) -> handleProtobufMessage -> handleOrderBook -> handleDelta (floats)',
      by_round: ccxtRates.map(Math.round),
    });
    emit({
      figure: 'mexc.book_vs_ccxt_ratio',
      value: Math.round(median(ratios) * 100) / 100,
      unit: 'x',
      ...common,
      goal: 3,
      snapshot_levels: snapshot.bids.length + snapshot.asks.length,
      stale_pushes_dropped: recording.stale,
      levels_per_push: Math.round((levels / frames.length) * 10) / 10,
      bytes_per_push: Math.round(bytes / frames.length),
      path: 'ours frames/s / ccxt pro frames/s per round (median of rounds), the same recorded spot@public.aggre.depth.v3.api.pb@10ms@BTCUSDT pushes from the same REST snapshot',
      by_round: ratios.map((r) => Math.round(r * 100) / 100),
      machine_rng_per_s: baseline,
    });
  } finally {
    unsubscribe();
    await stream.disconnect();
  }
}

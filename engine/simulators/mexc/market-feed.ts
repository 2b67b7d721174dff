import type { Clock, TimerHandle } from '../../core/clock.ts';
import { Decimal } from '../../core/decimal.ts';
import type { Instrument } from '../../core/instrument.ts';
import { formatPrice, formatSize } from '../../core/instrument.ts';
import type { DepthItem, PushInput } from '../../venues/mexc/proto/codec.ts';
import { encodePush } from '../../venues/mexc/proto/codec.ts';
import type { SimMarket } from '../bybit/market.ts';
import { wireMs } from './wire.ts';

/** Receives one binary push. */
export type BinarySink = (frame: Uint8Array) => void;

export type Interval = '100ms' | '10ms';
export const INTERVALS: readonly Interval[] = ['100ms', '10ms'];
const INTERVAL_MS: Readonly<Record<Interval, number>> = { '100ms': 100, '10ms': 10 };
export type LimitLevels = 5 | 10 | 20;
export const LIMIT_LEVELS: readonly LimitLevels[] = [5, 10, 20];
/** Partial depth and anything without an interval of its own is looked at this often. */
const LIMIT_DEPTH_MS = 100;
/** The aggregated depth stream follows at most this many levels a side (the REST maximum). */
const MAX_LEVELS = 5000;
const RECENT_TRADES = 1000;

export const DEPTH_CHANNEL = 'spot@public.aggre.depth.v3.api.pb';
export const DEALS_CHANNEL = 'spot@public.aggre.deals.v3.api.pb';
export const LIMIT_DEPTH_CHANNEL = 'spot@public.limit.depth.v3.api.pb';
export const BOOK_TICKER_CHANNEL = 'spot@public.aggre.bookTicker.v3.api.pb';

/** An image of a whole-image stream: what identifies it, and its push, encoded on demand. */
interface Rendered {
  readonly key: string;
  frame(): Uint8Array;
}

/** One stream: who listens and the timer that runs while anyone does. */
interface Stream {
  readonly name: string;
  readonly periodMs: number;
  readonly sinks: Set<BinarySink>;
  timer: TimerHandle | undefined;
  /** Called when the first listener comes. */
  start(): void;
  tick(): void;
  /** The current image for a new listener, where the stream has one (partial depth, book ticker). */
  image(): Uint8Array | undefined;
}

interface DepthStream extends Stream {
  readonly interval: Interval;
  bids: Map<number, number>;
  asks: Map<number, number>;
  /** toVersion of the last push (at the start: the version the stream started from). */
  lastTo: number;
  /** Faults armed for the next push. */
  gap: boolean;
  offPrecision: boolean;
}

/**
 * The public streams of one symbol (B9), on the shared market wrapper. Depth versions are the
 * wrapper's cross sequence, which grows with every matching-engine event of the symbol: a push
 * carries `[fromVersion, toVersion]` = `[previous toVersion + 1, version now]` and the absolute size
 * of every level that changed in between ("0" deletes). No push goes out for an interval in which no
 * level changed; its versions fold into the next push, so the chain stays contiguous. The REST book
 * and every depth stream read the same counter (`restDepth`).
 */
export class MarketFeed {
  readonly market: SimMarket;
  readonly instrument: Instrument;
  private readonly clock: Clock;
  private readonly depth = new Map<Interval, DepthStream>();
  private readonly streams = new Map<string, Stream>();

  constructor(market: SimMarket, clock: Clock) {
    this.market = market;
    this.instrument = market.instrument;
    this.clock = clock;
    for (const interval of INTERVALS) {
      const stream = this.depthStream(interval);
      this.depth.set(interval, stream);
      this.streams.set(stream.name, stream);
      const deals = this.dealStream(interval);
      this.streams.set(deals.name, deals);
      const ticker = this.tickerStream(interval);
      this.streams.set(ticker.name, ticker);
    }
    for (const levels of LIMIT_LEVELS) {
      const limit = this.limitStream(levels);
      this.streams.set(limit.name, limit);
    }
  }

  /** Whether this feed serves the channel (a full channel name). */
  serves(channel: string): boolean {
    return this.streams.has(channel);
  }

  subscribe(channel: string, sink: BinarySink): void {
    const stream = this.streams.get(channel);
    if (stream === undefined) throw new Error(`no stream ${channel}`);
    const first = stream.sinks.size === 0;
    stream.sinks.add(sink);
    if (first) {
      stream.start();
      stream.timer = this.clock.setInterval(() => {
        stream.tick();
      }, stream.periodMs);
    }
    const image = stream.image();
    if (image !== undefined) sink(image);
  }

  unsubscribe(channel: string, sink: BinarySink): void {
    const stream = this.streams.get(channel);
    if (stream === undefined) return;
    stream.sinks.delete(sink);
    if (stream.sinks.size === 0) {
      this.clock.clearTimer(stream.timer);
      stream.timer = undefined;
    }
  }

  /**
   * The REST book (GET /api/v3/depth): every running depth stream first pushes what changed, so the
   * snapshot's `lastUpdateId` is the toVersion of their latest push when they run (the book has not
   * moved since) and the wrapper's version otherwise. A client then finds the push that continues
   * the snapshot right after it, as B9's maintenance steps expect.
   */
  restDepth(limit: number): { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] } {
    let version: number | undefined;
    for (const stream of this.depth.values()) {
      if (stream.timer === undefined) continue;
      stream.tick();
      version = Math.max(version ?? 0, stream.lastTo);
    }
    const inst = this.instrument;
    const side = (s: 'buy' | 'sell'): [string, string][] =>
      this.market.engine
        .depth(s, limit)
        .map(([price, lots]) => [formatPrice(inst, price), formatSize(inst, lots)] as [string, string]);
    return { lastUpdateId: version ?? this.market.seq, bids: side('buy'), asks: side('sell') };
  }

  stop(): void {
    for (const stream of this.streams.values()) {
      this.clock.clearTimer(stream.timer);
      stream.timer = undefined;
      stream.sinks.clear();
    }
  }

  // ---- faults ----------------------------------------------------------------------------------

  /** The next push of every running depth stream skips one version; returns how many streams. */
  gap(): number {
    let n = 0;
    for (const stream of this.depth.values()) {
      if (stream.timer === undefined) continue;
      stream.gap = true;
      n++;
    }
    return n;
  }

  /** The next push of every running depth stream carries a bid one decimal finer than the symbol has. */
  offPrecision(): number {
    let n = 0;
    for (const stream of this.depth.values()) {
      if (stream.timer === undefined) continue;
      stream.offPrecision = true;
      n++;
    }
    return n;
  }

  // ---- streams ---------------------------------------------------------------------------------

  private depthStream(interval: Interval): DepthStream {
    const stream: DepthStream = {
      name: `${DEPTH_CHANNEL}@${interval}@${this.market.symbol}`,
      periodMs: INTERVAL_MS[interval],
      sinks: new Set(),
      timer: undefined,
      interval,
      bids: new Map(),
      asks: new Map(),
      lastTo: 0,
      gap: false,
      offPrecision: false,
      // No snapshot on the stream: a client takes the REST book (B9).
      image: () => undefined,
      start: () => {
        stream.bids = this.levels('buy');
        stream.asks = this.levels('sell');
        stream.lastTo = this.market.seq;
        stream.gap = false;
        stream.offPrecision = false;
      },
      tick: () => {
        this.depthTick(stream);
      },
    };
    return stream;
  }

  private depthTick(stream: DepthStream): void {
    const version = this.market.seq;
    if (version === stream.lastTo) return;
    const from = stream.lastTo + (stream.gap ? 2 : 1);
    // A gap needs a version to skip: it waits for a push that spans two.
    if (from > version) return;
    const bids = this.levels('buy');
    const asks = this.levels('sell');
    const bidItems = this.diff(stream.bids, bids, true);
    const askItems = this.diff(stream.asks, asks, false);
    if (bidItems.length === 0 && askItems.length === 0 && !stream.gap && !stream.offPrecision) return;
    if (stream.offPrecision) {
      const inst = this.instrument;
      const best = this.market.engine.bestBid() ?? 1;
      const finer = inst.tickSize.div(10);
      bidItems.unshift({
        price: new Decimal(formatPrice(inst, best)).plus(finer.mul(5)).toFixed(inst.priceDecimals + 1),
        quantity: formatSize(inst, inst.minLots),
      });
    }
    stream.bids = bids;
    stream.asks = asks;
    stream.gap = false;
    stream.offPrecision = false;
    stream.lastTo = version;
    this.send(stream, {
      channel: stream.name,
      symbol: this.market.symbol,
      sendTime: wireMs(this.clock.now()),
      publicAggreDepths: {
        asks: askItems,
        bids: bidItems,
        eventType: `${DEPTH_CHANNEL}@${stream.interval}`,
        fromVersion: String(from),
        toVersion: String(version),
      },
    });
  }

  private dealStream(interval: Interval): Stream {
    // Only trades printed after the stream started are reported.
    let lastSeq = 0;
    let seenVersion = 0;
    const name = `${DEALS_CHANNEL}@${interval}@${this.market.symbol}`;
    const stream: Stream = {
      name,
      periodMs: INTERVAL_MS[interval],
      sinks: new Set(),
      timer: undefined,
      image: () => undefined,
      start: () => {
        lastSeq = this.market.seq;
        seenVersion = lastSeq;
      },
      tick: () => {
        if (this.market.seq === seenVersion) return;
        seenVersion = this.market.seq;
        const fresh = [];
        for (const t of this.market.recentTrades(RECENT_TRADES)) {
          if (t.seq <= lastSeq) break;
          fresh.push(t);
        }
        if (fresh.length === 0) return;
        lastSeq = fresh[0]!.seq;
        fresh.reverse();
        this.send(stream, {
          channel: name,
          symbol: this.market.symbol,
          sendTime: wireMs(this.clock.now()),
          publicAggreDeals: {
            deals: fresh.map((t) => ({
              price: t.p,
              quantity: t.v,
              tradeType: t.S === 'Buy' ? 1 : 2,
              time: t.T,
              tradeId: t.i,
            })),
            eventType: `${DEALS_CHANNEL}@${interval}`,
          },
        });
      },
    };
    return stream;
  }

  private tickerStream(interval: Interval): Stream {
    const name = `${BOOK_TICKER_CHANNEL}@${interval}@${this.market.symbol}`;
    const render = (): Rendered | undefined => {
      const engine = this.market.engine;
      const bid = engine.bestBid();
      const ask = engine.bestAsk();
      if (bid === undefined || ask === undefined) return undefined;
      const inst = this.instrument;
      const body = {
        bidPrice: formatPrice(inst, bid),
        bidQuantity: formatSize(inst, engine.sizeAt('buy', bid)),
        askPrice: formatPrice(inst, ask),
        askQuantity: formatSize(inst, engine.sizeAt('sell', ask)),
      };
      const frame = (): Uint8Array =>
        encodePush({
          channel: name,
          symbol: this.market.symbol,
          sendTime: wireMs(this.clock.now()),
          publicAggreBookTicker: { ...body, version: String(this.market.seq) },
        });
      return { key: `${body.bidPrice}|${body.bidQuantity}|${body.askPrice}|${body.askQuantity}`, frame };
    };
    return this.onChange(name, INTERVAL_MS[interval], render);
  }

  private limitStream(levels: LimitLevels): Stream {
    const name = `${LIMIT_DEPTH_CHANNEL}@${this.market.symbol}@${levels}`;
    const render = (): Rendered => {
      const inst = this.instrument;
      const items = (side: 'buy' | 'sell'): DepthItem[] =>
        this.market.engine
          .depth(side, levels)
          .map(([price, lots]) => ({ price: formatPrice(inst, price), quantity: formatSize(inst, lots) }));
      const bids = items('buy');
      const asks = items('sell');
      const frame = (): Uint8Array =>
        encodePush({
          channel: name,
          symbol: this.market.symbol,
          sendTime: wireMs(this.clock.now()),
          publicLimitDepths: { asks, bids, eventType: LIMIT_DEPTH_CHANNEL, version: String(this.market.seq) },
        });
      return { key: JSON.stringify([bids, asks]), frame };
    };
    return this.onChange(name, LIMIT_DEPTH_MS, render);
  }

  /**
   * A stream of whole images, pushed when the image changed since the last push. The image is looked
   * at only when the market's version moved, and encoded only when it changed.
   */
  private onChange(name: string, periodMs: number, render: () => Rendered | undefined): Stream {
    let last = '';
    let seenVersion = Number.NaN;
    const stream: Stream = {
      name,
      periodMs,
      sinks: new Set(),
      timer: undefined,
      start: () => {
        seenVersion = this.market.seq;
        last = render()?.key ?? '';
      },
      image: () => render()?.frame(),
      tick: () => {
        if (this.market.seq === seenVersion) return;
        seenVersion = this.market.seq;
        const now = render();
        if (now === undefined || now.key === last) return;
        last = now.key;
        this.sendFrame(stream, now.frame());
      },
    };
    return stream;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private levels(side: 'buy' | 'sell'): Map<number, number> {
    const map = new Map<number, number>();
    for (const [price, lots] of this.market.engine.depth(side, MAX_LEVELS)) map.set(price, lots);
    return map;
  }

  /** Changed and new levels with their size, vanished ones with "0", best first. */
  private diff(before: Map<number, number>, after: Map<number, number>, bids: boolean): DepthItem[] {
    const inst = this.instrument;
    const changed: [number, number][] = [];
    for (const [price, lots] of after) if (before.get(price) !== lots) changed.push([price, lots]);
    for (const price of before.keys()) if (!after.has(price)) changed.push([price, 0]);
    changed.sort((x, y) => (bids ? y[0] - x[0] : x[0] - y[0]));
    return changed.map(([price, lots]) => ({
      price: formatPrice(inst, price),
      quantity: lots === 0 ? '0' : formatSize(inst, lots),
    }));
  }

  private send(stream: Stream, push: PushInput): void {
    if (stream.sinks.size === 0) return;
    this.sendFrame(stream, encodePush(push));
  }

  private sendFrame(stream: Stream, frame: Uint8Array): void {
    for (const sink of stream.sinks) sink(frame);
  }
}

import type { Clock, TimerHandle } from '../../core/clock.ts';
import { Decimal } from '../../core/decimal.ts';
import type { Instrument } from '../../core/instrument.ts';
import { formatPrice, formatSize } from '../../core/instrument.ts';
import type { MatchingEngine } from '../../venues/sim/matching-engine.ts';
import type { Category } from './wire.ts';
import { wireMs } from './wire.ts';

/** The depths of `orderbook.{depth}.{symbol}` and how often each pushes (A11, 2026). */
export const BOOK_DEPTHS = [1, 50, 200, 1000] as const;
export type BookDepth = (typeof BOOK_DEPTHS)[number];
const PUSH_MS: Readonly<Record<BookDepth, number>> = { 1: 10, 50: 20, 200: 100, 1000: 200 };
/** Level 1 re-sends an unchanged snapshot after this long. */
const LEVEL1_RESEND_MS = 3000;

export function isBookDepth(n: number): n is BookDepth {
  return (BOOK_DEPTHS as readonly number[]).includes(n);
}

/** What the feed reads of a market: its book and its change counters. */
export interface BookSource {
  readonly category: Category;
  readonly instrument: Instrument;
  readonly engine: MatchingEngine;
  /** Cross sequence: grows with every change of the matching engine. */
  readonly seq: number;
  /** Matching-engine time of the latest change (`cts`). */
  readonly lastChangeAt: number;
}

/** Receives one text frame. */
export type Sink = (frame: string) => void;

type Entry = [string, string];

/** One topic: the image last published, its update id, and who receives it. */
interface DepthTopic {
  readonly depth: BookDepth;
  readonly name: string;
  u: number;
  bids: Map<number, number>;
  asks: Map<number, number>;
  /** The source's seq when the image was taken: an unchanged seq means an unchanged book. */
  seenSeq: number;
  lastSentAt: number;
  readonly sinks: Set<Sink>;
  timer: TimerHandle | undefined;
}

/**
 * The order book streams of one market. Each depth is its own stream, as on the venue: a subscriber
 * gets the image last published with its `u`, then every delta of that stream with `u` + 1 each,
 * pushed at the depth's cadence while anyone listens. A delta lists the levels that changed inside
 * the top `depth` (size "0" deletes, which includes a level pushed out of the window). Level 1 is
 * snapshot-only and re-sent unchanged after 3 s. The REST book is the 1000-level stream's image, so
 * its `u` continues that stream's.
 */
export class BookFeed {
  private readonly source: BookSource;
  private readonly clock: Clock;
  private readonly topics = new Map<BookDepth, DepthTopic>();

  constructor(source: BookSource, clock: Clock, firstU: number) {
    this.source = source;
    this.clock = clock;
    for (const depth of BOOK_DEPTHS) {
      this.topics.set(depth, {
        depth,
        name: `orderbook.${depth}.${source.instrument.symbol}`,
        u: firstU,
        bids: new Map(),
        asks: new Map(),
        seenSeq: Number.NaN,
        lastSentAt: 0,
        sinks: new Set(),
        timer: undefined,
      });
    }
  }

  subscribe(depth: BookDepth, sink: Sink): void {
    const topic = this.topic(depth);
    // Brought up to date first. With subscribers already there, as one push period whose change they
    // are sent: taking the new image silently would leave their books one change behind for good.
    if (topic.sinks.size > 0) this.tick(topic);
    else this.advance(topic);
    topic.sinks.add(sink);
    sink(this.frame(topic, 'snapshot', imageEntries(topic, this.source.instrument)));
    topic.timer ??= this.clock.setInterval(() => {
      this.tick(topic);
    }, PUSH_MS[depth]);
  }

  unsubscribe(depth: BookDepth, sink: Sink): void {
    const topic = this.topic(depth);
    topic.sinks.delete(sink);
    if (topic.sinks.size === 0) {
      this.clock.clearTimer(topic.timer);
      topic.timer = undefined;
    }
  }

  /** The REST book: the 1000-level stream brought up to date (its subscribers get that delta too). */
  restBook(limit: number): { b: Entry[]; a: Entry[]; u: number; seq: number; cts: number } {
    const topic = this.topic(1000);
    this.tick(topic);
    const { b, a } = imageEntries(topic, this.source.instrument);
    return {
      b: b.slice(0, limit),
      a: a.slice(0, limit),
      u: topic.u,
      seq: this.source.seq,
      cts: wireMs(this.source.lastChangeAt),
    };
  }

  stop(): void {
    for (const topic of this.topics.values()) {
      this.clock.clearTimer(topic.timer);
      topic.timer = undefined;
      topic.sinks.clear();
    }
  }

  // ---- faults ----------------------------------------------------------------------------------

  /** A service restart: every stream starts again from a `u` = 1 snapshot. */
  restart(): void {
    for (const topic of this.topics.values()) {
      this.advance(topic);
      topic.u = 1;
      if (topic.sinks.size > 0)
        this.send(topic, this.frame(topic, 'snapshot', imageEntries(topic, this.source.instrument)));
    }
  }

  /** The next delta of every listened stream skips one `u`. */
  gap(): void {
    for (const topic of this.listened()) {
      const delta = this.advance(topic);
      // A delta normally takes u + 1; this one takes u + 2, so one update id is missing.
      topic.u += 2;
      this.send(topic, this.frame(topic, 'delta', delta ?? { b: [], a: [] }));
    }
  }

  /** A delta (correct `u`) carrying one bid level half a tick off the grid. */
  offTick(): void {
    const inst = this.source.instrument;
    for (const topic of this.listened()) {
      const delta = this.advance(topic) ?? { b: [], a: [] };
      const best = this.source.engine.bestBid() ?? 1;
      const price = new Decimal(formatPrice(inst, best)).plus(inst.tickSize.div(2)).toFixed();
      delta.b.push([price, formatSize(inst, inst.minLots)]);
      topic.u++;
      this.send(topic, this.frame(topic, 'delta', delta));
    }
  }

  // ---- internals -------------------------------------------------------------------------------

  private topic(depth: BookDepth): DepthTopic {
    return this.topics.get(depth)!;
  }

  private *listened(): Iterable<DepthTopic> {
    for (const topic of this.topics.values()) if (topic.depth !== 1 && topic.sinks.size > 0) yield topic;
  }

  /** One push period: the delta since the last one (level 1: a fresh or repeated snapshot). */
  private tick(topic: DepthTopic): void {
    const delta = this.advance(topic);
    if (delta !== undefined) {
      topic.u++;
      if (topic.sinks.size === 0) return;
      if (topic.depth === 1)
        this.send(topic, this.frame(topic, 'snapshot', imageEntries(topic, this.source.instrument)));
      else this.send(topic, this.frame(topic, 'delta', delta));
    } else if (
      topic.depth === 1 &&
      topic.sinks.size > 0 &&
      this.clock.now() - topic.lastSentAt >= LEVEL1_RESEND_MS
    ) {
      this.send(topic, this.frame(topic, 'snapshot', imageEntries(topic, this.source.instrument)));
    }
  }

  /** Takes a new image; returns the change against the previous one, or undefined if none. */
  private advance(topic: DepthTopic): { b: Entry[]; a: Entry[] } | undefined {
    if (topic.seenSeq === this.source.seq) return undefined;
    topic.seenSeq = this.source.seq;
    const inst = this.source.instrument;
    const bids = levelMap(this.source.engine, 'buy', topic.depth);
    const asks = levelMap(this.source.engine, 'sell', topic.depth);
    const b = diff(topic.bids, bids, inst, true);
    const a = diff(topic.asks, asks, inst, false);
    topic.bids = bids;
    topic.asks = asks;
    return b.length === 0 && a.length === 0 ? undefined : { b, a };
  }

  private send(topic: DepthTopic, frame: string): void {
    topic.lastSentAt = this.clock.now();
    for (const sink of topic.sinks) sink(frame);
  }

  private frame(topic: DepthTopic, type: 'snapshot' | 'delta', entries: { b: Entry[]; a: Entry[] }): string {
    const src = this.source;
    const ts = wireMs(this.clock.now());
    const data = { s: src.instrument.symbol, b: entries.b, a: entries.a, u: topic.u, seq: src.seq };
    // Field order quirk (A11): spot at every depth and futures level 1 print `ts` before `type`.
    const head =
      src.category === 'spot' || topic.depth === 1
        ? { topic: topic.name, ts, type }
        : { topic: topic.name, type, ts };
    return JSON.stringify({ ...head, data, cts: wireMs(src.lastChangeAt) });
  }
}

function levelMap(engine: MatchingEngine, side: 'buy' | 'sell', depth: number): Map<number, number> {
  const map = new Map<number, number>();
  for (const [price, lots] of engine.depth(side, depth)) map.set(price, lots);
  return map;
}

/** Changed and new levels with their size, vanished ones with "0", best first. */
function diff(
  before: Map<number, number>,
  after: Map<number, number>,
  inst: Instrument,
  bids: boolean,
): Entry[] {
  const changed: [number, number][] = [];
  for (const [price, lots] of after) if (before.get(price) !== lots) changed.push([price, lots]);
  for (const price of before.keys()) if (!after.has(price)) changed.push([price, 0]);
  changed.sort((x, y) => (bids ? y[0] - x[0] : x[0] - y[0]));
  return changed.map(([price, lots]) => [
    formatPrice(inst, price),
    lots === 0 ? '0' : formatSize(inst, lots),
  ]);
}

function imageEntries(topic: DepthTopic, inst: Instrument): { b: Entry[]; a: Entry[] } {
  const side = (map: Map<number, number>, bids: boolean): Entry[] =>
    [...map.entries()]
      .sort((x, y) => (bids ? y[0] - x[0] : x[0] - y[0]))
      .map(([price, lots]) => [formatPrice(inst, price), formatSize(inst, lots)]);
  return { b: side(topic.bids, true), a: side(topic.asks, false) };
}

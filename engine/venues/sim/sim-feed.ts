import type { Clock } from '../../core/clock.ts';
import type { Lots, Side, Ticks } from '../../core/instrument.ts';
import type { BookDelta, BookMessage, BookSnapshot, Trade } from '../../market/types.ts';
import type { MarketListener, Unsubscribe } from '../venue.ts';
import type { SimLink } from './sim-link.ts';
import { reportListenerError } from './sim-link.ts';
import type { SymbolSim } from './sim-symbol.ts';

export interface Subscription {
  readonly listener: MarketListener;
  active: boolean;
}

/**
 * The simulator's market data: per symbol its subscribers, a book snapshot on every (re)connect, a
 * delta per change (seq + 1) and the public trades, all on the feed link. Only what is sent while
 * connected is queued, and only what belongs to the current connection is delivered.
 */
export class SimFeed {
  private readonly clock: Clock;
  private readonly link: SimLink;

  constructor(clock: Clock, link: SimLink) {
    this.clock = clock;
    this.link = link;
  }

  subscribe(sym: SymbolSim, listener: MarketListener): Unsubscribe {
    const sub: Subscription = { listener, active: true };
    sym.subscribers = [...sym.subscribers, sub];
    if (this.link.state === 'connected') this.queueSnapshot(sym, [sub]);
    return () => {
      sub.active = false;
      sym.subscribers = sym.subscribers.filter((s) => s !== sub);
    };
  }

  /** One print on the public tape. */
  trade(sym: SymbolSim, aggressor: Side, price: number, lots: number, ts: number): void {
    const trade: Trade = {
      symbol: sym.instrument.symbol,
      tradeId: String(++sym.tradeSeq),
      ts,
      price: price as Ticks,
      size: lots as Lots,
      aggressor,
    };
    this.queueFeed(sym, trade);
  }

  /**
   * Depth of requests goes out once per instant, like the aggregated depth streams of real venues:
   * every change requests made at the same (simulated) millisecond is one delta, sent when that
   * instant's work is done (or sooner, with the next background event).
   */
  scheduleFlush(sym: SymbolSim): void {
    if (sym.depthPending) return;
    sym.depthPending = true;
    this.clock.setTimeout(sym.flushDepth, 0);
  }

  /** Publishes the L2 change of the last operation as one delta (seq + 1). */
  publishBook(sym: SymbolSim): void {
    const change = sym.engine.flushL2();
    if (!change) return;
    sym.bookSeq++;
    if (sym.subscribers.length === 0) return;
    const delta: BookDelta = {
      kind: 'delta',
      symbol: sym.instrument.symbol,
      seq: sym.bookSeq,
      prevSeq: sym.bookSeq - 1,
      ts: this.clock.now(),
      bids: change.bids,
      asks: change.asks,
    };
    this.queueFeed(sym, delta);
  }

  queueSnapshot(sym: SymbolSim, subs: readonly Subscription[]): void {
    this.publishBook(sym);
    const snap: BookSnapshot = {
      kind: 'snapshot',
      symbol: sym.instrument.symbol,
      seq: sym.bookSeq,
      ts: this.clock.now(),
      bids: sym.engine.depth('buy'),
      asks: sym.engine.depth('sell'),
    };
    this.queueFeed(sym, snap, subs);
  }

  /** Queues one feed message (a book message or a trade) for the given subscribers. */
  private queueFeed(
    sym: SymbolSim,
    message: BookMessage | Trade,
    subs: readonly Subscription[] = sym.subscribers,
  ): void {
    if (subs.length === 0 || this.link.state !== 'connected') return;
    this.link.feedLine.push(this.link.feedDelay(), this.deliverFeed, subs, message, this.link.epoch);
  }

  private readonly deliverFeed = (
    subs: readonly Subscription[],
    message: BookMessage | Trade,
    epoch: number,
  ): void => {
    if (epoch !== this.link.epoch) return;
    for (const s of subs) {
      if (!s.active) continue;
      try {
        if ('kind' in message) s.listener.onBook(message);
        else s.listener.onTrade(message);
      } catch (err) {
        reportListenerError(err);
      }
    }
  };
}

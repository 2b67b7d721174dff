import type { Clock } from '../../core/clock.ts';
import type { Side } from '../../core/instrument.ts';
import type { ApplyResult } from '../../market/order-book.ts';
import { OrderBook } from '../../market/order-book.ts';
import type { BookMessage } from '../../market/types.ts';

/** One level a taker may take: price in ticks and the lots it shows to us. */
export interface TakeableLevel {
  readonly price: number;
  readonly lots: number;
}

/**
 * The book another feed maintains, as our simulated execution sees it: the feed's L2 levels minus the
 * liquidity our own taker orders already took. The feed does not know about our orders, so after we
 * took 3 lots at 99 it still shows them; counting them again would let the next order (or the cross
 * rule) trade against liquidity that is gone. What we took at a price is forgotten as the feed shows
 * that level shrinking (others traded or cancelled it: taken = min(taken, shown)) or deleted.
 *
 * Sides are book sides: 'buy' is the bids, 'sell' the asks.
 */
export class FeedBook {
  readonly book: OrderBook;
  private readonly takenBids = new Map<number, number>();
  private readonly takenAsks = new Map<number, number>();

  constructor(symbol: string, clock: Clock) {
    this.book = new OrderBook(symbol, clock);
  }

  /**
   * Applies one feed message. A message the book refuses as malformed resets it: nothing trades on a
   * book that may be wrong until the feed sends a snapshot.
   */
  apply(message: BookMessage): ApplyResult | 'invalid' {
    let result: ApplyResult;
    try {
      result = this.book.apply(message);
    } catch {
      this.reset();
      return 'invalid';
    }
    if (result !== 'ok' && result !== 'crossed') return result;
    if (message.kind === 'snapshot') {
      this.trimAll(this.takenBids, 'buy');
      this.trimAll(this.takenAsks, 'sell');
    } else {
      this.trimLevels(this.takenBids, message.bids);
      this.trimLevels(this.takenAsks, message.asks);
    }
    return result;
  }

  /** Forgets the book (the feed dropped); the next message must be a snapshot. */
  reset(): void {
    this.book.reset();
    this.takenBids.clear();
    this.takenAsks.clear();
  }

  /** A book with a snapshot and no gap: one that may be matched against. */
  ready(): boolean {
    const status = this.book.status();
    return status === 'ok' || status === 'crossed';
  }

  /** Lots the feed shows at a price on one side (our orders are never in it). */
  shown(side: Side, price: number): number {
    return this.book.sizeAt(side, price);
  }

  /** Lots at a price on one side that are still there for us to take. */
  visible(side: Side, price: number): number {
    const taken = (side === 'buy' ? this.takenBids : this.takenAsks).get(price) ?? 0;
    return Math.max(0, this.book.sizeAt(side, price) - taken);
  }

  /** Records that one of our taker orders took `lots` at a price of one side. */
  take(side: Side, price: number, lots: number): void {
    const taken = side === 'buy' ? this.takenBids : this.takenAsks;
    taken.set(price, (taken.get(price) ?? 0) + lots);
  }

  /**
   * The best price of one side with liquidity left for us, no worse than `limit` (for the asks at or
   * below it, for the bids at or above it); undefined when there is none. Walks only the levels
   * between the touch and the limit, which is a few ticks unless the book is crossed against us.
   */
  bestVisible(side: Side, limit: number): number | undefined {
    const best = side === 'buy' ? this.book.bestBid() : this.book.bestAsk();
    if (best === undefined) return undefined;
    if (side === 'sell') {
      for (let p = best; p <= limit; p++) if (this.visible('sell', p) > 0) return p;
    } else {
      for (let p = best; p >= limit; p--) if (this.visible('buy', p) > 0) return p;
    }
    return undefined;
  }

  /**
   * The levels of one side a taker meets, best first, with what is visible to us, as far as `limit`
   * (undefined: the whole side, for a market order).
   */
  takeable(side: Side, limit: number | undefined): TakeableLevel[] {
    const out: TakeableLevel[] = [];
    const book = this.book;
    book.forEachLevel(side, book.levelCount(side), (price, shown) => {
      if (limit !== undefined && (side === 'sell' ? price > limit : price < limit)) return;
      const lots = shown - ((side === 'buy' ? this.takenBids : this.takenAsks).get(price) ?? 0);
      if (lots > 0) out.push({ price, lots });
    });
    return out;
  }

  private trimLevels(taken: Map<number, number>, levels: readonly (readonly [number, number])[]): void {
    if (taken.size === 0) return;
    for (const [price, size] of levels) this.trim(taken, price, size);
  }

  private trimAll(taken: Map<number, number>, side: Side): void {
    for (const price of [...taken.keys()]) this.trim(taken, price, this.book.sizeAt(side, price));
  }

  private trim(taken: Map<number, number>, price: number, shown: number): void {
    const had = taken.get(price);
    if (had === undefined) return;
    if (shown <= 0) taken.delete(price);
    else if (shown < had) taken.set(price, shown);
  }
}

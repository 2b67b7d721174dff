import type { Lots, Side, Ticks } from '../../core/instrument.ts';
import type { Level } from '../../market/types.ts';
import { BookSide, PriceLevel } from './book-side.ts';
import type { SimOrder, SimOrderView } from './matching-order.ts';
import { copyView } from './matching-order.ts';

/**
 * The orders resting on one instrument's book: both sides with their FIFO levels, the index by id,
 * and the pool of emptied levels. Puts an order in and takes it out (every change marks its price
 * for the next L2 flush), and reads the book for the matching engine's queries.
 */
export class RestingBook {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  /** Resting orders by id. */
  readonly orders = new Map<number, SimOrder>();
  private readonly levelPool: PriceLevel[] = [];

  /** Puts an order at the back of its price level. */
  rest(o: SimOrder): void {
    const s = o.side === 'buy' ? this.bids : this.asks;
    let lvl = s.levels.get(o.price);
    if (lvl === undefined) {
      lvl = this.levelPool.pop() ?? new PriceLevel();
      lvl.price = o.price;
      lvl.total = 0;
      lvl.count = 0;
      lvl.head = null;
      lvl.tail = null;
      s.levels.set(o.price, lvl);
      s.insertPrice(o.price);
    }
    o.level = lvl;
    o.prev = lvl.tail;
    o.next = null;
    if (lvl.tail === null) lvl.head = o;
    else lvl.tail.next = o;
    lvl.tail = o;
    lvl.count++;
    lvl.total += o.size - o.filled;
    s.markDirty(o.price);
    this.orders.set(o.id, o);
  }

  /** Takes a resting order out of its level (and the level out of the book when it empties). */
  unlink(o: SimOrder): void {
    const lvl = o.level;
    if (lvl === null) return;
    const s = o.side === 'buy' ? this.bids : this.asks;
    if (o.prev === null) lvl.head = o.next;
    else o.prev.next = o.next;
    if (o.next === null) lvl.tail = o.prev;
    else o.next.prev = o.prev;
    lvl.count--;
    lvl.total -= o.size - o.filled;
    s.markDirty(lvl.price);
    if (lvl.count === 0) {
      s.levels.delete(lvl.price);
      s.removePrice(lvl.price);
      lvl.head = null;
      lvl.tail = null;
      this.levelPool.push(lvl);
    }
    o.prev = null;
    o.next = null;
    o.level = null;
    this.orders.delete(o.id);
  }

  /** The L2 image of one side, best first, at most `maxLevels` levels. */
  depth(side: Side, maxLevels: number): Level[] {
    const s = side === 'buy' ? this.bids : this.asks;
    const out: Level[] = [];
    for (let i = s.prices.length - 1; i >= 0 && out.length < maxLevels; i--) {
      const p = s.prices[i]!;
      out.push([p as Ticks, s.levels.get(p)!.total as Lots]);
    }
    return out;
  }

  /** The levels changed since the previous flush on both sides; undefined when nothing changed. */
  flushL2(): { bids: Level[]; asks: Level[] } | undefined {
    if (this.bids.dirtyCount === 0 && this.asks.dirtyCount === 0) return undefined;
    return { bids: this.bids.drainDirty(), asks: this.asks.drainDirty() };
  }

  /** Resting orders, oldest first; optionally of one owner. Copies, safe to keep. */
  restingOrders(owner: number | undefined): SimOrderView[] {
    const out: SimOrderView[] = [];
    for (const o of this.orders.values()) {
      if (owner === undefined || o.owner === owner) out.push(copyView(o));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** Orders of one level in queue order (ids). */
  queueAt(side: Side, price: number): number[] {
    const lvl = (side === 'buy' ? this.bids : this.asks).levels.get(price);
    const ids: number[] = [];
    for (let o = lvl?.head ?? null; o !== null; o = o.next) ids.push(o.id);
    return ids;
  }
}

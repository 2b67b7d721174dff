import type { Lots, Ticks } from '../../core/instrument.ts';
import type { Level } from '../../market/types.ts';
import type { SimOrder } from './matching-order.ts';

/** The FIFO queue of the orders resting at one price. */
export class PriceLevel {
  price = 0;
  /** Sum of the remaining lots of the orders queued here. */
  total = 0;
  count = 0;
  head: SimOrder | null = null;
  tail: SimOrder | null = null;
}

/**
 * One side of the book: a Map from price to a FIFO level, plus the active prices in a sorted array
 * whose LAST element is the best price (bids ascending, asks descending). New levels and emptied
 * levels are almost always near the touch, i.e. near the end of the array, so splicing is cheap and
 * the best price is read in O(1).
 */
export class BookSide {
  readonly isBid: boolean;
  readonly levels = new Map<number, PriceLevel>();
  readonly prices: number[] = [];
  /**
   * Prices whose aggregate size changed since the last L2 flush, possibly repeated: the first
   * `dirtyCount` entries of a reused array, much cheaper than a Set to fill and empty on every request.
   * Deduplicated when drained, and compacted if nobody drains it for a long while.
   */
  readonly dirty: number[] = [];
  dirtyCount = 0;
  private compactAt = 4096;

  markDirty(price: number): void {
    const n = this.dirtyCount;
    // Changes cluster on a few prices near the touch: a price among the last four is not added again.
    const d = this.dirty;
    for (let k = n - 1, stop = n > 4 ? n - 4 : 0; k >= stop; k--) if (d[k] === price) return;
    this.dirty[n] = price;
    this.dirtyCount = n + 1;
    if (n + 1 > this.compactAt) {
      const unique = [...new Set(this.dirty.slice(0, n + 1))];
      for (let i = 0; i < unique.length; i++) this.dirty[i] = unique[i]!;
      this.dirtyCount = unique.length;
      this.compactAt = Math.max(4096, 2 * unique.length);
    }
  }

  constructor(isBid: boolean) {
    this.isBid = isBid;
  }

  best(): number {
    const n = this.prices.length;
    return n === 0 ? 0 : this.prices[n - 1]!;
  }

  /** Index of the first price ranked better than `p` (where `p` would be inserted). */
  private searchAfter(p: number): number {
    const a = this.prices;
    let lo = 0;
    let hi = a.length;
    if (this.isBid) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (a[mid]! > p) hi = mid;
        else lo = mid + 1;
      }
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (a[mid]! < p) hi = mid;
        else lo = mid + 1;
      }
    }
    return lo;
  }

  insertPrice(p: number): void {
    const a = this.prices;
    const n = a.length;
    if (n === 0 || (this.isBid ? p > a[n - 1]! : p < a[n - 1]!)) a.push(p);
    else a.splice(this.searchAfter(p), 0, p);
  }

  removePrice(p: number): void {
    const a = this.prices;
    const n = a.length;
    if (n > 0 && a[n - 1] === p) {
      a.pop();
      return;
    }
    const i = this.searchAfter(p) - 1;
    if (i >= 0 && a[i] === p) a.splice(i, 1);
  }

  /** The levels changed since the last drain, best first, size 0 for a removed one; empties the list. */
  drainDirty(): Level[] {
    const n = this.dirtyCount;
    this.dirtyCount = 0;
    if (n === 0) return [];
    if (n === 1) {
      const p = this.dirty[0]!;
      return [[p as Ticks, (this.levels.get(p)?.total ?? 0) as Lots]];
    }
    const d = this.dirty.slice(0, n);
    if (this.isBid) d.sort((a, b) => b - a);
    else d.sort((a, b) => a - b);
    const out: Level[] = [];
    for (let i = 0; i < n; i++) {
      const p = d[i]!;
      if (i > 0 && p === d[i - 1]) continue;
      out.push([p as Ticks, (this.levels.get(p)?.total ?? 0) as Lots]);
    }
    return out;
  }
}

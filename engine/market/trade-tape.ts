import type { Trade } from './types.ts';

/**
 * The most recent public trades in a fixed ring, so memory stays bounded however busy the market is.
 * Consumers that must see every trade (estimators) read from a cursor; the ring keeps the newest
 * `capacity` and a cursor that fell behind is told how many it missed.
 */
export class TradeTape {
  private readonly ring: (Trade | undefined)[];
  private readonly capacity: number;
  /** Total trades ever appended; the index of the next one. */
  private total = 0;

  constructor(capacity = 4096) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('tape capacity must be a positive integer');
    this.capacity = capacity;
    this.ring = new Array<Trade | undefined>(capacity);
  }

  push(trade: Trade): void {
    this.ring[this.total % this.capacity] = trade;
    this.total++;
  }

  /** Total trades appended since creation; use as a cursor. */
  cursor(): number {
    return this.total;
  }

  last(): Trade | undefined {
    return this.total === 0 ? undefined : this.ring[(this.total - 1) % this.capacity];
  }

  /** Trades appended since `cursor`, oldest first, and how many were lost to the ring wrapping. */
  since(cursor: number): { trades: Trade[]; missed: number; cursor: number } {
    const from = Math.max(cursor, this.total - this.capacity, 0);
    const trades: Trade[] = [];
    for (let i = from; i < this.total; i++) trades.push(this.ring[i % this.capacity]!);
    return { trades, missed: from - cursor > 0 ? from - cursor : 0, cursor: this.total };
  }

  /** Traded lots with venue time in [now − windowMs, now]. */
  volume(now: number, windowMs: number): number {
    let v = 0;
    for (let i = this.total - 1; i >= Math.max(0, this.total - this.capacity); i--) {
      const t = this.ring[i % this.capacity]!;
      if (t.ts < now - windowMs) break;
      if (t.ts <= now) v += t.size;
    }
    return v;
  }
}

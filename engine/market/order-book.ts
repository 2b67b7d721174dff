import type { Clock } from '../core/clock.ts';
import { EngineError } from '../core/errors.ts';
import type { Lots, Side, Ticks } from '../core/instrument.ts';
import type { BookDelta, BookMessage, BookSnapshot, Level } from './types.ts';

/** Outcome of applying one message. Plain strings: no allocation on the hot path. */
export type ApplyResult = 'ok' | 'stale' | 'gap' | 'crossed' | 'no_snapshot';

/** Whether the book can be trusted: `gap` and `crossed` mean the owner must resync from a snapshot. */
export type BookStatus = 'empty' | 'ok' | 'gap' | 'crossed';

const INITIAL_CAPACITY = 4096;
/** 16M ticks per side at most (128 MiB each); a book wider than that is refused rather than grown. */
const MAX_CAPACITY = 1 << 24;

/**
 * An L2 book for one instrument with integer tick prices and integer lot sizes.
 *
 * Why a dense ladder: venues send levels near the touch, and a crypto book's active range is a few
 * thousand ticks. Sizes live in two Float64Arrays indexed by (price − base), so setting or deleting a
 * level is one store, and the best price moves incrementally: raised on an insert above it, and on a
 * delete at the touch walked to the next non-empty slot, which is almost always a few slots away.
 * That beats sorted arrays (a binary search and a shift per update) and trees (pointer chasing). When
 * a price falls outside the window, the window is re-centred and doubled as needed.
 * Float64 holds integer lot counts exactly up to 2^53.
 */
export class OrderBook {
  readonly symbol: string;
  private readonly clock: Clock;
  private base = 0;
  private cap = 0;
  private bids: Float64Array = new Float64Array(0);
  private asks: Float64Array = new Float64Array(0);
  /** Best prices as absolute ticks; -1 when the side is empty. */
  private bestBidT = -1;
  private bestAskT = -1;
  private bidLevels = 0;
  private askLevels = 0;
  private lastSeq = -1;
  private state: BookStatus = 'empty';
  private venueTs: number | undefined;
  private localTs: number | undefined;
  /** Counters for feed health. */
  staleCount = 0;
  gapCount = 0;
  crossedCount = 0;
  snapshotCount = 0;
  updateCount = 0;

  constructor(symbol: string, clock: Clock) {
    this.symbol = symbol;
    this.clock = clock;
  }

  /** Applies a snapshot or a delta; see ApplyResult. A refused delta leaves the book as it was. */
  apply(msg: BookMessage): ApplyResult {
    return msg.kind === 'snapshot' ? this.applySnapshot(msg) : this.applyDelta(msg);
  }

  applySnapshot(msg: BookSnapshot): ApplyResult {
    this.validate(msg.bids);
    this.validate(msg.asks);
    this.reset();
    this.snapshotCount++;
    this.writeLevels(msg.bids, this.bids, true);
    this.writeLevels(msg.asks, this.asks, false);
    this.lastSeq = msg.seq;
    this.touch(msg.ts);
    if (this.isCrossed()) {
      this.state = 'crossed';
      this.crossedCount++;
      return 'crossed';
    }
    this.state = 'ok';
    return 'ok';
  }

  applyDelta(msg: BookDelta): ApplyResult {
    if (this.lastSeq < 0) return 'no_snapshot';
    if (msg.seq <= this.lastSeq) {
      this.staleCount++;
      return 'stale';
    }
    if (this.state === 'gap') return 'gap';
    const expected = msg.prevSeq ?? msg.seq - 1;
    if (expected !== this.lastSeq) {
      this.state = 'gap';
      this.gapCount++;
      return 'gap';
    }
    this.validate(msg.bids);
    this.validate(msg.asks);
    this.writeLevels(msg.bids, this.bids, true);
    this.writeLevels(msg.asks, this.asks, false);
    this.lastSeq = msg.seq;
    this.updateCount++;
    this.touch(msg.ts);
    if (this.isCrossed()) {
      if (this.state !== 'crossed') this.crossedCount++;
      this.state = 'crossed';
      return 'crossed';
    }
    if (this.state === 'crossed') this.state = 'ok';
    return 'ok';
  }

  /** Forgets everything (e.g. on disconnect); the next message must be a snapshot. */
  reset(): void {
    if (this.cap === 0) this.allocate(0, INITIAL_CAPACITY);
    else {
      this.bids.fill(0);
      this.asks.fill(0);
    }
    this.bestBidT = -1;
    this.bestAskT = -1;
    this.bidLevels = 0;
    this.askLevels = 0;
    this.lastSeq = -1;
    this.state = 'empty';
  }

  status(): BookStatus {
    return this.state;
  }

  seq(): number {
    return this.lastSeq;
  }

  /** Venue time of the last applied message. */
  lastVenueTs(): number | undefined {
    return this.venueTs;
  }

  /** Milliseconds since the last applied message (local clock), or undefined before the first one. */
  age(now: number = this.clock.now()): number | undefined {
    return this.localTs === undefined ? undefined : now - this.localTs;
  }

  bestBid(): Ticks | undefined {
    return this.bestBidT < 0 ? undefined : (this.bestBidT as Ticks);
  }

  bestAsk(): Ticks | undefined {
    return this.bestAskT < 0 ? undefined : (this.bestAskT as Ticks);
  }

  bestBidSize(): Lots {
    return (this.bestBidT < 0 ? 0 : this.bids[this.bestBidT - this.base]!) as Lots;
  }

  bestAskSize(): Lots {
    return (this.bestAskT < 0 ? 0 : this.asks[this.bestAskT - this.base]!) as Lots;
  }

  levelCount(side: Side): number {
    return side === 'buy' ? this.bidLevels : this.askLevels;
  }

  /** Size resting at one price on one side (0 if none). */
  sizeAt(side: Side, price: number): Lots {
    const i = price - this.base;
    if (i < 0 || i >= this.cap) return 0 as Lots;
    return (side === 'buy' ? this.bids[i]! : this.asks[i]!) as Lots;
  }

  /** Mid in ticks (may end in .5), or undefined when a side is empty. */
  mid(): number | undefined {
    if (this.bestBidT < 0 || this.bestAskT < 0) return undefined;
    return (this.bestBidT + this.bestAskT) / 2;
  }

  /** Spread in ticks, or undefined when a side is empty. */
  spread(): number | undefined {
    if (this.bestBidT < 0 || this.bestAskT < 0) return undefined;
    return this.bestAskT - this.bestBidT;
  }

  /**
   * Size-weighted mid: leans towards the side with less size at the touch, since that side is the one
   * about to be consumed. In ticks, or undefined when a side is empty.
   */
  microprice(): number | undefined {
    if (this.bestBidT < 0 || this.bestAskT < 0) return undefined;
    const b = this.bestBidSize();
    const a = this.bestAskSize();
    return (this.bestBidT * a + this.bestAskT * b) / (a + b);
  }

  /** (bid size − ask size) / (bid size + ask size) over the top `n` levels of each side; 0 when empty. */
  imbalance(n = 5): number {
    const b = this.depthSize('buy', n);
    const a = this.depthSize('sell', n);
    return a + b === 0 ? 0 : (b - a) / (b + a);
  }

  /** Total lots in the best `n` levels of a side. */
  depthSize(side: Side, n: number): number {
    let total = 0;
    this.forEachLevel(side, n, (_p, s) => {
      total += s;
    });
    return total;
  }

  /**
   * Lots available from the touch up to and including `price`: for bids the levels at or above it, for
   * asks those at or below it. What a marketable order down (up) to that price would meet.
   */
  sizeToPrice(side: Side, price: number): number {
    let total = 0;
    if (side === 'buy') {
      if (this.bestBidT < 0 || price > this.bestBidT) return 0;
      const lo = Math.max(price, this.base);
      for (let p = this.bestBidT; p >= lo; p--) total += this.bids[p - this.base]!;
    } else {
      if (this.bestAskT < 0 || price < this.bestAskT) return 0;
      const hi = Math.min(price, this.base + this.cap - 1);
      for (let p = this.bestAskT; p <= hi; p++) total += this.asks[p - this.base]!;
    }
    return total;
  }

  /** Calls `fn(price, size)` for the best `n` levels of a side, best first. */
  forEachLevel(side: Side, n: number, fn: (price: Ticks, size: Lots) => void): void {
    const arr = side === 'buy' ? this.bids : this.asks;
    const levels = side === 'buy' ? this.bidLevels : this.askLevels;
    let left = Math.min(n, levels);
    if (left <= 0) return;
    if (side === 'buy') {
      for (let i = this.bestBidT - this.base; i >= 0 && left > 0; i--) {
        const s = arr[i]!;
        if (s > 0) {
          fn((i + this.base) as Ticks, s as Lots);
          left--;
        }
      }
    } else {
      for (let i = this.bestAskT - this.base; i < this.cap && left > 0; i++) {
        const s = arr[i]!;
        if (s > 0) {
          fn((i + this.base) as Ticks, s as Lots);
          left--;
        }
      }
    }
  }

  /** The best `n` levels of a side as [price, size] pairs, best first (allocates: for views, not the hot path). */
  levels(side: Side, n: number): Level[] {
    const out: Level[] = [];
    this.forEachLevel(side, n, (p, s) => out.push([p, s]));
    return out;
  }

  private isCrossed(): boolean {
    return this.bestBidT >= 0 && this.bestAskT >= 0 && this.bestBidT >= this.bestAskT;
  }

  private touch(venueTs: number): void {
    this.venueTs = venueTs;
    this.localTs = this.clock.now();
  }

  /** Checks a whole message before any of it is applied, so a bad level leaves the book untouched. */
  private validate(levels: readonly Level[]): void {
    for (let k = 0; k < levels.length; k++) {
      const level = levels[k]!;
      const price = level[0];
      const size = level[1];
      if (!Number.isSafeInteger(size) || size < 0 || !Number.isSafeInteger(price) || price <= 0) {
        throw new EngineError(
          'invalid_number',
          `${this.symbol} book level [${price}, ${size}] is not a valid price and size`,
        );
      }
    }
  }

  private writeLevels(levels: readonly Level[], arr: Float64Array, isBid: boolean): void {
    for (let k = 0; k < levels.length; k++) {
      const level = levels[k]!;
      const price = level[0];
      const size = level[1];
      let i = price - this.base;
      if (i < 0 || i >= this.cap) {
        if (size === 0) continue; // deleting a level we never had
        this.ensureCovers(price);
        i = price - this.base;
        arr = isBid ? this.bids : this.asks;
      }
      const prev = arr[i]!;
      arr[i] = size;
      if (isBid) this.onBidChange(price, prev, size);
      else this.onAskChange(price, prev, size);
    }
  }

  private onBidChange(price: number, prev: number, size: number): void {
    if (prev === 0 && size > 0) {
      this.bidLevels++;
      if (price > this.bestBidT) this.bestBidT = price;
    } else if (prev > 0 && size === 0) {
      this.bidLevels--;
      if (price === this.bestBidT) {
        if (this.bidLevels === 0) this.bestBidT = -1;
        else {
          let i = price - this.base - 1;
          while (this.bids[i] === 0) i--;
          this.bestBidT = i + this.base;
        }
      }
    }
  }

  private onAskChange(price: number, prev: number, size: number): void {
    if (prev === 0 && size > 0) {
      this.askLevels++;
      if (this.bestAskT < 0 || price < this.bestAskT) this.bestAskT = price;
    } else if (prev > 0 && size === 0) {
      this.askLevels--;
      if (price === this.bestAskT) {
        if (this.askLevels === 0) this.bestAskT = -1;
        else {
          let i = price - this.base + 1;
          while (this.asks[i] === 0) i++;
          this.bestAskT = i + this.base;
        }
      }
    }
  }

  private allocate(base: number, cap: number): void {
    this.base = base;
    this.cap = cap;
    this.bids = new Float64Array(cap);
    this.asks = new Float64Array(cap);
  }

  /** Re-centres (and if needed grows) the window so it covers `price` and every resting level. */
  private ensureCovers(price: number): void {
    let lo = price;
    let hi = price;
    const levelsExist = this.bidLevels + this.askLevels > 0;
    if (levelsExist) {
      // Occupied range: scan once from the edges (rare: only when a price leaves the window).
      const first = this.firstOccupied();
      const last = this.lastOccupied();
      lo = Math.min(lo, first);
      hi = Math.max(hi, last);
    }
    let cap = this.cap || INITIAL_CAPACITY;
    while (cap < (hi - lo + 1) * 2) cap *= 2;
    if (cap > MAX_CAPACITY) {
      throw new EngineError(
        'invalid_input',
        `${this.symbol} book spans ${hi - lo + 1} ticks, more than this book holds`,
      );
    }
    const newBase = Math.max(1, Math.floor((lo + hi) / 2) - cap / 2);
    const oldBids = this.bids;
    const oldAsks = this.asks;
    const oldBase = this.base;
    this.allocate(newBase, cap);
    if (levelsExist) {
      for (let i = 0; i < oldBids.length; i++) {
        const b = oldBids[i]!;
        const a = oldAsks[i]!;
        if (b > 0) this.bids[i + oldBase - newBase] = b;
        if (a > 0) this.asks[i + oldBase - newBase] = a;
      }
    }
  }

  private firstOccupied(): number {
    for (let i = 0; i < this.cap; i++) if (this.bids[i]! > 0 || this.asks[i]! > 0) return i + this.base;
    return this.base;
  }

  private lastOccupied(): number {
    for (let i = this.cap - 1; i >= 0; i--) if (this.bids[i]! > 0 || this.asks[i]! > 0) return i + this.base;
    return this.base;
  }
}

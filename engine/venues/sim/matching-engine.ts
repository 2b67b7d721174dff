import type { Decimal } from '../../core/decimal.ts';
import { EngineError } from '../../core/errors.ts';
import type { Instrument, Lots, Side, Ticks } from '../../core/instrument.ts';
import type { Level } from '../../market/types.ts';
import type { Ledger } from './ledger.ts';
import { OrderFunding } from './order-funding.ts';
import { RestingBook } from './resting-book.ts';
import type {
  SimDoneReason,
  SimDoneStatus,
  SimEngineListener,
  SimOrderType,
  SimOrderView,
  SimRejectCode,
  SimTimeInForce,
} from './matching-order.ts';
import { copyView, NOOP_LISTENER, SimOrder } from './matching-order.ts';

export type {
  SimDoneReason,
  SimDoneStatus,
  SimEngineListener,
  SimOrderType,
  SimOrderView,
  SimRejectCode,
  SimTimeInForce,
} from './matching-order.ts';

/**
 * A price-time priority matching engine for one instrument, on integer ticks and lots. Pure and
 * synchronous: it has no clock and no randomness; the caller timestamps what it reports.
 *
 * Policies:
 * - Self-trade prevention is "cancel resting" (a.k.a. expire maker): when an incoming order meets a
 *   resting order of the same owner, the resting one is cancelled with reason `self_trade` and the
 *   incoming order keeps matching deeper. A trader's newer intent wins and the book is never crossed.
 * - Post-only orders that would take are rejected (`post_only_would_take`), at submit and at amend.
 * - Funding (owners that are not unlimited): a limit buy reserves price*size*(1 + max(taker, maker, 0))
 *   of quote, a limit sell reserves size of base; the reserve is released as the order fills or
 *   finishes. Market orders reserve nothing and fill only as far as the free balance pays at each
 *   price; what is left is cancelled with reason `insufficient_funds`.
 * - Fees are charged in the quote asset, notional * rate (maker rate for the resting side).
 * - Amend: a size decrease at the same price keeps queue priority; a price change or a size increase
 *   goes to the back of the level (and may match at the new price); a size at or below the filled size
 *   finishes the order as filled.
 */
export class MatchingEngine {
  readonly instrument: Instrument;
  private readonly ledger: Ledger;
  private listener: SimEngineListener = NOOP_LISTENER;
  /** Both sides of the book and the resting orders by id. */
  private readonly book = new RestingBook();
  private readonly orderPool: SimOrder[] = [];
  /** Reserves, settlement and fees, in ledger atoms. */
  private readonly funding: OrderFunding;
  private nextId = 1;
  private busy = false;
  private fillCount = 0;
  /** Why the last submit / amend / cancel was refused. */
  lastReject: SimRejectCode | null = null;

  constructor(instrument: Instrument, ledger: Ledger) {
    this.instrument = instrument;
    this.ledger = ledger;
    this.funding = new OrderFunding(instrument, ledger);
  }

  setListener(listener: SimEngineListener | null): void {
    this.listener = listener ?? NOOP_LISTENER;
  }

  /**
   * Submits an order. Returns its id (> 0) when accepted, or 0 when refused (`lastReject` says why).
   * The order's fills and end arrive on the listener before this returns. Malformed input (a
   * non-integer or non-positive size or price, a market order with a price, a post-only market order)
   * throws an EngineError and changes nothing.
   */
  submit(
    owner: number,
    side: Side,
    type: SimOrderType,
    tif: SimTimeInForce,
    price: Ticks | 0,
    size: Lots,
    ref: unknown = null,
  ): number {
    this.enter();
    try {
      return this.doSubmit(owner, side, type, tif, price, size, ref);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Amends a resting order: a new limit price and / or a new TOTAL size (0 keeps the current value).
   * Returns false when refused (`lastReject`), leaving the order as it was.
   */
  amend(id: number, price: Ticks | 0, size: Lots | 0): boolean {
    this.enter();
    try {
      return this.doAmend(id, price, size);
    } finally {
      this.busy = false;
    }
  }

  /** Cancels a resting order; false (`unknown_order`) when it is not resting. */
  cancel(id: number, reason: SimDoneReason = 'user'): boolean {
    this.enter();
    try {
      const o = this.book.orders.get(id);
      if (o === undefined) {
        this.lastReject = 'unknown_order';
        return false;
      }
      this.book.unlink(o);
      this.finish(o, 'cancelled', reason);
      return true;
    } finally {
      this.busy = false;
    }
  }

  /** Cancels every resting order of `owner`, oldest first; returns how many. */
  cancelAll(owner: number, reason: SimDoneReason = 'user'): number {
    this.enter();
    try {
      const mine: SimOrder[] = [];
      for (const o of this.book.orders.values()) if (o.owner === owner) mine.push(o);
      mine.sort((a, b) => a.id - b.id);
      for (const o of mine) {
        this.book.unlink(o);
        this.finish(o, 'cancelled', reason);
      }
      return mine.length;
    } finally {
      this.busy = false;
    }
  }

  // ---- queries -------------------------------------------------------------------------------

  bestBid(): Ticks | undefined {
    const p = this.book.bids.best();
    return p === 0 ? undefined : (p as Ticks);
  }

  bestAsk(): Ticks | undefined {
    const p = this.book.asks.best();
    return p === 0 ? undefined : (p as Ticks);
  }

  /** Number of price levels on a side. */
  levelCount(side: Side): number {
    return (side === 'buy' ? this.book.bids : this.book.asks).prices.length;
  }

  /** Aggregate resting lots at one price on a side (0 if none). */
  sizeAt(side: Side, price: number): number {
    return (side === 'buy' ? this.book.bids : this.book.asks).levels.get(price)?.total ?? 0;
  }

  /** The L2 image of one side, best first, at most `maxLevels` levels. */
  depth(side: Side, maxLevels = Number.POSITIVE_INFINITY): Level[] {
    return this.book.depth(side, maxLevels);
  }

  /**
   * The levels changed since the previous call, best first per side, with size 0 for a removed
   * level; undefined when nothing changed. Applying each result to the previous image reproduces
   * `depth()` exactly.
   */
  flushL2(): { bids: Level[]; asks: Level[] } | undefined {
    return this.book.flushL2();
  }

  /** Resting orders, oldest first; optionally of one owner. Copies, safe to keep. */
  restingOrders(owner?: number): SimOrderView[] {
    return this.book.restingOrders(owner);
  }

  /** A copy of a resting order, or undefined. */
  order(id: number): SimOrderView | undefined {
    const o = this.book.orders.get(id);
    return o ? copyView(o) : undefined;
  }

  isResting(id: number): boolean {
    return this.book.orders.has(id);
  }

  /** Orders of one level in queue order (ids), for priority checks. */
  queueAt(side: Side, price: number): number[] {
    return this.book.queueAt(side, price);
  }

  restingCount(): number {
    return this.book.orders.size;
  }

  fills(): number {
    return this.fillCount;
  }

  /** The fee of one execution in the quote asset, exact (negative = rebate). */
  fee(price: number, lots: number, liquidity: 'maker' | 'taker'): Decimal {
    return this.funding.fee(price, lots, liquidity);
  }

  /** The same fee printed as a venue would send it (no exponent, no trailing zeros). */
  feeText(price: number, lots: number, liquidity: 'maker' | 'taker'): string {
    return this.funding.feeText(price, lots, liquidity);
  }

  // ---- internals -----------------------------------------------------------------------------

  private enter(): void {
    if (this.busy) throw new EngineError('conflict', 'matching engine re-entered from a listener');
    this.busy = true;
    this.lastReject = null;
  }

  private doSubmit(
    owner: number,
    side: Side,
    type: SimOrderType,
    tif: SimTimeInForce,
    price: number,
    size: number,
    ref: unknown,
  ): number {
    if (!Number.isSafeInteger(size) || size <= 0) {
      throw new EngineError('invalid_input', `order size must be a positive lot count, got ${size}`);
    }
    // Checked as plain values: the engine is also driven from untyped code (scripts, the REPL).
    const sideV: unknown = side;
    const typeV: unknown = type;
    const tifV: unknown = tif;
    if (sideV !== 'buy' && sideV !== 'sell')
      throw new EngineError('invalid_input', `bad side ${String(sideV)}`);
    if (typeV !== 'limit' && typeV !== 'market') {
      throw new EngineError('invalid_input', `bad order type ${String(typeV)}`);
    }
    if (tifV !== 'gtc' && tifV !== 'ioc' && tifV !== 'post_only') {
      throw new EngineError('invalid_input', `bad time in force ${String(tifV)}`);
    }
    if (type === 'limit') {
      if (!Number.isSafeInteger(price) || price <= 0) {
        throw new EngineError('invalid_input', `limit price must be a positive tick count, got ${price}`);
      }
    } else {
      if (price !== 0) throw new EngineError('invalid_input', 'a market order takes no price');
      if (tif === 'post_only') throw new EngineError('invalid_input', 'a market order cannot be post-only');
    }
    const funded = !this.ledger.isUnlimited(owner);
    const isBuy = side === 'buy';

    if (tif === 'post_only' && this.wouldTake(isBuy, price)) {
      this.lastReject = 'post_only_would_take';
      return 0;
    }
    let locked = 0n;
    if (funded) {
      if (type === 'limit') {
        locked = this.funding.reserveFor(isBuy, price, size);
        if (!this.tryLock(owner, isBuy, locked)) return 0;
      } else if (!this.funding.canStartMarket(owner, isBuy, this.book.asks.best())) {
        this.lastReject = 'insufficient_funds';
        return 0;
      }
    }

    const o = this.orderPool.pop() ?? new SimOrder();
    o.id = this.nextId++;
    o.owner = owner;
    o.side = side;
    o.type = type;
    o.tif = tif;
    o.price = price;
    o.size = size;
    o.filled = 0;
    o.ref = ref;
    o.funded = funded;
    o.locked = locked;
    const id = o.id;
    this.listener.onAccept(o);

    const stop = this.match(o);
    if (o.filled === o.size) this.finish(o, 'filled', null);
    else if (type === 'market') {
      this.finish(o, 'cancelled', stop ?? (o.filled === 0 ? 'no_liquidity' : 'ioc_unfilled'));
    } else if (tif === 'ioc') this.finish(o, 'cancelled', 'ioc_unfilled');
    else this.book.rest(o);
    return id;
  }

  private doAmend(id: number, newPrice: number, newSize: number): boolean {
    const o = this.book.orders.get(id);
    if (o === undefined) {
      this.lastReject = 'unknown_order';
      return false;
    }
    if (newPrice !== 0 && (!Number.isSafeInteger(newPrice) || newPrice < 0)) {
      throw new EngineError('invalid_input', `amend price must be a positive tick count, got ${newPrice}`);
    }
    if (newSize !== 0 && (!Number.isSafeInteger(newSize) || newSize < 0)) {
      throw new EngineError('invalid_input', `amend size must be a positive lot count, got ${newSize}`);
    }
    const price = newPrice === 0 ? o.price : newPrice;
    const size = newSize === 0 ? o.size : newSize;
    const isBuy = o.side === 'buy';

    if (size <= o.filled) {
      this.book.unlink(o);
      o.size = o.filled;
      this.finish(o, 'filled', null);
      return true;
    }
    if (price !== o.price && o.tif === 'post_only' && this.wouldTake(isBuy, price)) {
      this.lastReject = 'post_only_would_take';
      return false;
    }
    if (o.funded) {
      const want = this.funding.reserveFor(isBuy, price, size - o.filled);
      const delta = want - o.locked;
      if (delta > 0n) {
        if (!this.tryLock(o.owner, isBuy, delta)) return false;
      } else if (delta < 0n) {
        this.funding.unlock(o.owner, isBuy, -delta);
      }
      o.locked = want;
    }
    if (price === o.price && size <= o.size) {
      // Same price, not larger: keeps its place in the queue.
      const lvl = o.level!;
      lvl.total -= o.size - size;
      o.size = size;
      (isBuy ? this.book.bids : this.book.asks).markDirty(price);
      this.listener.onAmend(o);
      return true;
    }
    this.book.unlink(o);
    o.price = price;
    o.size = size;
    this.listener.onAmend(o);
    this.match(o);
    if (o.filled === o.size) this.finish(o, 'filled', null);
    else this.book.rest(o);
    return true;
  }

  private wouldTake(isBuy: boolean, price: number): boolean {
    if (isBuy) {
      const a = this.book.asks.best();
      return a !== 0 && price >= a;
    }
    const b = this.book.bids.best();
    return b !== 0 && price <= b;
  }

  /**
   * Matches `t` against the opposite side as far as its limit (or funds, for a market order) allow.
   * Returns the reason a market order stopped early for lack of funds, else null.
   */
  private match(t: SimOrder): SimDoneReason {
    const isBuy = t.side === 'buy';
    const opp = isBuy ? this.book.asks : this.book.bids;
    const limit = t.type === 'market' ? 0 : t.price;
    const prices = opp.prices;
    while (t.filled < t.size) {
      const n = prices.length;
      if (n === 0) return null;
      const px = prices[n - 1]!;
      if (limit !== 0 && (isBuy ? px > limit : px < limit)) return null;
      const lvl = opp.levels.get(px)!;
      let m = lvl.head;
      while (m !== null && t.filled < t.size) {
        const after: SimOrder | null = m.next;
        if (m.owner === t.owner) {
          this.book.unlink(m);
          this.finish(m, 'cancelled', 'self_trade');
          m = after;
          continue;
        }
        let qty = t.size - t.filled;
        const avail = m.size - m.filled;
        if (avail < qty) qty = avail;
        if (limit === 0 && t.funded) {
          qty = this.funding.affordable(t, px, qty);
          if (qty === 0) return 'insufficient_funds';
        }
        m.filled += qty;
        t.filled += qty;
        lvl.total -= qty;
        opp.markDirty(px);
        if (m.funded || t.funded) this.funding.settle(m, t, px, qty);
        this.fillCount++;
        this.listener.onFill(m, t, px, qty);
        if (m.filled === m.size) {
          this.book.unlink(m);
          this.finish(m, 'filled', null);
        }
        m = after;
      }
    }
    return null;
  }

  /** Locks funds for an order, or notes `insufficient_funds` as the reason it is refused. */
  private tryLock(owner: number, isBuy: boolean, amount: bigint): boolean {
    if (this.funding.tryLock(owner, isBuy, amount)) return true;
    this.lastReject = 'insufficient_funds';
    return false;
  }

  /** Releases what the order still reserves, reports it done, and recycles it. */
  private finish(o: SimOrder, status: SimDoneStatus, reason: SimDoneReason): void {
    if (o.funded && o.locked !== 0n) this.funding.unlock(o.owner, o.side === 'buy', o.locked);
    o.locked = 0n;
    this.listener.onDone(o, status, reason);
    o.ref = null;
    this.orderPool.push(o);
  }
}

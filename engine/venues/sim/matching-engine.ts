import { Decimal } from '../../core/decimal.ts';
import { EngineError } from '../../core/errors.ts';
import type { Instrument, Lots, Side, Ticks } from '../../core/instrument.ts';
import type { Level } from '../../market/types.ts';
import type { Holding, Ledger } from './ledger.ts';
import { LEDGER_ATOMS } from './ledger.ts';
import { ticksTimesLotsBig } from '../../core/atoms.ts';

export type SimTimeInForce = 'gtc' | 'ioc' | 'post_only';
export type SimOrderType = 'limit' | 'market';
export type SimDoneStatus = 'filled' | 'cancelled';
/** Why an order left the book; `null` when it simply filled (or was amended down to its filled size). */
export type SimDoneReason =
  'user' | 'disconnect' | 'ioc_unfilled' | 'self_trade' | 'insufficient_funds' | 'no_liquidity' | null;
export type SimRejectCode = 'insufficient_funds' | 'post_only_would_take' | 'unknown_order';

/**
 * What a listener may read of an order. The object is pooled: it is valid only during the callback
 * that received it (copy what you need), and its fields describe the order after the change.
 */
export interface SimOrderView {
  readonly id: number;
  readonly owner: number;
  readonly side: Side;
  readonly type: SimOrderType;
  readonly tif: SimTimeInForce;
  /** Limit price in ticks; 0 for a market order. */
  readonly price: number;
  /** Total size in lots. */
  readonly size: number;
  /** Cumulative filled lots. */
  readonly filled: number;
  /** The caller's tag given at submit (e.g. the venue's order record). */
  readonly ref: unknown;
}

/**
 * Receives everything the engine does, synchronously, in the order it happens. A listener must not
 * call back into the engine (the engine throws if re-entered): queue the work instead.
 */
export interface SimEngineListener {
  /** An order passed the checks; called before it matches anything. */
  onAccept(order: SimOrderView): void;
  /** A resting order was amended; called before it matches anything at its new price. */
  onAmend(order: SimOrderView): void;
  /** One execution. Both orders already show the fill; balances are already settled. */
  onFill(maker: SimOrderView, taker: SimOrderView, price: number, lots: number): void;
  /** The order is finished (filled, or cancelled with a reason) and leaves the engine. */
  onDone(order: SimOrderView, status: SimDoneStatus, reason: SimDoneReason): void;
}

const NOOP_LISTENER: SimEngineListener = {
  onAccept() {},
  onAmend() {},
  onFill() {},
  onDone() {},
};

class SimOrder implements SimOrderView {
  id = 0;
  owner = 0;
  side: Side = 'buy';
  type: SimOrderType = 'limit';
  tif: SimTimeInForce = 'gtc';
  price = 0;
  size = 0;
  filled = 0;
  ref: unknown = null;
  funded = false;
  /** Funds reserved for the unfilled part, in ledger atoms: quote for a buy, base for a sell (funded owners only). */
  locked = 0n;
  prev: SimOrder | null = null;
  next: SimOrder | null = null;
  level: PriceLevel | null = null;
}

class PriceLevel {
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
class BookSide {
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
}

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
  private readonly bids = new BookSide(true);
  private readonly asks = new BookSide(false);
  /** Resting orders by id. */
  private readonly orders = new Map<number, SimOrder>();
  private readonly orderPool: SimOrder[] = [];
  /** Holdings by owner id, filled on first use. */
  private readonly quoteHoldings: (Holding | undefined)[] = [];
  private readonly baseHoldings: (Holding | undefined)[] = [];
  private readonly levelPool: PriceLevel[] = [];
  private nextId = 1;
  private busy = false;
  private fillCount = 0;
  /** Why the last submit / amend / cancel was refused. */
  lastReject: SimRejectCode | null = null;

  // Money constants in ledger atoms, computed once. Per "unit" means per tick x lot (the notional of
  // one lot at one tick), so every amount on the order path is one BigInt product with ticks x lots.
  private readonly lot: bigint;
  /** The reserve a buy locks per unit: 1 + max(taker, maker, 0) of its notional. */
  private readonly reservePerUnit: bigint;
  private readonly makerPerUnit: bigint;
  private readonly takerPerUnit: bigint;
  /** What a market buy pays per unit, fee included. */
  private readonly takerCostPerUnit: bigint;
  /** What a maker buy pays per unit, fee included. */
  private readonly makerCostPerUnit: bigint;
  /** What a sell receives per unit, net of its fee. */
  private readonly makerProceedsPerUnit: bigint;
  private readonly takerProceedsPerUnit: bigint;

  constructor(instrument: Instrument, ledger: Ledger) {
    this.instrument = instrument;
    this.ledger = ledger;
    const unit = instrument.tickSize.mul(instrument.lotSize);
    const takerFactor = instrument.takerFee.plus(1);
    if (!takerFactor.isPositive() || takerFactor.isZero()) {
      throw new EngineError('invalid_input', `${instrument.symbol} taker fee must be above -1`);
    }
    const reserveFactor = Decimal.max(instrument.takerFee, instrument.makerFee, 0).plus(1);
    const what = `${instrument.symbol} tick x lot x fee`;
    const unitAtoms = LEDGER_ATOMS.of(unit, what);
    this.lot = LEDGER_ATOMS.of(instrument.lotSize, `${instrument.symbol} lot`);
    this.reservePerUnit = LEDGER_ATOMS.of(unit.mul(reserveFactor), what);
    this.makerPerUnit = LEDGER_ATOMS.of(unit.mul(instrument.makerFee), what);
    this.takerPerUnit = LEDGER_ATOMS.of(unit.mul(instrument.takerFee), what);
    this.takerCostPerUnit = unitAtoms + this.takerPerUnit;
    this.makerCostPerUnit = unitAtoms + this.makerPerUnit;
    this.makerProceedsPerUnit = unitAtoms - this.makerPerUnit;
    this.takerProceedsPerUnit = unitAtoms - this.takerPerUnit;
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
      const o = this.orders.get(id);
      if (o === undefined) {
        this.lastReject = 'unknown_order';
        return false;
      }
      this.unlink(o);
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
      for (const o of this.orders.values()) if (o.owner === owner) mine.push(o);
      mine.sort((a, b) => a.id - b.id);
      for (const o of mine) {
        this.unlink(o);
        this.finish(o, 'cancelled', reason);
      }
      return mine.length;
    } finally {
      this.busy = false;
    }
  }

  // ---- queries -------------------------------------------------------------------------------

  bestBid(): Ticks | undefined {
    const p = this.bids.best();
    return p === 0 ? undefined : (p as Ticks);
  }

  bestAsk(): Ticks | undefined {
    const p = this.asks.best();
    return p === 0 ? undefined : (p as Ticks);
  }

  /** Number of price levels on a side. */
  levelCount(side: Side): number {
    return (side === 'buy' ? this.bids : this.asks).prices.length;
  }

  /** Aggregate resting lots at one price on a side (0 if none). */
  sizeAt(side: Side, price: number): number {
    return (side === 'buy' ? this.bids : this.asks).levels.get(price)?.total ?? 0;
  }

  /** The L2 image of one side, best first, at most `maxLevels` levels. */
  depth(side: Side, maxLevels = Number.POSITIVE_INFINITY): Level[] {
    const s = side === 'buy' ? this.bids : this.asks;
    const out: Level[] = [];
    for (let i = s.prices.length - 1; i >= 0 && out.length < maxLevels; i--) {
      const p = s.prices[i]!;
      out.push([p as Ticks, s.levels.get(p)!.total as Lots]);
    }
    return out;
  }

  /**
   * The levels changed since the previous call, best first per side, with size 0 for a removed
   * level; undefined when nothing changed. Applying each result to the previous image reproduces
   * `depth()` exactly.
   */
  flushL2(): { bids: Level[]; asks: Level[] } | undefined {
    if (this.bids.dirtyCount === 0 && this.asks.dirtyCount === 0) return undefined;
    return { bids: this.drainDirty(this.bids), asks: this.drainDirty(this.asks) };
  }

  /** Resting orders, oldest first; optionally of one owner. Copies, safe to keep. */
  restingOrders(owner?: number): SimOrderView[] {
    const out: SimOrderView[] = [];
    for (const o of this.orders.values()) {
      if (owner === undefined || o.owner === owner) out.push(copyView(o));
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** A copy of a resting order, or undefined. */
  order(id: number): SimOrderView | undefined {
    const o = this.orders.get(id);
    return o ? copyView(o) : undefined;
  }

  isResting(id: number): boolean {
    return this.orders.has(id);
  }

  /** Orders of one level in queue order (ids), for priority checks. */
  queueAt(side: Side, price: number): number[] {
    const lvl = (side === 'buy' ? this.bids : this.asks).levels.get(price);
    const ids: number[] = [];
    for (let o = lvl?.head ?? null; o !== null; o = o.next) ids.push(o.id);
    return ids;
  }

  restingCount(): number {
    return this.orders.size;
  }

  fills(): number {
    return this.fillCount;
  }

  /** The fee of one execution in the quote asset, exact (negative = rebate). */
  fee(price: number, lots: number, liquidity: 'maker' | 'taker'): Decimal {
    return LEDGER_ATOMS.toDecimal(this.feeAtoms(price, lots, liquidity));
  }

  /** The same fee printed as a venue would send it (no exponent, no trailing zeros). */
  feeText(price: number, lots: number, liquidity: 'maker' | 'taker'): string {
    // Executions mostly repeat a few (price, size, liquidity): bid and ask, maker and taker. The texts
    // of the last four are kept, so the common case prints nothing.
    const key = liquidity === 'maker' ? -price : price;
    const c = this.feeCache;
    for (let k = 0; k < 4; k++) if (c.keys[k] === key && c.lots[k] === lots) return c.texts[k]!;
    const slot = c.next;
    c.next = (slot + 1) & 3;
    c.keys[slot] = key;
    c.lots[slot] = lots;
    return (c.texts[slot] = LEDGER_ATOMS.format(this.feeAtoms(price, lots, liquidity)));
  }

  private readonly feeCache = {
    keys: [0, 0, 0, 0],
    lots: [0, 0, 0, 0],
    texts: ['', '', '', ''],
    next: 0,
  };

  private feeAtoms(price: number, lots: number, liquidity: 'maker' | 'taker'): bigint {
    return (liquidity === 'maker' ? this.makerPerUnit : this.takerPerUnit) * ticksTimesLotsBig(price, lots);
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
        locked = this.reserveFor(isBuy, price, size);
        if (!this.tryLock(owner, isBuy, locked)) return 0;
      } else if (!this.canStartMarket(owner, isBuy)) {
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
    else this.rest(o);
    return id;
  }

  private doAmend(id: number, newPrice: number, newSize: number): boolean {
    const o = this.orders.get(id);
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
      this.unlink(o);
      o.size = o.filled;
      this.finish(o, 'filled', null);
      return true;
    }
    if (price !== o.price && o.tif === 'post_only' && this.wouldTake(isBuy, price)) {
      this.lastReject = 'post_only_would_take';
      return false;
    }
    if (o.funded) {
      const want = this.reserveFor(isBuy, price, size - o.filled);
      const delta = want - o.locked;
      if (delta > 0n) {
        if (!this.tryLock(o.owner, isBuy, delta)) return false;
      } else if (delta < 0n) {
        this.unlock(o.owner, isBuy, -delta);
      }
      o.locked = want;
    }
    if (price === o.price && size <= o.size) {
      // Same price, not larger: keeps its place in the queue.
      const lvl = o.level!;
      lvl.total -= o.size - size;
      o.size = size;
      (isBuy ? this.bids : this.asks).markDirty(price);
      this.listener.onAmend(o);
      return true;
    }
    this.unlink(o);
    o.price = price;
    o.size = size;
    this.listener.onAmend(o);
    this.match(o);
    if (o.filled === o.size) this.finish(o, 'filled', null);
    else this.rest(o);
    return true;
  }

  private wouldTake(isBuy: boolean, price: number): boolean {
    if (isBuy) {
      const a = this.asks.best();
      return a !== 0 && price >= a;
    }
    const b = this.bids.best();
    return b !== 0 && price <= b;
  }

  /**
   * Matches `t` against the opposite side as far as its limit (or funds, for a market order) allow.
   * Returns the reason a market order stopped early for lack of funds, else null.
   */
  private match(t: SimOrder): SimDoneReason {
    const isBuy = t.side === 'buy';
    const opp = isBuy ? this.asks : this.bids;
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
          this.unlink(m);
          this.finish(m, 'cancelled', 'self_trade');
          m = after;
          continue;
        }
        let qty = t.size - t.filled;
        const avail = m.size - m.filled;
        if (avail < qty) qty = avail;
        if (limit === 0 && t.funded) {
          qty = this.affordable(t, px, qty);
          if (qty === 0) return 'insufficient_funds';
        }
        m.filled += qty;
        t.filled += qty;
        lvl.total -= qty;
        opp.markDirty(px);
        if (m.funded || t.funded) this.settle(m, t, px, qty);
        this.fillCount++;
        this.listener.onFill(m, t, px, qty);
        if (m.filled === m.size) {
          this.unlink(m);
          this.finish(m, 'filled', null);
        }
        m = after;
      }
    }
    return null;
  }

  /** Puts an order at the back of its price level. */
  private rest(o: SimOrder): void {
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
  private unlink(o: SimOrder): void {
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

  /** Releases what the order still reserves, reports it done, and recycles it. */
  private finish(o: SimOrder, status: SimDoneStatus, reason: SimDoneReason): void {
    if (o.funded && o.locked !== 0n) this.unlock(o.owner, o.side === 'buy', o.locked);
    o.locked = 0n;
    this.listener.onDone(o, status, reason);
    o.ref = null;
    this.orderPool.push(o);
  }

  private drainDirty(s: BookSide): Level[] {
    const n = s.dirtyCount;
    s.dirtyCount = 0;
    if (n === 0) return [];
    if (n === 1) {
      const p = s.dirty[0]!;
      return [[p as Ticks, (s.levels.get(p)?.total ?? 0) as Lots]];
    }
    const d = s.dirty.slice(0, n);
    if (s.isBid) d.sort((a, b) => b - a);
    else d.sort((a, b) => a - b);
    const out: Level[] = [];
    for (let i = 0; i < n; i++) {
      const p = d[i]!;
      if (i > 0 && p === d[i - 1]) continue;
      out.push([p as Ticks, (s.levels.get(p)?.total ?? 0) as Lots]);
    }
    return out;
  }

  // ---- money ---------------------------------------------------------------------------------

  private reserveFor(isBuy: boolean, price: number, lots: number): bigint {
    return isBuy ? this.reservePerUnit * ticksTimesLotsBig(price, lots) : this.lot * BigInt(lots);
  }

  // The ledger never replaces a holding, so each owner's two are looked up (by asset name) once.
  private quoteOf(owner: number): Holding {
    return (this.quoteHoldings[owner] ??= this.ledger.holding(owner, this.instrument.quote));
  }

  private baseOf(owner: number): Holding {
    return (this.baseHoldings[owner] ??= this.ledger.holding(owner, this.instrument.base));
  }

  private tryLock(owner: number, isBuy: boolean, amount: bigint): boolean {
    const h = isBuy ? this.quoteOf(owner) : this.baseOf(owner);
    if (h.total - h.locked < amount) {
      this.lastReject = 'insufficient_funds';
      return false;
    }
    h.locked += amount;
    return true;
  }

  private unlock(owner: number, isBuy: boolean, amount: bigint): void {
    const h = isBuy ? this.quoteOf(owner) : this.baseOf(owner);
    h.locked -= amount;
  }

  private canStartMarket(owner: number, isBuy: boolean): boolean {
    if (!isBuy) {
      const h = this.baseOf(owner);
      return h.total - h.locked >= this.lot;
    }
    const ask = this.asks.best();
    // An empty book is not a funding problem: the order is accepted and ends with no_liquidity.
    if (ask === 0) return true;
    const h = this.quoteOf(owner);
    return h.total - h.locked >= this.takerCostPerUnit * BigInt(ask);
  }

  /** How many of `want` lots a market order's free balance pays for at `price`. */
  private affordable(t: SimOrder, price: number, want: number): number {
    let max: number;
    if (t.side === 'buy') {
      const h = this.quoteOf(t.owner);
      max = atomsQuotient(h.total - h.locked, this.takerCostPerUnit * BigInt(price));
    } else {
      const h = this.baseOf(t.owner);
      max = atomsQuotient(h.total - h.locked, this.lot);
    }
    return max < want ? Math.max(0, max) : want;
  }

  /** Moves base and quote between the two owners and charges fees, for the funded ones. */
  private settle(m: SimOrder, t: SimOrder, price: number, qty: number): void {
    // Every amount is one product of a per-unit constant (fee folded in) and ticks x lots: the same
    // integers as notional and fee apart, in fewer BigInt operations.
    const units = ticksTimesLotsBig(price, qty);
    const base = this.lot * BigInt(qty);
    const buyer = m.side === 'buy' ? m : t;
    const seller = m.side === 'buy' ? t : m;
    if (buyer.funded) {
      const q = this.quoteOf(buyer.owner);
      const b = this.baseOf(buyer.owner);
      if (buyer.type === 'limit') {
        // The reserve was taken at the order's own limit price; release that share of it.
        const release =
          this.reservePerUnit * (buyer.price === price ? units : ticksTimesLotsBig(buyer.price, qty));
        buyer.locked -= release;
        q.locked -= release;
      }
      q.total -= (buyer === m ? this.makerCostPerUnit : this.takerCostPerUnit) * units;
      b.total += base;
    }
    if (seller.funded) {
      const q = this.quoteOf(seller.owner);
      const b = this.baseOf(seller.owner);
      if (seller.type === 'limit') {
        seller.locked -= base;
        b.locked -= base;
      }
      b.total -= base;
      q.total += (seller === m ? this.makerProceedsPerUnit : this.takerProceedsPerUnit) * units;
    }
  }
}

/** floor(free / cost) as a lot count: 0 when nothing is free, capped at 2^53 - 1. */
function atomsQuotient(free: bigint, cost: bigint): number {
  if (free <= 0n) return 0;
  const q = free / cost;
  return q > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(q);
}

function copyView(o: SimOrder): SimOrderView {
  return {
    id: o.id,
    owner: o.owner,
    side: o.side,
    type: o.type,
    tif: o.tif,
    price: o.price,
    size: o.size,
    filled: o.filled,
    ref: o.ref,
  };
}

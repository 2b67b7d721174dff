import { orderUpdateOf } from '../order-record.ts';
import type { Clock } from '../../core/clock.ts';
import type { Ticks } from '../../core/instrument.ts';
import { belowMinNotional } from '../../core/instrument.ts';
import { OrderedTable } from '../../core/ordered-table.ts';
import { RecentSet } from '../../core/recent-set.ts';
import type {
  AmendRequest,
  CancelRequest,
  OrderAck,
  OrderType,
  OrderUpdate,
  PlaceRequest,
  TimeInForce,
  VenueOrderStatus,
  VenueRejectCode,
  VenueResult,
} from '../venue.ts';
import type {
  SimDoneReason,
  SimDoneStatus,
  SimEngineListener,
  SimOrderView,
  SimRejectCode,
} from './matching-engine.ts';
import type { SimExecutions } from './sim-executions.ts';
import type { SimFeed } from './sim-feed.ts';
import { reject } from './sim-requests.ts';
import type { SymbolSim } from './sim-symbol.ts';

/** Our order as the venue records it. */
interface OwnOrder {
  readonly symbol: string;
  readonly clientId: string;
  venueOrderId: string;
  readonly side: 'buy' | 'sell';
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  price: number;
  size: number;
  filled: number;
  status: VenueOrderStatus;
  updateSeq: number;
  reason: OrderUpdate['reason'];
  engineId: number;
  /** In `open`: it outlived its submit (rested). An order that ends inside its submit never is. */
  listed: boolean;
  /** Changed by the operation being processed: its state goes out once, when that operation ends. */
  changed: boolean;
}

/**
 * Our orders at the venue: the order requests carried out on the books (checked as a real venue
 * checks them), the table of our open orders and the client ids already used, and our orders' states,
 * sent once per operation that changed them, after that operation's executions.
 */
export class SimOrders {
  private readonly clock: Clock;
  private readonly feed: SimFeed;
  private readonly executions: SimExecutions;
  private readonly owner: number;
  private readonly runTag: string;
  private readonly symbols: ReadonlyMap<string, SymbolSim>;
  /** Client ids of accepted orders, the last `historyLimit` of them: a reused one is refused. */
  private readonly usedClientIds: RecentSet;
  private readonly open = new OrderedTable<string, OwnOrder>();
  /** Our orders changed by the operation in progress, each once (see markChanged). */
  private readonly changedOrders: (OwnOrder | undefined)[] = [];
  private changedCount = 0;

  constructor(
    clock: Clock,
    feed: SimFeed,
    executions: SimExecutions,
    owner: number,
    runTag: string,
    symbols: ReadonlyMap<string, SymbolSim>,
    historyLimit: number,
  ) {
    this.clock = clock;
    this.feed = feed;
    this.executions = executions;
    this.owner = owner;
    this.runTag = runTag;
    this.symbols = symbols;
    this.usedClientIds = new RecentSet(historyLimit);
  }

  // The handlers are static functions of (orders, request), so a request allocates no closure.
  static readonly place = (o: SimOrders, r: PlaceRequest): VenueResult<OrderAck> => o.handlePlace(r);
  static readonly amend = (o: SimOrders, r: AmendRequest): VenueResult<OrderAck> => o.handleAmend(r);
  static readonly cancel = (o: SimOrders, r: CancelRequest): VenueResult<OrderAck> => o.handleCancel(r);
  static readonly cancelAll = (o: SimOrders, symbol: string): VenueResult<{ cancelled: number }> =>
    o.handleCancelAll(symbol);

  /** Our open orders now, optionally of one symbol. */
  openOrders(symbol: string | undefined): OrderUpdate[] {
    return this.open
      .values()
      .filter((o) => symbol === undefined || o.symbol === symbol)
      .map((o) => orderUpdateOf(o, this.clock.now()));
  }

  private handlePlace(req: PlaceRequest): VenueResult<OrderAck> {
    const sym = this.symbols.get(req.symbol);
    if (!sym) return reject('invalid_order', `unknown symbol ${JSON.stringify(req.symbol)}`);
    const inst = sym.instrument;
    if (typeof req.clientId !== 'string' || req.clientId.length === 0 || req.clientId.length > 64) {
      return reject('invalid_order', 'clientId must be a non-empty string of at most 64 characters');
    }
    if (this.open.has(req.clientId) || this.usedClientIds.has(req.clientId)) {
      return reject('duplicate_client_id', `clientId ${req.clientId} was used before`);
    }
    // Checked as plain values: a request may come from untyped code.
    const raw: Readonly<Record<'side' | 'type' | 'timeInForce', unknown>> = req;
    if (raw.side !== 'buy' && raw.side !== 'sell') return reject('invalid_order', 'side must be buy or sell');
    if (raw.type !== 'limit' && raw.type !== 'market') {
      return reject('invalid_order', 'order type must be limit or market');
    }
    if (raw.timeInForce !== 'gtc' && raw.timeInForce !== 'ioc' && raw.timeInForce !== 'post_only') {
      return reject('invalid_order', 'unknown time in force');
    }
    if (!isCount(req.size) || req.size < inst.minLots) {
      return reject('invalid_order', `size must be a whole number of lots, at least ${inst.minLots}`);
    }
    let price = 0;
    if (req.type === 'limit') {
      if (req.price === undefined || !isCount(req.price)) {
        return reject('invalid_order', 'a limit order needs a positive whole number of ticks');
      }
      price = req.price;
      if (belowMinNotional(inst, price, req.size)) {
        return reject('invalid_order', `notional below the minimum ${inst.minNotional.toFixed()}`);
      }
    } else {
      if (req.price !== undefined) return reject('invalid_order', 'a market order takes no price');
      if (req.timeInForce === 'post_only') {
        return reject('invalid_order', 'a market order cannot be post-only');
      }
    }
    const rec: OwnOrder = {
      symbol: inst.symbol,
      clientId: req.clientId,
      venueOrderId: '',
      side: req.side,
      orderType: req.type,
      timeInForce: req.timeInForce,
      price,
      size: req.size,
      filled: 0,
      status: 'new',
      updateSeq: 0,
      reason: undefined,
      engineId: 0,
      listed: false,
      changed: false,
    };
    // reduceOnly has no meaning on a spot venue and is accepted without effect.
    const id = sym.engine.submit(
      this.owner,
      req.side,
      req.type,
      req.timeInForce,
      price as Ticks | 0,
      req.size,
      rec,
    );
    this.endOperation(sym);
    if (id === 0) return engineReject(sym.engine.lastReject);
    this.usedClientIds.add(rec.clientId);
    // Only an order still live after its submit is listed: an IOC that fills or dies at once never
    // costs a Map entry.
    if (rec.status === 'new' || rec.status === 'partially_filled') {
      rec.listed = true;
      this.open.set(rec.clientId, rec);
    }
    return {
      ok: true,
      value: { clientId: rec.clientId, venueOrderId: rec.venueOrderId, ts: this.clock.now() },
    };
  }

  private handleAmend(req: AmendRequest): VenueResult<OrderAck> {
    const sym = this.symbols.get(req.symbol);
    if (!sym) return reject('invalid_order', `unknown symbol ${JSON.stringify(req.symbol)}`);
    const rec = this.open.get(req.clientId);
    if (!rec || rec.symbol !== req.symbol) return reject('unknown_order', `no open order ${req.clientId}`);
    if (req.price !== undefined && !isCount(req.price)) {
      return reject('invalid_order', 'price must be a positive whole number of ticks');
    }
    if (req.size !== undefined && !isCount(req.size)) {
      return reject('invalid_order', 'size must be a positive whole number of lots');
    }
    const inst = sym.instrument;
    const price = req.price ?? rec.price;
    const size = req.size ?? rec.size;
    if (size > rec.filled) {
      if (size < inst.minLots) return reject('invalid_order', `size below the minimum ${inst.minLots} lots`);
      if (belowMinNotional(inst, price, size)) {
        return reject('invalid_order', `notional below the minimum ${inst.minNotional.toFixed()}`);
      }
    }
    const ok = sym.engine.amend(rec.engineId, req.price ?? 0, req.size ?? 0);
    this.endOperation(sym);
    if (!ok) return engineReject(sym.engine.lastReject);
    return {
      ok: true,
      value: { clientId: rec.clientId, venueOrderId: rec.venueOrderId, ts: this.clock.now() },
    };
  }

  private handleCancel(req: CancelRequest): VenueResult<OrderAck> {
    const sym = this.symbols.get(req.symbol);
    if (!sym) return reject('invalid_order', `unknown symbol ${JSON.stringify(req.symbol)}`);
    const rec = this.open.get(req.clientId);
    if (!rec || rec.symbol !== req.symbol) return reject('unknown_order', `no open order ${req.clientId}`);
    const ok = sym.engine.cancel(rec.engineId, 'user');
    this.endOperation(sym);
    if (!ok) return engineReject(sym.engine.lastReject);
    return {
      ok: true,
      value: { clientId: rec.clientId, venueOrderId: rec.venueOrderId, ts: this.clock.now() },
    };
  }

  private handleCancelAll(symbol: string): VenueResult<{ cancelled: number }> {
    const sym = this.symbols.get(symbol);
    if (!sym) return reject('invalid_order', `unknown symbol ${JSON.stringify(symbol)}`);
    const cancelled = sym.engine.cancelAll(this.owner, 'user');
    this.endOperation(sym);
    return { ok: true as const, value: { cancelled } };
  }

  /** Routes one symbol's engine events: the public tape for every fill, our executions for ours. */
  router(sym: () => SymbolSim): SimEngineListener {
    const me = this.owner;
    return {
      onAccept: (o: SimOrderView) => {
        if (o.owner !== me) return;
        const rec = o.ref as OwnOrder;
        rec.engineId = o.id;
        rec.venueOrderId = `${this.runTag}-${o.id}`;
        this.markChanged(sym(), rec);
      },
      onAmend: (o: SimOrderView) => {
        if (o.owner !== me) return;
        const rec = o.ref as OwnOrder;
        rec.price = o.price;
        rec.size = o.size;
        this.markChanged(sym(), rec);
      },
      onFill: (maker: SimOrderView, taker: SimOrderView, price: number, lots: number) => {
        const s = sym();
        const now = this.clock.now();
        this.feed.trade(s, taker.side, price, lots, now);
        if (maker.owner === me) this.ownFill(s, maker, price, lots, 'maker', now);
        else if (taker.owner === me) this.ownFill(s, taker, price, lots, 'taker', now);
      },
      onDone: (o: SimOrderView, status: SimDoneStatus, reason: SimDoneReason) => {
        if (o.owner !== me) return;
        const rec = o.ref as OwnOrder;
        rec.size = o.size;
        rec.filled = o.filled;
        rec.status = status;
        rec.reason = reason ?? undefined;
        if (rec.listed) {
          rec.listed = false;
          this.open.delete(rec.clientId);
        }
        this.markChanged(sym(), rec);
      },
    };
  }

  private ownFill(
    sym: SymbolSim,
    o: SimOrderView,
    price: number,
    lots: number,
    liquidity: 'maker' | 'taker',
    ts: number,
  ): void {
    const rec = o.ref as OwnOrder;
    rec.filled = o.filled;
    this.executions.fill(
      sym,
      rec.clientId,
      rec.engineId,
      rec.venueOrderId,
      rec.side,
      price,
      lots,
      liquidity,
      ts,
    );
    // A full fill's status is set by onDone, which follows.
    if (o.filled < o.size) rec.status = 'partially_filled';
    this.markChanged(sym, rec);
  }

  /**
   * Notes that an operation changed one of our orders. Like a real venue's order stream, we send an
   * order's state once per operation (request or market event) that changed it, after that
   * operation's executions: an IOC that fills at once reports only 'filled'.
   */
  private markChanged(sym: SymbolSim, rec: OwnOrder): void {
    if (rec.changed) return;
    rec.changed = true;
    this.changedOrders[this.changedCount++] = rec;
    // Normally endOperation sends it; this covers a change made by driving the engine directly.
    this.feed.scheduleFlush(sym);
  }

  /** Ends one request on a symbol's book: sends the states it changed, schedules the depth. */
  endOperation(sym: SymbolSim): void {
    if (this.changedCount > 0) this.sendChangedOrders();
    this.feed.scheduleFlush(sym);
  }

  /** Sends the order states and the depth change waiting to go out, now. */
  sendChanges(sym: SymbolSim): void {
    if (this.changedCount > 0) this.sendChangedOrders();
    this.feed.publishBook(sym);
  }

  private sendChangedOrders(): void {
    // The list is emptied by count and cleared slot by slot: setting length to 0 would free its
    // storage, to be allocated again by the next operation.
    const list = this.changedOrders;
    for (let i = 0; i < this.changedCount; i++) {
      const rec = list[i]!;
      list[i] = undefined;
      rec.changed = false;
      this.emitUpdate(rec);
    }
    this.changedCount = 0;
  }

  private emitUpdate(rec: OwnOrder): void {
    rec.updateSeq++;
    this.executions.emit(orderUpdateOf(rec, this.clock.now()));
  }
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
}

function engineReject(code: SimRejectCode | null): { ok: false; code: VenueRejectCode; message: string } {
  switch (code) {
    case 'insufficient_funds':
      return reject('insufficient_funds', 'balance cannot fund the order');
    case 'post_only_would_take':
      return reject('post_only_would_take', 'post-only order would take liquidity');
    case 'unknown_order':
      return reject('unknown_order', 'order is not open');
    case null:
      return reject('other', 'refused');
  }
}

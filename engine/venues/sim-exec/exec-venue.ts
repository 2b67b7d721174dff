import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import type { Instrument, InstrumentSpec, Lots, Ticks } from '../../core/instrument.ts';
import { defineInstrument, oppositeSide } from '../../core/instrument.ts';
import { RecentSet } from '../../core/recent-set.ts';
import type { OrderBook } from '../../market/order-book.ts';
import { TradeTape } from '../../market/trade-tape.ts';
import type { BookMessage, Trade } from '../../market/types.ts';
import type {
  AmendRequest,
  Balance,
  CancelRequest,
  ExecutionEvent,
  Fill,
  OrderAck,
  OrderUpdate,
  PlaceRequest,
  VenueResult,
} from '../venue.ts';
import type { ExecOrder } from './exec-order.ts';
import { leaves } from './exec-order.ts';
import { orderUpdateOf } from '../order-record.ts';
import { ExecutionLog } from './execution-log.ts';
import { FeedBook } from './feed-book.ts';
import { checkAmend, checkPlace, refuse } from './order-checks.ts';
import type { QueueModel } from './queue-model.ts';
import { RestingOrders } from './resting-orders.ts';
import { InstrumentMoney, Wallet } from './wallet.ts';

export interface ExecVenueOptions {
  clock: Clock;
  instruments: readonly InstrumentSpec[];
  balances: Readonly<Record<string, string>>;
  queueModel: QueueModel;
  /** Prefix of every order and execution id, unique per run. */
  runTag: string;
  /** How many client ids and executions are remembered (duplicates, executionsSince). */
  historyLimit: number;
  /** Receives our executions in the order they happen, at venue time; the caller delivers them. */
  emit: (event: ExecutionEvent) => void;
}

/** What may be read of one instrument's market at the venue side; not to be changed by the reader. */
export interface MarketView {
  readonly book: OrderBook;
  readonly tape: TradeTape;
}

type FillCause = NonNullable<Fill['cause']>;

/** Everything the venue side keeps for one instrument. */
interface Market {
  readonly instrument: Instrument;
  readonly money: InstrumentMoney;
  readonly feed: FeedBook;
  readonly resting: RestingOrders;
  readonly tape: TradeTape;
}

/**
 * The venue side of simulated execution, with no latency: it handles a request the moment it
 * arrives and a feed message the moment it is received, against the feed's book as it stands then.
 * Synchronous and deterministic; SimulatedExecution puts the network around it.
 *
 * Like a real venue's order stream, an order's state is sent once per operation (a request or a feed
 * message) that changed it, after that operation's fills: an IOC that fills at once reports only
 * 'filled'.
 */
export class ExecVenue {
  private readonly o: ExecVenueOptions;
  private readonly markets = new Map<string, Market>();
  private readonly wallet: Wallet;
  /** Our open (resting) orders by client id, in arrival order. */
  private readonly open = new Map<string, ExecOrder>();
  private readonly usedIds: RecentSet;
  private readonly history: ExecutionLog;
  private readonly changed: ExecOrder[] = [];
  /** onBook's working arrays: our prices and the lots the feed showed there before the message. */
  private readonly scratchPrices: number[] = [];
  private readonly scratchShown: number[] = [];
  private orderSeq = 0;
  private execSeq = 0;

  constructor(options: ExecVenueOptions) {
    this.o = options;
    if (!Number.isSafeInteger(options.historyLimit) || options.historyLimit < 1)
      throw new EngineError('invalid_input', 'historyLimit must be a whole number ≥ 1');
    this.usedIds = new RecentSet(options.historyLimit);
    this.history = new ExecutionLog(options.historyLimit);
    this.wallet = new Wallet(options.balances);
    for (const spec of options.instruments) {
      const instrument = defineInstrument(spec);
      if (this.markets.has(instrument.symbol))
        throw new EngineError('invalid_input', `instrument ${instrument.symbol} listed twice`);
      this.markets.set(instrument.symbol, {
        instrument,
        money: new InstrumentMoney(instrument),
        feed: new FeedBook(instrument.symbol, options.clock),
        resting: new RestingOrders(options.queueModel),
        tape: new TradeTape(1024),
      });
      // Every traded asset is reported, at zero if we hold none.
      this.wallet.holding(instrument.base);
      this.wallet.holding(instrument.quote);
    }
  }

  symbols(): string[] {
    return [...this.markets.keys()];
  }

  /** The feed's book (without our taken liquidity) and its trades, as the venue side sees them. */
  market(symbol: string): MarketView | undefined {
    const m = this.markets.get(symbol);
    return m && { book: m.feed.book, tape: m.tape };
  }

  // ---- requests ------------------------------------------------------------------------------

  place(req: PlaceRequest): VenueResult<OrderAck> {
    const m = this.markets.get(req.symbol);
    if (!m) return refuse('invalid_order', `unknown symbol ${JSON.stringify(req.symbol)}`);
    const bad = checkPlace(m.instrument, req);
    if (bad) return bad;
    if (this.open.has(req.clientId) || this.usedIds.has(req.clientId))
      return refuse('duplicate_client_id', `clientId ${req.clientId} was used before`);
    if (!m.feed.ready()) return refuse('venue_unavailable', `no book for ${req.symbol} from the feed`);
    const limit = req.type === 'limit' ? req.price : undefined;
    const opposite = oppositeSide(req.side);
    if (req.timeInForce === 'post_only' && m.feed.bestVisible(opposite, limit!) !== undefined)
      return refuse('post_only_would_take', 'post-only order would take liquidity');
    let locked = 0n;
    if (limit !== undefined) {
      locked = m.money.reserve(req.side, limit, req.size);
      if (!this.wallet.tryLock(m.money.lockAsset(req.side), locked))
        return refuse('insufficient_funds', 'balance cannot fund the order');
    } else {
      // An empty book is not a funding problem: the order is accepted and ends with no_liquidity.
      const first = m.feed.takeable(opposite, undefined)[0];
      if (first && m.money.affordable(this.wallet, req.side, first.price, 1) === 0)
        return refuse('insufficient_funds', 'balance cannot fund one lot');
    }
    const order: ExecOrder = {
      symbol: req.symbol,
      clientId: req.clientId,
      venueOrderId: `${this.o.runTag}-${++this.orderSeq}`,
      side: req.side,
      orderType: req.type,
      timeInForce: req.timeInForce,
      price: limit ?? 0,
      size: req.size,
      filled: 0,
      status: 'new',
      reason: undefined,
      updateSeq: 0,
      locked,
      place: null,
      joinSeq: 0,
      changed: false,
    };
    this.usedIds.add(order.clientId);
    this.markChanged(order);
    // reduceOnly has no meaning on a spot venue and is accepted without effect.
    const stop = this.take(m, order, limit);
    if (leaves(order) === 0) this.finish(m, order, 'filled', undefined);
    else if (req.type === 'market')
      this.finish(m, order, 'cancelled', stop ?? (order.filled === 0 ? 'no_liquidity' : 'ioc_unfilled'));
    else if (req.timeInForce === 'ioc') this.finish(m, order, 'cancelled', 'ioc_unfilled');
    else this.rest(m, order);
    this.endOperation();
    return this.ack(order);
  }

  amend(req: AmendRequest): VenueResult<OrderAck> {
    const m = this.markets.get(req.symbol);
    if (!m) return refuse('invalid_order', `unknown symbol ${JSON.stringify(req.symbol)}`);
    const order = this.open.get(req.clientId);
    if (!order || order.symbol !== req.symbol)
      return refuse('unknown_order', `no open order ${req.clientId}`);
    const bad = checkAmend(m.instrument, order, req);
    if (bad) return bad;
    const price = req.price ?? order.price;
    const size = req.size ?? order.size;
    if (size <= order.filled) {
      order.size = order.filled;
      this.finish(m, order, 'filled', undefined);
      this.endOperation();
      return this.ack(order);
    }
    // A price change or a size increase is a new place at the back of the queue; a decrease keeps it.
    const moves = price !== order.price || size > order.size;
    if (moves && !m.feed.ready())
      return refuse('venue_unavailable', `no book for ${req.symbol} from the feed`);
    const opposite = oppositeSide(order.side);
    if (
      price !== order.price &&
      order.timeInForce === 'post_only' &&
      m.feed.bestVisible(opposite, price) !== undefined
    )
      return refuse('post_only_would_take', 'post-only order would take liquidity');
    const asset = m.money.lockAsset(order.side);
    const want = m.money.reserve(order.side, price, size - order.filled);
    if (want > order.locked && !this.wallet.tryLock(asset, want - order.locked))
      return refuse('insufficient_funds', 'balance cannot fund the amended order');
    if (want < order.locked) this.wallet.unlock(asset, order.locked - want);
    order.locked = want;
    this.markChanged(order);
    if (!moves) {
      order.size = size;
      this.endOperation();
      return this.ack(order);
    }
    m.resting.remove(order);
    order.price = price;
    order.size = size;
    if (order.timeInForce === 'gtc') this.take(m, order, price);
    if (leaves(order) === 0) this.finish(m, order, 'filled', undefined);
    else m.resting.add(order, m.feed.shown(order.side, order.price));
    this.endOperation();
    return this.ack(order);
  }

  cancel(req: CancelRequest): VenueResult<OrderAck> {
    const m = this.markets.get(req.symbol);
    if (!m) return refuse('invalid_order', `unknown symbol ${JSON.stringify(req.symbol)}`);
    const order = this.open.get(req.clientId);
    if (!order || order.symbol !== req.symbol)
      return refuse('unknown_order', `no open order ${req.clientId}`);
    this.finish(m, order, 'cancelled', 'user');
    this.endOperation();
    return this.ack(order);
  }

  cancelAll(symbol: string): VenueResult<{ cancelled: number }> {
    const m = this.markets.get(symbol);
    if (!m) return refuse('invalid_order', `unknown symbol ${JSON.stringify(symbol)}`);
    const orders = m.resting.all();
    for (const order of orders) this.finish(m, order, 'cancelled', 'user');
    this.endOperation();
    return { ok: true, value: { cancelled: orders.length } };
  }

  // ---- queries -------------------------------------------------------------------------------

  openOrders(symbol?: string): OrderUpdate[] {
    const now = this.o.clock.now();
    const out: OrderUpdate[] = [];
    for (const order of this.open.values())
      if (symbol === undefined || order.symbol === symbol) out.push(orderUpdateOf(order, now));
    return out;
  }

  executionsSince(sinceMs: number, symbol?: string): Fill[] {
    return this.history.since(sinceMs, symbol);
  }

  balances(): Balance[] {
    return this.wallet.balances();
  }

  // ---- the feed ------------------------------------------------------------------------------

  /** A book message from the feed: the queues ahead of our orders move, and a cross fills them. */
  onBook(symbol: string, message: BookMessage): void {
    const m = this.markets.get(symbol);
    if (!m) return;
    const resting = m.resting;
    if (resting.size() === 0) {
      m.feed.apply(message);
      return;
    }
    // Our prices (bids first) and what the feed shows at each before the message, in arrays kept from
    // one book message to the next: built afresh, they and their closures were a backtest's largest
    // allocation. Nothing below re-enters onBook before the levels are told (fills come after).
    const prices = this.scratchPrices;
    const before = this.scratchShown;
    prices.length = 0;
    resting.collectPrices('buy', prices);
    const bids = prices.length;
    resting.collectPrices('sell', prices);
    before.length = prices.length;
    for (let i = 0; i < prices.length; i++) before[i] = m.feed.shown(i < bids ? 'buy' : 'sell', prices[i]!);
    const result = m.feed.apply(message);
    if (result !== 'ok' && result !== 'crossed') return;
    for (let i = 0; i < prices.length; i++) {
      const side = i < bids ? 'buy' : 'sell';
      const price = prices[i]!;
      const after = m.feed.shown(side, price);
      if (message.kind === 'snapshot') resting.onResync(side, price, after);
      else if (after !== before[i]) resting.onLevelChange(side, price, before[i]!, after);
    }
    // A crossed feed book (a dropped delete, hftbacktest #125) would fake crosses: only a sound one fills.
    if (result === 'ok') this.fillCrossed(m);
    this.endOperation();
  }

  /** A public trade from the feed: it may consume the queue ahead of our orders and fill them. */
  onTrade(symbol: string, trade: Trade): void {
    const m = this.markets.get(symbol);
    if (!m) return;
    m.tape.push(trade);
    if (m.resting.size() === 0) return;
    for (const { order, lots, cause } of m.resting.onTrade(trade)) {
      this.fill(m, order, order.price, lots, cause);
      if (leaves(order) === 0) this.finish(m, order, 'filled', undefined);
    }
    this.endOperation();
  }

  /** The feed dropped: every book is forgotten until its next snapshot; our orders keep resting. */
  resetBooks(): void {
    for (const m of this.markets.values()) m.feed.reset();
  }

  // ---- internals -----------------------------------------------------------------------------

  /**
   * Takes liquidity for a marketable order, level by level, never more than the book shows us.
   * Returns why a market order stopped early for lack of funds, else undefined.
   */
  private take(m: Market, order: ExecOrder, limit: number | undefined): 'insufficient_funds' | undefined {
    const opposite = oppositeSide(order.side);
    if (limit !== undefined && m.feed.bestVisible(opposite, limit) === undefined) return undefined;
    for (const level of m.feed.takeable(opposite, limit)) {
      let lots = Math.min(leaves(order), level.lots);
      if (limit === undefined) {
        lots = m.money.affordable(this.wallet, order.side, level.price, lots);
        if (lots === 0) return 'insufficient_funds';
      }
      this.fill(m, order, level.price, lots, 'taker');
      m.feed.take(opposite, level.price, lots);
      if (leaves(order) === 0) break;
    }
    return undefined;
  }

  /** The visible opposite side reached our price: what rests there fills in full, as maker. */
  private fillCrossed(m: Market): void {
    for (const side of ['buy', 'sell'] as const) {
      const best = m.resting.best(side);
      if (best === undefined) continue;
      const reach = m.feed.bestVisible(oppositeSide(side), best);
      if (reach === undefined) continue;
      for (const order of m.resting.atOrBetter(side, reach)) {
        this.fill(m, order, order.price, leaves(order), 'cross');
        this.finish(m, order, 'filled', undefined);
      }
    }
  }

  /** Settles one execution of ours and sends it: a maker fill unless our order took liquidity. */
  private fill(m: Market, order: ExecOrder, price: number, lots: number, cause: FillCause): void {
    const liquidity = cause === 'taker' ? 'taker' : 'maker';
    const limit = order.orderType === 'limit' ? order.price : undefined;
    order.locked -= m.money.settle(this.wallet, order.side, limit, price, lots, liquidity);
    order.filled += lots;
    order.status = order.filled === order.size ? 'filled' : 'partially_filled';
    const fill: Fill = {
      type: 'fill',
      symbol: order.symbol,
      execId: `${this.o.runTag}-x${++this.execSeq}`,
      clientId: order.clientId,
      venueOrderId: order.venueOrderId,
      side: order.side,
      price: price as Ticks,
      size: lots as Lots,
      fee: m.money.feeText(price, lots, liquidity),
      feeAsset: m.instrument.quote,
      liquidity,
      ts: this.o.clock.now(),
      cause,
    };
    this.history.add(fill);
    this.o.emit(fill);
    this.markChanged(order);
  }

  private rest(m: Market, order: ExecOrder): void {
    m.resting.add(order, m.feed.shown(order.side, order.price));
    this.open.set(order.clientId, order);
  }

  /** The order leaves the venue: what it still reserves is released. */
  private finish(
    m: Market,
    order: ExecOrder,
    status: 'filled' | 'cancelled',
    reason: OrderUpdate['reason'],
  ): void {
    if (order.locked !== 0n) this.wallet.unlock(m.money.lockAsset(order.side), order.locked);
    order.locked = 0n;
    order.status = status;
    order.reason = reason;
    m.resting.remove(order);
    this.open.delete(order.clientId);
    this.markChanged(order);
  }

  private markChanged(order: ExecOrder): void {
    if (order.changed) return;
    order.changed = true;
    this.changed.push(order);
  }

  /** Ends one operation: each order it changed sends its state once. */
  private endOperation(): void {
    const now = this.o.clock.now();
    for (const order of this.changed) {
      order.changed = false;
      order.updateSeq++;
      this.o.emit(orderUpdateOf(order, now));
    }
    this.changed.length = 0;
  }

  private ack(order: ExecOrder): VenueResult<OrderAck> {
    return {
      ok: true,
      value: { clientId: order.clientId, venueOrderId: order.venueOrderId, ts: this.o.clock.now() },
    };
  }
}

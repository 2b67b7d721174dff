import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import type { Instrument, InstrumentSpec, Lots, Side, Ticks } from '../../core/instrument.ts';
import { belowMinNotional, defineInstrument, priceToTicks } from '../../core/instrument.ts';
import { Rng } from '../../core/random.ts';
import { OrderedTable } from '../../core/ordered-table.ts';
import { RecentSet } from '../../core/recent-set.ts';
import type { BookDelta, BookMessage, BookSnapshot, Trade } from '../../market/types.ts';
import type {
  AmendRequest,
  Answer,
  CallbackOrders,
  Balance,
  CancelRequest,
  ConnectionState,
  ExecutionEvent,
  Fill,
  MarketListener,
  OrderAck,
  OrderType,
  OrderUpdate,
  PlaceRequest,
  TimeInForce,
  Unsubscribe,
  Venue,
  VenueCapabilities,
  VenueOrderStatus,
  VenueRejectCode,
  VenueResult,
} from '../venue.ts';
import type { LatencySpec } from './delay-line.ts';
import { checkLatency, DelayLine, sampleLatency } from './delay-line.ts';
import { FillHistory } from './fill-history.ts';
import { Ledger } from './ledger.ts';
import type {
  SimDoneReason,
  SimDoneStatus,
  SimEngineListener,
  SimOrderView,
  SimRejectCode,
} from './matching-engine.ts';
import { MatchingEngine } from './matching-engine.ts';
import type { SyntheticMarketConfig } from './synthetic-market.ts';
import { SyntheticMarket } from './synthetic-market.ts';

export interface SimInstrumentConfig {
  spec: InstrumentSpec;
  /** Fair price at the start, as a decimal string on the tick grid. */
  startPrice: string;
  /** Background flow; unspecified fields take DEFAULT_MARKET_CONFIG. */
  market?: Partial<Omit<SyntheticMarketConfig, 'startPrice'>>;
}

/** One-way delays: engine -> venue (request), venue -> engine (responses and executions), market data. */
export interface SimLatencyConfig {
  request: LatencySpec;
  response: LatencySpec;
  feed: LatencySpec;
}

export const DEFAULT_SIM_LATENCY: SimLatencyConfig = {
  request: { baseMs: 8, jitterMs: 4 },
  response: { baseMs: 8, jitterMs: 4 },
  feed: { baseMs: 5, jitterMs: 3 },
};

export interface SimVenueConfig {
  /** Venue id; "sim" by default. */
  id?: string;
  /** Seeds the background flow of every instrument and the latency jitter. */
  seed: number;
  instruments: SimInstrumentConfig[];
  /** Our starting balances by asset, as decimal strings. */
  balances: Readonly<Record<string, string>>;
  latency?: Partial<SimLatencyConfig>;
  /**
   * How many of our finished orders and executions the venue remembers (for duplicate client ids and
   * executionsSince); older ones are forgotten so a long run keeps bounded memory. Default 200,000.
   */
  historyLimit?: number;
}

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

interface Subscription {
  readonly listener: MarketListener;
  active: boolean;
}

interface SymbolSim {
  readonly instrument: Instrument;
  readonly engine: MatchingEngine;
  readonly market: SyntheticMarket;
  readonly index: number;
  bookSeq: number;
  tradeSeq: number;
  /** A depth flush is scheduled for the end of the current instant. */
  depthPending: boolean;
  readonly flushDepth: () => void;
  /** Copy on write: a queued message keeps the subscriber list of the moment it was produced. */
  subscribers: readonly Subscription[];
}

const CAPABILITIES: VenueCapabilities = Object.freeze({
  amend: true,
  postOnly: true,
  ioc: true,
  market: true,
  cancelAll: true,
});

/**
 * The embedded simulated exchange: per instrument a matching engine and a synthetic market, one
 * account of ours (plus unlimited background accounts), and a simulated network. Requests reach the
 * venue after the request latency and answers come back after the response latency, on the Clock;
 * executions travel with the answers and market data on its own link, each link FIFO. So an ack or a
 * fill describes the venue at processing time, and the market has moved by the time it arrives.
 *
 * Like the streams of real venues, the simulator aggregates: an order's state is sent once per
 * operation that changed it (after that operation's fills), and the depth changes of the requests
 * handled at one instant go out as one delta at the end of it. Each event of the background flow
 * publishes its own delta: the events of one step stand for events spread over the step.
 *
 * With a SimClock nothing is delivered until the clock is advanced past the latency. connect() is
 * immediate; while disconnected the synthetic markets pause, requests resolve `venue_unavailable`,
 * and executions and market data are dropped (reconcile with openOrders / executionsSince). On every
 * (re)connect each market subscriber gets a fresh snapshot.
 */
export class SimVenue implements Venue {
  readonly id: string;
  readonly kind = 'sim' as const;
  readonly capabilities: VenueCapabilities = CAPABILITIES;
  readonly ledger = new Ledger();
  private readonly clock: Clock;
  private readonly owner: number;
  private readonly symbols = new Map<string, SymbolSim>();
  private readonly specs: InstrumentSpec[] = [];
  private readonly latency: SimLatencyConfig;
  private readonly latencyRng: Rng;
  private readonly requestLine: DelayLine;
  private readonly responseLine: DelayLine;
  private readonly feedLine: DelayLine;
  private state: ConnectionState = 'disconnected';
  /** Bumped on every disconnect so messages of an old connection are never delivered on a new one. */
  private epoch = 0;
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private execListeners: readonly ((event: ExecutionEvent) => void)[] = [];
  /** Client ids of accepted orders, the last `historyLimit` of them: a reused one is refused. */
  private readonly usedClientIds: RecentSet;
  private readonly open = new OrderedTable<string, OwnOrder>();
  /** Our orders changed by the operation in progress, each once (see markChanged). */
  private readonly changedOrders: (OwnOrder | undefined)[] = [];
  private changedCount = 0;
  /** Our last `historyLimit` executions. */
  private readonly fills: FillHistory;
  /** The instruments in listing order (a fill record names its symbol by index). */
  private readonly symbolList: SymbolSim[] = [];
  private readonly historyLimit: number;
  private readonly runTag: string;
  private execSeq = 0;
  /** Bumped by a dropped link only: answers in flight then are lost (an orderly disconnect delivers them). */
  private linkEpoch = 0;
  /** Answers and executions due before this time are lost (see loseResponses). */
  private losingUntil = -Infinity;

  constructor(clock: Clock, config: SimVenueConfig) {
    this.clock = clock;
    this.id = config.id ?? 'sim';
    // Execution and order ids must never repeat across runs of the simulator: the store keeps fills
    // unique per (venue, execution id), so a restarted sim reusing "sim-1" would have its fills
    // taken for replays. The run tag combines the seed with the clock at start.
    this.runTag = `${this.id}.${(config.seed >>> 0).toString(36)}.${Math.floor(clock.now()).toString(36)}`;
    this.historyLimit = config.historyLimit ?? 200_000;
    if (!Number.isSafeInteger(this.historyLimit) || this.historyLimit < 1) {
      throw new EngineError('invalid_input', 'sim historyLimit must be a whole number ≥ 1');
    }
    this.usedClientIds = new RecentSet(this.historyLimit);
    this.fills = new FillHistory(this.historyLimit);
    this.latency = { ...DEFAULT_SIM_LATENCY, ...config.latency };
    checkLatency(this.latency.request, 'request');
    checkLatency(this.latency.response, 'response');
    checkLatency(this.latency.feed, 'feed');
    if (config.instruments.length === 0) throw new EngineError('invalid_input', 'sim needs an instrument');
    const master = new Rng(config.seed);
    this.latencyRng = new Rng(master.nextU32());
    this.requestLine = new DelayLine(clock);
    this.responseLine = new DelayLine(clock);
    this.feedLine = new DelayLine(clock);
    this.owner = this.ledger.addOwner('us');
    for (const [asset, amount] of Object.entries(config.balances)) {
      this.ledger.deposit(this.owner, asset, amount);
    }
    for (const ic of config.instruments) {
      const instrument = defineInstrument(ic.spec);
      if (this.symbols.has(instrument.symbol)) {
        throw new EngineError('invalid_input', `instrument ${instrument.symbol} listed twice`);
      }
      const engine = new MatchingEngine(instrument, this.ledger);
      const startPrice = priceToTicks(instrument, ic.startPrice);
      const holder: { sym?: SymbolSim } = {};
      const market = new SyntheticMarket({
        engine,
        ledger: this.ledger,
        clock,
        rng: new Rng(master.nextU32()),
        config: { ...ic.market, startPrice },
        listener: this.router(instrument, () => holder.sym!),
        afterOp: () => {
          // The background flow's events of one step stand for events spread over the step, so
          // each one's changes go out on their own.
          this.sendChanges(holder.sym!);
        },
      });
      const sym: SymbolSim = {
        instrument,
        engine,
        market,
        index: this.symbolList.length,
        bookSeq: 0,
        tradeSeq: 0,
        subscribers: [],
        depthPending: false,
        flushDepth: () => {
          sym.depthPending = false;
          this.sendChanges(sym);
        },
      };
      holder.sym = sym;
      this.symbols.set(instrument.symbol, sym);
      this.symbolList.push(sym);
      this.specs.push({ ...instrument.spec });
    }
  }

  // ---- connection ----------------------------------------------------------------------------

  connect(): Promise<void> {
    if (this.state !== 'connected') {
      this.setState('connecting');
      this.setState('connected');
      for (const sym of this.symbols.values()) {
        sym.market.start();
        for (const sub of sym.subscribers) this.queueSnapshot(sym, [sub]);
      }
    }
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    if (this.state !== 'disconnected') {
      for (const sym of this.symbols.values()) sym.market.stop();
      this.epoch++;
      this.setState('disconnected');
    }
    return Promise.resolve();
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    this.connectionListeners.add(listener);
    return () => {
      this.connectionListeners.delete(listener);
    };
  }

  // ---- reference data and streams ------------------------------------------------------------

  instruments(): Promise<InstrumentSpec[]> {
    return Promise.resolve(this.specs.map((s) => ({ ...s })));
  }

  subscribeMarket(symbol: string, listener: MarketListener): Unsubscribe {
    const sym = this.symbols.get(symbol);
    if (!sym) throw new EngineError('not_found', `sim lists no symbol ${JSON.stringify(symbol)}`);
    const sub: Subscription = { listener, active: true };
    sym.subscribers = [...sym.subscribers, sub];
    if (this.state === 'connected') this.queueSnapshot(sym, [sub]);
    return () => {
      sub.active = false;
      sym.subscribers = sym.subscribers.filter((s) => s !== sub);
    };
  }

  onExecution(listener: (event: ExecutionEvent) => void): Unsubscribe {
    this.execListeners = [...this.execListeners, listener];
    return () => {
      this.execListeners = this.execListeners.filter((l) => l !== listener);
    };
  }

  // ---- requests ------------------------------------------------------------------------------

  readonly callbackOrders: CallbackOrders = {
    place: (request, answer, tag) => {
      this.send(SimVenue.place, request, answer, tag);
    },
    amend: (request, answer, tag) => {
      this.send(SimVenue.amend, request, answer, tag);
    },
    cancel: (request, answer, tag) => {
      this.send(SimVenue.cancel, request, answer, tag);
    },
  };

  // The handlers are static functions of (venue, request), so a request allocates no closure.
  placeOrder(request: PlaceRequest): Promise<VenueResult<OrderAck>> {
    return this.request(SimVenue.place, request);
  }

  amendOrder(request: AmendRequest): Promise<VenueResult<OrderAck>> {
    return this.request(SimVenue.amend, request);
  }

  cancelOrder(request: CancelRequest): Promise<VenueResult<OrderAck>> {
    return this.request(SimVenue.cancel, request);
  }

  cancelAll(symbol: string): Promise<VenueResult<{ cancelled: number }>> {
    return this.request(SimVenue.run, () => {
      const sym = this.symbols.get(symbol);
      if (!sym) return reject('invalid_order', `unknown symbol ${JSON.stringify(symbol)}`);
      const cancelled = sym.engine.cancelAll(this.owner, 'user');
      this.endOperation(sym);
      return { ok: true as const, value: { cancelled } };
    });
  }

  private static readonly place = (v: SimVenue, r: PlaceRequest): VenueResult<OrderAck> => v.handlePlace(r);
  private static readonly amend = (v: SimVenue, r: AmendRequest): VenueResult<OrderAck> => v.handleAmend(r);
  private static readonly cancel = (v: SimVenue, r: CancelRequest): VenueResult<OrderAck> =>
    v.handleCancel(r);
  private static readonly run = <T>(_v: SimVenue, fn: () => T): T => fn();

  openOrders(symbol?: string): Promise<OrderUpdate[]> {
    return this.query(() =>
      this.open
        .values()
        .filter((o) => symbol === undefined || o.symbol === symbol)
        .map((o) => this.snapshotOf(o, this.clock.now())),
    );
  }

  executionsSince(sinceMs: number, symbol?: string): Promise<Fill[]> {
    return this.query(() =>
      this.fills
        .since(sinceMs)
        .map((r) => {
          const sym = this.symbolList[r.symbolIndex]!;
          const venueOrderId = `${this.runTag}-${r.engineId}`;
          return this.fillOf(
            sym,
            r.execSeq,
            r.clientId,
            venueOrderId,
            r.side,
            r.price,
            r.size,
            r.liquidity,
            r.ts,
          );
        })
        .filter((f) => symbol === undefined || f.symbol === symbol),
    );
  }

  balances(): Promise<Balance[]> {
    return this.query(() => {
      const assets = new Set(this.ledger.assets(this.owner));
      for (const s of this.symbols.values()) {
        assets.add(s.instrument.base);
        assets.add(s.instrument.quote);
      }
      return [...assets].sort().map((asset) => ({
        asset,
        total: this.ledger.total(this.owner, asset).toFixed(),
        free: this.ledger.free(this.owner, asset).toFixed(),
      }));
    });
  }

  // ---- for tests, demos and the backtest -----------------------------------------------------

  /** Our owner id in the ledger. */
  ownerId(): number {
    return this.owner;
  }

  /** The live internals of one symbol (read them; changing them bypasses the simulated network). */
  inspect(symbol: string): { instrument: Instrument; engine: MatchingEngine; market: SyntheticMarket } {
    const sym = this.symbols.get(symbol);
    if (!sym) throw new EngineError('not_found', `sim lists no symbol ${JSON.stringify(symbol)}`);
    return { instrument: sym.instrument, engine: sym.engine, market: sym.market };
  }

  // ---- simulated network faults -------------------------------------------------------------

  /**
   * Drops our link for `durationMs` while the venue trades on: the markets keep moving and our
   * resting orders keep filling, but requests are refused, and answers, executions and market data
   * in flight or sent meanwhile are lost. With `cancelOrdersAfterMs` the venue cancels every order of
   * ours once the link has been down that long (disconnect cancel-all, as Bybit's DCP does). The link
   * then comes back (`connected`, fresh snapshots); what was missed is for reconciliation.
   */
  dropLink(durationMs: number, options: { cancelOrdersAfterMs?: number } = {}): void {
    if (!(durationMs > 0)) throw new EngineError('invalid_input', 'a link drop needs a positive duration');
    if (this.state !== 'connected') return;
    this.epoch++;
    this.linkEpoch++;
    this.setState('reconnecting');
    const cancelAfter = options.cancelOrdersAfterMs;
    if (cancelAfter !== undefined && cancelAfter < durationMs) {
      this.clock.setTimeout(() => {
        if (this.state !== 'reconnecting') return;
        for (const sym of this.symbolList) {
          sym.engine.cancelAll(this.owner, 'disconnect');
          this.endOperation(sym);
        }
      }, cancelAfter);
    }
    this.clock.setTimeout(() => {
      if (this.state !== 'reconnecting') return;
      this.setState('connected');
      for (const sym of this.symbolList) this.queueSnapshot(sym, sym.subscribers);
    }, durationMs);
  }

  /**
   * For `durationMs`, every answer and execution on its way back to us is lost, while requests still
   * reach the venue and are carried out: a request times out while its order goes live.
   */
  loseResponses(durationMs: number): void {
    if (!(durationMs > 0))
      throw new EngineError('invalid_input', 'losing responses needs a positive duration');
    this.losingUntil = Math.max(this.losingUntil, this.clock.now() + durationMs);
  }

  // ---- venue side ----------------------------------------------------------------------------

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

  /** Routes one symbol's engine events: the public tape for every fill, our executions for ours. */
  private router(inst: Instrument, sym: () => SymbolSim): SimEngineListener {
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
        const trade: Trade = {
          symbol: inst.symbol,
          tradeId: String(++s.tradeSeq),
          ts: now,
          price: price as Ticks,
          size: lots as Lots,
          aggressor: taker.side,
        };
        this.queueFeed(s, trade);
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
    const seq = ++this.execSeq;
    this.fills.add(sym.index, seq, rec.clientId, rec.engineId, rec.side, price, lots, liquidity, ts);
    this.emitExec(
      this.fillOf(sym, seq, rec.clientId, rec.venueOrderId, rec.side, price, lots, liquidity, ts),
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
    this.scheduleFlush(sym);
  }

  /** Ends one request on a symbol's book: sends the states it changed, schedules the depth. */
  private endOperation(sym: SymbolSim): void {
    if (this.changedCount > 0) this.sendChangedOrders();
    this.scheduleFlush(sym);
  }

  /** Sends the order states and the depth change waiting to go out, now. */
  private sendChanges(sym: SymbolSim): void {
    if (this.changedCount > 0) this.sendChangedOrders();
    this.publishBook(sym);
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

  /**
   * Depth of requests goes out once per instant, like the aggregated depth streams of real venues:
   * every change requests made at the same (simulated) millisecond is one delta, sent when that
   * instant's work is done (or sooner, with the next background event).
   */
  private scheduleFlush(sym: SymbolSim): void {
    if (sym.depthPending) return;
    sym.depthPending = true;
    this.clock.setTimeout(sym.flushDepth, 0);
  }

  /** An execution report; the same one whether sent live or read back by executionsSince. */
  private fillOf(
    sym: SymbolSim,
    execSeq: number,
    clientId: string,
    venueOrderId: string,
    side: Side,
    price: number,
    lots: number,
    liquidity: 'maker' | 'taker',
    ts: number,
  ): Fill {
    return {
      type: 'fill',
      symbol: sym.instrument.symbol,
      execId: `${this.runTag}-${execSeq}`,
      clientId,
      venueOrderId,
      side,
      price: price as Ticks,
      size: lots as Lots,
      fee: sym.engine.feeText(price, lots, liquidity),
      feeAsset: sym.instrument.quote,
      liquidity,
      ts,
    };
  }

  private emitUpdate(rec: OwnOrder): void {
    rec.updateSeq++;
    this.emitExec(this.snapshotOf(rec, this.clock.now()));
  }

  private snapshotOf(rec: OwnOrder, ts: number): OrderUpdate {
    // Every update has the same fields in the same order (absent ones undefined): one object shape,
    // so the code that reads them on every event stays monomorphic.
    return {
      type: 'order',
      symbol: rec.symbol,
      clientId: rec.clientId,
      venueOrderId: rec.venueOrderId,
      side: rec.side,
      orderType: rec.orderType,
      timeInForce: rec.timeInForce,
      status: rec.status,
      price: rec.orderType === 'limit' ? (rec.price as Ticks) : undefined,
      size: rec.size as Lots,
      filled: rec.filled as Lots,
      ts,
      updateSeq: rec.updateSeq,
      reason: rec.reason,
    };
  }

  private emitExec(event: ExecutionEvent): void {
    if (this.state !== 'connected') return;
    this.responseLine.push(
      sampleLatency(this.latency.response, this.latencyRng),
      this.deliverExec,
      event,
      this.epoch,
    );
  }

  private readonly deliverExec = (event: ExecutionEvent, epoch: number): void => {
    if (epoch !== this.epoch || this.clock.now() < this.losingUntil) return;
    for (const l of this.execListeners) {
      try {
        l(event);
      } catch (err) {
        reportListenerError(err);
      }
    }
  };

  /** Publishes the L2 change of the last operation as one delta (seq + 1). */
  private publishBook(sym: SymbolSim): void {
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

  private queueSnapshot(sym: SymbolSim, subs: readonly Subscription[]): void {
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
    if (subs.length === 0 || this.state !== 'connected') return;
    this.feedLine.push(
      sampleLatency(this.latency.feed, this.latencyRng),
      this.deliverFeed,
      subs,
      message,
      this.epoch,
    );
  }

  private readonly deliverFeed = (
    subs: readonly Subscription[],
    message: BookMessage | Trade,
    epoch: number,
  ): void => {
    if (epoch !== this.epoch) return;
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

  private request<R, T>(
    handler: (venue: SimVenue, request: R) => T,
    request: R,
  ): Promise<T | VenueResult<never>> {
    if (this.state !== 'connected') {
      return Promise.resolve(reject('venue_unavailable', `${this.id} is ${this.state}`));
    }
    const call = new SimCall(handler as (venue: SimVenue, request: unknown) => unknown, request);
    const answer = new Promise<T>((resolve, rejectPromise) => {
      call.resolve = resolve as (value: unknown) => void;
      call.reject = rejectPromise;
    });
    this.requestLine.push(sampleLatency(this.latency.request, this.latencyRng), this.runCall, call);
    return answer;
  }

  /** A request answered through `answer(result, tag)`: no Promise, no closure. */
  private send<R>(
    handler: (venue: SimVenue, request: R) => VenueResult<OrderAck>,
    request: R,
    answer: Answer<OrderAck>,
    tag: unknown,
  ): void {
    if (this.state !== 'connected') {
      const refused = reject('venue_unavailable', `${this.id} is ${this.state}`);
      // On the clock, not a microtask: a replay stepping the clock sees the answer at the same instant.
      this.clock.setTimeout(() => answer(refused, tag), 0);
      return;
    }
    const call = new SimCall(handler as (venue: SimVenue, request: unknown) => unknown, request);
    call.answer = answer as Answer<unknown>;
    call.tag = tag;
    this.requestLine.push(sampleLatency(this.latency.request, this.latencyRng), this.runCall, call);
  }

  private readonly runCall = (call: SimCall): void => {
    // The answer is queued before the executions the request causes, so it arrives first.
    this.responseLine.push(
      sampleLatency(this.latency.response, this.latencyRng),
      this.deliverAnswer,
      call,
      this.linkEpoch,
    );
    try {
      call.value = call.handler(this, call.request);
    } catch (err) {
      call.failed = true;
      call.error = err;
    }
  };

  /** An answer reaches us unless the link dropped since the request left, or answers are being lost. */
  private readonly deliverAnswer = (call: SimCall, epoch: number): void => {
    if (epoch !== this.linkEpoch || this.clock.now() < this.losingUntil) return;
    answerCall(call);
  };

  private query<T>(handler: () => T): Promise<T> {
    if (this.state !== 'connected') {
      return Promise.reject(new EngineError('unavailable', `${this.id} is ${this.state}`));
    }
    return this.request(SimVenue.run, handler) as Promise<T>;
  }

  private setState(next: ConnectionState): void {
    this.state = next;
    for (const l of [...this.connectionListeners]) {
      try {
        l(next);
      } catch (err) {
        reportListenerError(err);
      }
    }
  }
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
}

function reject(
  code: VenueRejectCode,
  message: string,
): { ok: false; code: VenueRejectCode; message: string } {
  return { ok: false, code, message };
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

/** A listener that throws must not stop delivery to the others; its error surfaces asynchronously. */
function reportListenerError(err: unknown): void {
  queueMicrotask(() => {
    throw new Error('sim venue listener threw', { cause: err });
  });
}

/** One request on its way through the simulated link, and its answer once the venue handled it. */
class SimCall {
  readonly handler: (venue: SimVenue, request: unknown) => unknown;
  readonly request: unknown;
  value: unknown = undefined;
  error: unknown = undefined;
  failed = false;
  /** Set for a callback request, which is answered through it (and never rejects). */
  answer: Answer<unknown> | null = null;
  tag: unknown = undefined;
  resolve: (value: unknown) => void = noop;
  reject: (error: Error) => void = noop;

  constructor(handler: (venue: SimVenue, request: unknown) => unknown, request: unknown) {
    this.handler = handler;
    this.request = request;
  }
}

function noop(): void {}

function answerCall(call: SimCall): void {
  if (call.answer !== null) {
    // A handler that threw is a broken venue, not a refusal: answered as unavailable.
    const result = call.failed
      ? reject('venue_unavailable', call.error instanceof Error ? call.error.message : String(call.error))
      : (call.value as VenueResult<unknown>);
    call.answer(result, call.tag);
    return;
  }
  if (call.failed) call.reject(call.error instanceof Error ? call.error : new Error(String(call.error)));
  else call.resolve(call.value);
}

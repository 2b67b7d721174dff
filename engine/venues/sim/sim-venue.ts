import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import type { Instrument, InstrumentSpec } from '../../core/instrument.ts';
import { defineInstrument, priceToTicks } from '../../core/instrument.ts';
import { Rng } from '../../core/random.ts';
import type {
  AmendRequest,
  Balance,
  CallbackOrders,
  CancelRequest,
  ConnectionState,
  ExecutionEvent,
  Fill,
  MarketListener,
  OrderAck,
  OrderUpdate,
  PlaceRequest,
  Unsubscribe,
  Venue,
  VenueCapabilities,
  VenueResult,
} from '../venue.ts';
import { checkLatency } from './delay-line.ts';
import { Ledger } from './ledger.ts';
import { MatchingEngine } from './matching-engine.ts';
import { SimExecutions } from './sim-executions.ts';
import { SimFeed } from './sim-feed.ts';
import type { SimLatencyConfig } from './sim-link.ts';
import { DEFAULT_SIM_LATENCY, SimLink } from './sim-link.ts';
import { SimOrders } from './sim-orders.ts';
import { SimRequests } from './sim-requests.ts';
import type { SymbolSim } from './sim-symbol.ts';
import type { SyntheticMarketConfig } from './synthetic-market.ts';
import { SyntheticMarket } from './synthetic-market.ts';

export type { SimLatencyConfig } from './sim-link.ts';
export { DEFAULT_SIM_LATENCY } from './sim-link.ts';

export interface SimInstrumentConfig {
  spec: InstrumentSpec;
  /** Fair price at the start, as a decimal string on the tick grid. */
  startPrice: string;
  /** Background flow; unspecified fields take DEFAULT_MARKET_CONFIG. */
  market?: Partial<Omit<SyntheticMarketConfig, 'startPrice'>>;
}

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
  /** The instruments in listing order (a fill record names its symbol by index). */
  private readonly symbolList: SymbolSim[] = [];
  /** The connection and the simulated network, shared by the parts below. */
  private readonly link: SimLink;
  /** Market data: subscriptions, book snapshots and deltas, trades. */
  private readonly feed: SimFeed;
  /** Our execution stream and the memory of our fills. */
  private readonly executions: SimExecutions;
  /** Our orders: the request handlers and the order states. */
  private readonly orders: SimOrders;
  /** Our requests on their way to the venue and their answers on the way back. */
  private readonly requests: SimRequests;

  constructor(clock: Clock, config: SimVenueConfig) {
    this.clock = clock;
    this.id = config.id ?? 'sim';
    // Execution and order ids must never repeat across runs of the simulator: the store keeps fills
    // unique per (venue, execution id), so a restarted sim reusing "sim-1" would have its fills
    // taken for replays. The run tag combines the seed with the clock at start.
    const runTag = `${this.id}.${(config.seed >>> 0).toString(36)}.${Math.floor(clock.now()).toString(36)}`;
    const historyLimit = config.historyLimit ?? 200_000;
    if (!Number.isSafeInteger(historyLimit) || historyLimit < 1) {
      throw new EngineError('invalid_input', 'sim historyLimit must be a whole number ≥ 1');
    }
    const latency: SimLatencyConfig = { ...DEFAULT_SIM_LATENCY, ...config.latency };
    checkLatency(latency.request, 'request');
    checkLatency(latency.response, 'response');
    checkLatency(latency.feed, 'feed');
    if (config.instruments.length === 0) throw new EngineError('invalid_input', 'sim needs an instrument');
    const master = new Rng(config.seed);
    this.link = new SimLink(clock, this.id, latency, new Rng(master.nextU32()));
    this.owner = this.ledger.addOwner('us');
    for (const [asset, amount] of Object.entries(config.balances)) {
      this.ledger.deposit(this.owner, asset, amount);
    }
    this.feed = new SimFeed(clock, this.link);
    this.executions = new SimExecutions(this.link, runTag, this.symbolList, historyLimit);
    this.orders = new SimOrders(
      clock,
      this.feed,
      this.executions,
      this.owner,
      runTag,
      this.symbols,
      historyLimit,
    );
    this.requests = new SimRequests(clock, this.link, this.orders);
    const orders = this.orders;
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
        listener: orders.router(() => holder.sym!),
        afterOp: () => {
          // The background flow's events of one step stand for events spread over the step, so
          // each one's changes go out on their own.
          orders.sendChanges(holder.sym!);
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
          orders.sendChanges(sym);
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
    if (this.link.state !== 'connected') {
      this.link.setState('connecting');
      this.link.setState('connected');
      for (const sym of this.symbols.values()) {
        sym.market.start();
        for (const sub of sym.subscribers) this.feed.queueSnapshot(sym, [sub]);
      }
    }
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    if (this.link.state !== 'disconnected') {
      for (const sym of this.symbols.values()) sym.market.stop();
      this.link.epoch++;
      this.link.setState('disconnected');
    }
    return Promise.resolve();
  }

  connectionState(): ConnectionState {
    return this.link.state;
  }

  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.link.onConnection(listener);
  }

  // ---- reference data and streams ------------------------------------------------------------

  instruments(): Promise<InstrumentSpec[]> {
    return Promise.resolve(this.specs.map((s) => ({ ...s })));
  }

  subscribeMarket(symbol: string, listener: MarketListener): Unsubscribe {
    const sym = this.symbols.get(symbol);
    if (!sym) throw new EngineError('not_found', `sim lists no symbol ${JSON.stringify(symbol)}`);
    return this.feed.subscribe(sym, listener);
  }

  onExecution(listener: (event: ExecutionEvent) => void): Unsubscribe {
    return this.executions.onExecution(listener);
  }

  // ---- requests ------------------------------------------------------------------------------

  readonly callbackOrders: CallbackOrders = {
    place: (request, answer, tag) => {
      this.requests.send(SimOrders.place, request, answer, tag);
    },
    amend: (request, answer, tag) => {
      this.requests.send(SimOrders.amend, request, answer, tag);
    },
    cancel: (request, answer, tag) => {
      this.requests.send(SimOrders.cancel, request, answer, tag);
    },
  };

  placeOrder(request: PlaceRequest): Promise<VenueResult<OrderAck>> {
    return this.requests.request(SimOrders.place, request);
  }

  amendOrder(request: AmendRequest): Promise<VenueResult<OrderAck>> {
    return this.requests.request(SimOrders.amend, request);
  }

  cancelOrder(request: CancelRequest): Promise<VenueResult<OrderAck>> {
    return this.requests.request(SimOrders.cancel, request);
  }

  cancelAll(symbol: string): Promise<VenueResult<{ cancelled: number }>> {
    return this.requests.request(SimOrders.cancelAll, symbol);
  }

  openOrders(symbol?: string): Promise<OrderUpdate[]> {
    return this.requests.query(() => this.orders.openOrders(symbol));
  }

  executionsSince(sinceMs: number, symbol?: string): Promise<Fill[]> {
    return this.requests.query(() => this.executions.since(sinceMs, symbol));
  }

  balances(): Promise<Balance[]> {
    return this.requests.query(() => {
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
    if (this.link.state !== 'connected') return;
    this.link.epoch++;
    this.link.linkEpoch++;
    this.link.setState('reconnecting');
    const cancelAfter = options.cancelOrdersAfterMs;
    if (cancelAfter !== undefined && cancelAfter < durationMs) {
      this.clock.setTimeout(() => {
        if (this.link.state !== 'reconnecting') return;
        for (const sym of this.symbolList) {
          sym.engine.cancelAll(this.owner, 'disconnect');
          this.orders.endOperation(sym);
        }
      }, cancelAfter);
    }
    this.clock.setTimeout(() => {
      if (this.link.state !== 'reconnecting') return;
      this.link.setState('connected');
      for (const sym of this.symbolList) this.feed.queueSnapshot(sym, sym.subscribers);
    }, durationMs);
  }

  /**
   * For `durationMs`, every answer and execution on its way back to us is lost, while requests still
   * reach the venue and are carried out: a request times out while its order goes live.
   */
  loseResponses(durationMs: number): void {
    if (!(durationMs > 0))
      throw new EngineError('invalid_input', 'losing responses needs a positive duration');
    this.link.losingUntil = Math.max(this.link.losingUntil, this.clock.now() + durationMs);
  }
}

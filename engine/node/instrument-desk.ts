import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import { Decimal } from '../core/decimal.ts';
import { ClientIdFactory } from '../core/ids.ts';
import type { Instrument } from '../core/instrument.ts';
import type { DomainEvents } from '../events/domain-events.ts';
import { FeedHealth } from '../market/feed-health.ts';
import { OrderBook } from '../market/order-book.ts';
import { TradeTape } from '../market/trade-tape.ts';
import type { BookMessage, Trade } from '../market/types.ts';
import { OrderManager, type OmsEvent, type OrderRequest } from '../oms/order-manager.ts';
import type { Order } from '../oms/order.ts';
import { QuoteManager } from '../oms/quote-manager.ts';
import { Portfolio } from '../portfolio/portfolio.ts';
import type { RiskDecision } from '../risk/pre-trade.ts';
import type { Exposure, ExposureContext, InstrumentRisk, RiskEngine } from '../risk/risk-engine.ts';
import { IntensityEstimator, VolatilityEstimator } from '../strategy/estimators.ts';
import { Overrides } from '../strategy/overrides.ts';
import { NO_QUOTE } from '../strategy/quote-builder.ts';
import { decideQuotes, type QuoteDecision, type QuoteInputs } from '../strategy/quote-decision.ts';
import type { CircuitBreaker } from '../venues/circuit-breaker.ts';
import type { Fill, FundingPayment, Unsubscribe, Venue } from '../venues/venue.ts';
import type { Alerter } from './alerter.ts';
import type { TradingConfig } from './trading-config.ts';

export interface DeskOptions {
  clock: Clock;
  venue: Venue;
  bus: EventBus<DomainEvents>;
  instrument: Instrument;
  config: TradingConfig;
  riskEngine: RiskEngine;
  risk: InstrumentRisk;
  breaker: CircuitBreaker;
  alerts: Alerter;
  /** Prefix of this run's client order ids (unique per run and instrument). */
  idPrefix: string;
  /** An order's state became unknown: the node reconciles. */
  onUnknownState: () => void;
}

const RESYNC_MIN_MS = 250;
/** After asking for a fresh snapshot, deltas still in flight are expected for this long, not a new fault. */
const SNAPSHOT_WAIT_MS = 5000;
const MAX_LEVELS = 20;

/**
 * Everything one instrument needs, wired once: its book, the strategy and the trader's overrides,
 * its OMS and quote manager, its portfolio and its risk. Venue events come in through `onBook`,
 * `onTrade` and the OMS; what happened goes out as domain events on the bus. All of it runs on the
 * injected clock and the venue's callbacks, with no promise between a book update and its orders.
 */
export class InstrumentDesk {
  readonly instrument: Instrument;
  readonly config: TradingConfig;
  readonly book: OrderBook;
  readonly health: FeedHealth;
  readonly tape = new TradeTape(4096);
  readonly vol: VolatilityEstimator;
  readonly intensity = new IntensityEstimator(600_000, 200, 30);
  readonly overrides: Overrides;
  readonly oms: OrderManager;
  readonly quotes: QuoteManager;
  readonly portfolio: Portfolio;
  readonly risk: InstrumentRisk;
  /** The trader has quoting on for this instrument. */
  quoting = false;
  decision: QuoteDecision = { quotes: NO_QUOTE('stopped'), model: null, invalid: null };
  /** Venue time of the newest execution of this instrument we hold. */
  lastExecutionTs = 0;
  private readonly o: DeskOptions;
  // The options the hot path reads, as fields of their own: one load instead of two per use.
  private readonly clock: Clock;
  private readonly riskEngine: RiskEngine;
  private readonly bus: EventBus<DomainEvents>;
  private readonly alerts: Alerter;
  private offMarket: Unsubscribe | undefined;
  private lastResyncAt = -Infinity;
  /** When we last asked the venue for a fresh snapshot and have not had one since; null otherwise. */
  private awaitingSnapshotSince: number | null = null;
  private lastEquity = new Decimal(0);
  private lastExposure: { mid: number | undefined; lots: number; value: Exposure } = {
    mid: Number.NaN,
    lots: 0,
    value: { grossNotional: new Decimal(0), lotValue: undefined, mark: undefined },
  };
  // Reused on every decision and book update: a subscriber may not keep a payload beyond the call
  // (domain-events.ts), so publishing allocates nothing.
  private readonly decided: DomainEvents['quotes.decided'];
  /** Counts this desk's quote decisions: the journal's key for each, and an order's `decision`. */
  private decisionSeq = 0;
  private readonly bookEvent: DomainEvents['book.updated'];
  private readonly gateExposure: ExposureContext = {
    positionLots: 0,
    workingBuyLots: 0,
    workingSellLots: 0,
    openOrders: 0,
    mid: undefined,
  };

  constructor(options: DeskOptions) {
    this.o = options;
    const { clock, instrument, config } = options;
    this.clock = clock;
    this.riskEngine = options.riskEngine;
    this.bus = options.bus;
    this.alerts = options.alerts;
    this.instrument = instrument;
    this.config = config;
    this.risk = options.risk;
    this.book = new OrderBook(instrument.symbol, clock);
    this.health = new FeedHealth(clock, config.limits.staleFeedMs);
    this.vol = new VolatilityEstimator(config.model.volHalfLifeS, config.model.volWarmup);
    this.overrides = new Overrides(clock, {
      maxPositionLots: config.limits.maxPositionLots,
      minLots: instrument.minLots,
      maxLevels: MAX_LEVELS,
    });
    this.portfolio = new Portfolio(instrument, config.startingEquity);
    this.oms = new OrderManager({
      clock,
      venue: options.venue,
      symbol: instrument.symbol,
      ids: new ClientIdFactory(options.idPrefix),
      gate: (req) => this.gate(req),
      emit: (e) => {
        this.onOms(e);
      },
      maxInFlight: config.quoting.maxInFlight,
      breaker: options.breaker,
      onUnknownState: () => {
        options.onUnknownState();
      },
    });
    this.quotes = new QuoteManager(this.oms, clock, {
      toleranceTicks: config.quoting.toleranceTicks,
      minRefreshMs: config.quoting.minRefreshMs,
      canAmend: options.venue.capabilities.amend,
    });
    this.decided = {
      instrument,
      decision: this.decision,
      at: 0,
      seq: 0,
      inputs: undefined as unknown as QuoteInputs,
      sent: 0,
      refusal: null,
    };
    this.bookEvent = { instrument, at: 0 };
  }

  get symbol(): string {
    return this.instrument.symbol;
  }

  // ---- market data ----------------------------------------------------------------------------

  subscribe(): void {
    this.offMarket?.();
    this.offMarket = this.o.venue.subscribeMarket(this.instrument.symbol, {
      onBook: (m) => {
        this.onBook(m);
      },
      onTrade: (t) => {
        this.onTrade(t);
      },
      onFeedError: (reason) => {
        this.onFeedError(reason);
      },
    });
  }

  /**
   * The venue could not use a book frame and is fetching a fresh snapshot: the book is reset so that
   * nothing quotes on it until the snapshot arrives.
   */
  onFeedError(reason: string): void {
    this.alerts.raise('warning', 'bad_book_message', `${this.symbol}: ${reason}`, this.symbol);
    this.book.reset();
    this.awaitingSnapshotSince = this.clock.now();
    this.health.noteResync();
    this.requote();
  }

  unsubscribe(): void {
    this.offMarket?.();
    this.offMarket = undefined;
  }

  /** The hot path: a book message in, possibly order requests out. */
  onBook(msg: BookMessage): void {
    let result;
    try {
      result = this.book.apply(msg);
    } catch (err) {
      this.alerts.raise(
        'warning',
        'bad_book_message',
        err instanceof Error ? err.message : String(err),
        this.symbol,
      );
      this.resync();
      return;
    }
    this.health.record(result);
    if (msg.kind === 'snapshot' && result === 'ok') this.awaitingSnapshotSince = null;
    if (
      result === 'no_snapshot' &&
      this.awaitingSnapshotSince !== null &&
      this.clock.now() - this.awaitingSnapshotSince < SNAPSHOT_WAIT_MS
    ) {
      // Deltas sent before our resubscription reached the venue: the snapshot we asked for follows them.
      return;
    }
    if (result === 'gap' || result === 'crossed' || result === 'no_snapshot') {
      this.resync();
      this.requote();
      return;
    }
    if (result === 'stale') return;
    const s = this.referencePrice();
    if (s !== undefined) this.vol.update(this.clock.now(), s);
    this.requote();
    this.bookEvent.at = this.clock.now();
    this.bus.publish('book.updated', this.bookEvent);
  }

  onTrade(t: Trade): void {
    this.tape.push(t);
    const mid = this.book.mid();
    if (mid !== undefined) this.intensity.record(t.ts, Math.abs(t.price - mid));
  }

  /** The link dropped or came back. */
  setConnected(up: boolean): void {
    this.health.setConnected(up);
    if (!up) this.book.reset();
  }

  private resync(): void {
    const now = this.clock.now();
    if (now - this.lastResyncAt < RESYNC_MIN_MS) return;
    this.lastResyncAt = now;
    this.health.noteResync();
    this.alerts.raise(
      'warning',
      'book_resync',
      `${this.symbol} order book ${this.book.status()}: resubscribing for a fresh snapshot`,
      this.symbol,
    );
    this.book.reset();
    this.awaitingSnapshotSince = now;
    this.subscribe();
  }

  referencePrice(): number | undefined {
    return this.config.model.priceSource === 'microprice' ? this.book.microprice() : this.book.mid();
  }

  // ---- quoting --------------------------------------------------------------------------------

  /** Decides this instrument's quotes from its current inputs and brings the orders there. */
  requote(): void {
    const now = this.clock.now();
    const state = this.riskEngine.effectiveState(this.risk);
    const config = this.config;
    const ready = this.vol.ready();
    // A fresh literal of one shape every time: cheaper than refilling a long-lived object, whose
    // fractional fields would box a heap number on every store.
    const i: QuoteInputs = {
      now,
      quoting: this.quoting,
      state,
      feed: this.health.state(this.book),
      s: this.referencePrice(),
      sigma: this.vol.sigma(),
      volReady: ready,
      volRemaining: ready ? 0 : this.vol.remaining(),
      fit: config.model.fitIntensity && this.quoting ? this.intensity.fit(now) : undefined,
      overrides: this.overrides.values(),
      paused: this.overrides.pausedSides(),
      positionLots: this.portfolio.positionLots(),
      bestBid: this.book.bestBid(),
      bestAsk: this.book.bestAsk(),
      model: config.model,
      quotingConfig: config.quoting,
      maxPositionLots: config.limits.maxPositionLots,
      minNotionalUnits: this.instrument.minNotionalUnits,
    };
    const decision = decideQuotes(i);
    this.decision = decision;
    const seq = ++this.decisionSeq;
    const refusedBefore = this.quotes.refused;
    let sent = 0;
    // While reconciling nothing is sent, not even a cancel: our view of the orders is being settled.
    if (state !== 'reconciling') {
      if (decision.model?.out)
        sent = this.quotes.sync({ buy: decision.quotes.bid.levels, sell: decision.quotes.ask.levels }, seq);
      else sent = this.quotes.pull();
    }
    // Told after the requests are out: the decision's subscribers are not on the path to the venue.
    if (decision.invalid !== null)
      this.alerts.raise(
        'warning',
        'model_invalid',
        `${this.symbol} quote withheld: ${decision.invalid}`,
        this.symbol,
      );
    const d = this.decided;
    d.decision = decision;
    d.at = now;
    d.seq = seq;
    d.inputs = i;
    d.sent = sent;
    d.refusal = this.quotes.refused === refusedBefore ? null : this.quotes.lastRefusal;
    this.bus.publish('quotes.decided', d);
  }

  /** Pre-trade risk for every order of this instrument, the model's and the trader's alike. */
  private gate(req: OrderRequest): RiskDecision {
    // One exposure record, refilled for every order: the gate reads it during the call and keeps none.
    const e = this.gateExposure;
    e.positionLots = this.portfolio.positionLots();
    e.workingBuyLots = this.oms.workingLotsOn('buy');
    e.workingSellLots = this.oms.workingLotsOn('sell');
    e.openOrders = this.oms.openCount();
    e.mid = this.book.mid();
    return this.riskEngine.check(
      this.risk,
      { side: req.side, price: req.price, lots: req.size },
      e,
      req.origin === 'model',
    );
  }

  // ---- executions -----------------------------------------------------------------------------

  private onOms(e: OmsEvent): void {
    const bus = this.bus;
    switch (e.kind) {
      case 'order':
        bus.publish('order.changed', { instrument: this.instrument, order: e.order, at: this.clock.now() });
        break;
      case 'fill': {
        if (!this.portfolio.apply(e.fill)) break;
        if (e.fill.ts > this.lastExecutionTs) this.lastExecutionTs = e.fill.ts;
        bus.publish('fill.applied', { instrument: this.instrument, fill: e.fill, order: e.order });
        this.watch();
        this.requote();
        break;
      }
      case 'unknown':
        this.alerts.raise(
          'warning',
          'unknown_order',
          `Venue reported ${this.symbol} order ${e.update.clientId} that this session does not know`,
          this.symbol,
        );
        break;
      case 'illegal':
        this.alerts.raise(
          'warning',
          'illegal_transition',
          `Order ${e.order.clientId}: refused move ${e.order.status} → ${e.to}`,
          this.symbol,
        );
        break;
    }
  }

  /** A funding settlement of this perpetual: into the portfolio once, and told to the trader. */
  applyFunding(payment: FundingPayment): void {
    if (!this.portfolio.applyFunding(payment)) return;
    this.alerts.raise(
      'info',
      'funding',
      `${this.symbol} funding ${payment.amount.startsWith('-') ? 'received' : 'paid'}: ${payment.amount.replace(/^-/, '')} ${payment.asset}`,
      this.symbol,
    );
    this.watch();
  }

  /** A stored fill of an earlier run (recovery): into the portfolio, not onto the bus again. */
  restoreFill(fill: Fill): void {
    if (this.portfolio.apply(fill) && fill.ts > this.lastExecutionTs) this.lastExecutionTs = fill.ts;
  }

  /** This instrument's monitors on its current equity. */
  watch(): void {
    this.lastEquity = this.portfolio.equity(this.book.mid());
    this.risk.watch(this.clock.now(), this.lastEquity);
  }

  /** The equity of the last `watch`, for the account's sum. */
  equity(): Decimal {
    return this.lastEquity;
  }

  /** |position| × mark in quote currency, and the value of one lot at the mark (undefined without a mid). */
  exposure(): Exposure {
    const mid = this.book.mid();
    const lots = this.portfolio.positionLots();
    // The account guard asks ten times a second of market time; between changes of the mid or the
    // position it gets the same object back, and the risk engine skips its division on seeing it.
    const last = this.lastExposure;
    if (last.mid === mid && last.lots === lots) return last.value;
    let value: Exposure;
    if (mid === undefined) value = { grossNotional: new Decimal(0), lotValue: undefined, mark: undefined };
    else {
      const lotValue = this.instrument.unitNotional.mul(mid);
      value = { grossNotional: lotValue.mul(Math.abs(lots)), lotValue, mark: mid };
    }
    this.lastExposure = { mid, lots, value };
    return value;
  }

  /** The guard tick: stale feeds, requests that timed out, limits. */
  guard(): void {
    const feed = this.health.state(this.book);
    if (feed === 'stale' && this.quoting)
      this.alerts.raise(
        'warning',
        'stale_feed',
        `${this.symbol} book older than ${this.config.limits.staleFeedMs} ms: quotes pulled`,
        this.symbol,
      );
    this.oms.expire(this.clock.now());
    if (feed !== 'ok' || this.decision.quotes.bid.withheld === 'stale_feed') this.requote();
    this.watch();
  }

  /** Equity and mark for the equity curve. */
  sample(): { equity: string; mid: string | null } {
    const mid = this.book.mid();
    return {
      equity: this.portfolio.equity(mid).toFixed(2),
      mid: mid === undefined ? null : this.instrument.tickSize.mul(mid).toFixed(),
    };
  }

  /** Whether a model order of this side rests at the venue now. */
  liveOn(side: 'buy' | 'sell'): boolean {
    for (const o of this.oms.workingOrders()) if (isLiveModel(o, side)) return true;
    return false;
  }
}

function isLiveModel(o: Readonly<Order>, side: 'buy' | 'sell'): boolean {
  return (
    o.origin === 'model' &&
    o.side === side &&
    (o.status === 'new' || o.status === 'partially-filled' || o.status === 'pending-amend')
  );
}

import type { Clock, TimerHandle } from '../core/clock.ts';
import { Decimal } from '../core/decimal.ts';
import { EngineError } from '../core/errors.ts';
import { ClientIdFactory } from '../core/ids.ts';
import {
  defineInstrument,
  formatPrice,
  formatSize,
  priceToTicks,
  sizeToLots,
  type Instrument,
  type Lots,
  type Side,
  type Ticks,
} from '../core/instrument.ts';
import { FeedHealth } from '../market/feed-health.ts';
import { OrderBook } from '../market/order-book.ts';
import { TradeTape } from '../market/trade-tape.ts';
import type { BookMessage, Trade } from '../market/types.ts';
import { OrderManager, type OmsEvent, type OrderRequest } from '../oms/order-manager.ts';
import type { Order } from '../oms/order.ts';
import { QuoteManager } from '../oms/quote-manager.ts';
import { Portfolio } from '../portfolio/portfolio.ts';
import { validateLimits } from '../risk/limits.ts';
import { DailyLossMonitor, DrawdownMonitor } from '../risk/monitors.ts';
import { checkOrder, type RiskDecision } from '../risk/pre-trade.ts';
import { RateThrottle } from '../risk/throttle.ts';
import { TradingStateMachine, type KillSwitchState } from '../risk/trading-state.ts';
import { IntensityEstimator, VolatilityEstimator } from '../strategy/estimators.ts';
import { runModel, type ModelOutput } from '../strategy/models.ts';
import { Overrides, type OverrideKey, type OverrideValuesInternal } from '../strategy/overrides.ts';
import { buildQuotes, NO_QUOTE, type QuoteSet, type WithheldReason } from '../strategy/quote-builder.ts';
import { CircuitBreaker } from '../venues/circuit-breaker.ts';
import type { Unsubscribe, Venue } from '../venues/venue.ts';
import type {
  AlertView,
  CommandInput,
  EngineState,
  GaugeView,
  Handlers,
  Mode,
  OrderView,
  OverrideField,
  QuoteSideView,
} from './contract.ts';
import type { Session, SessionSink } from './engine.ts';
import { backupStore } from '../store/backup.ts';
import type { Store } from '../store/store.ts';
import { emptyState } from './state.ts';
import type { TradingConfig } from './trading-config.ts';

/** Where the kill switch survives a restart. */
export interface KillSwitchStore {
  load(): KillSwitchState | undefined;
  save(state: KillSwitchState): void;
}

export interface TradingSessionOptions {
  clock: Clock;
  venue: Venue;
  mode: Mode;
  /** Builds the config once the venue has told us the instrument. */
  config: (inst: Instrument) => TradingConfig;
  symbol: string;
  killStore?: KillSwitchStore;
  /** The local database; absent in tests that need none. */
  store?: Store;
  /** Why the database could not be opened: the session then starts halted and refuses to quote. */
  storeError?: string;
  /** Where on-demand and scheduled backups go, and how many are kept. */
  backups?: { dir: string; keep: number; everyMs: number };
  log?: (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;
}

const BOOK_LEVELS = 20;
const MAX_ALERTS = 50;
const GUARD_MS = 100;
const EQUITY_MS = 1000;
const RESYNC_MIN_MS = 250;

/**
 * One trading session: the venue's feed into the book, the model and the trader's overrides into
 * desired quotes, the risk checks and the OMS out to the venue, fills into the portfolio and the
 * monitors, and the whole state out to the UI. Everything runs on the injected clock, so the same
 * session is live on the wall clock and deterministic on a simulated one.
 */
export class TradingSession implements Session {
  readonly handlers: Handlers;
  private readonly o: TradingSessionOptions;
  private readonly clock: Clock;
  private readonly venue: Venue;
  private sink: SessionSink | undefined;
  private inst!: Instrument;
  private cfg!: TradingConfig;
  private book!: OrderBook;
  private health!: FeedHealth;
  private readonly tape = new TradeTape(4096);
  private vol!: VolatilityEstimator;
  private readonly intensity = new IntensityEstimator(600_000, 200, 30);
  private overrides!: Overrides;
  private readonly trading: TradingStateMachine;
  private throttle!: RateThrottle;
  private oms!: OrderManager;
  private qm!: QuoteManager;
  private portfolio!: Portfolio;
  private drawdown!: DrawdownMonitor;
  private daily!: DailyLossMonitor;
  private readonly breaker: CircuitBreaker;
  private quoting = false;
  private desired: QuoteSet = NO_QUOTE('stopped');
  private model: {
    out: ModelOutput | null;
    s: number | null;
    sigma: number | null;
    q: number;
    gamma: number;
    kappa: number;
    A: number;
    tau: number | null;
    warnings: string[];
  } | null = null;
  private readonly alerts: AlertView[] = [];
  private alertSeq = 0;
  private lastAlertAt = new Map<string, number>();
  private offMarket: Unsubscribe | undefined;
  private offExec: Unsubscribe | undefined;
  private offConn: Unsubscribe | undefined;
  private timers: TimerHandle[] = [];
  private lastResyncAt = -Infinity;
  private started = false;
  private ddValue = new Decimal(0);
  private lossValue = new Decimal(0);
  /** Pre-trade refusals of the model's own orders (they never reach the venue). */
  riskRefusals = 0;
  private sessionId = 0;
  private storeOk = true;
  private storeMessage: string | null = null;
  private lastBackupAt: number | null = null;

  constructor(options: TradingSessionOptions) {
    this.o = options;
    this.clock = options.clock;
    this.venue = options.venue;
    this.breaker = new CircuitBreaker(this.clock, 5, 5000);
    let restoredKill: KillSwitchState | undefined;
    try {
      restoredKill = options.store?.loadKill() ?? options.killStore?.load();
    } catch (err) {
      // A kill switch we cannot read counts as engaged.
      restoredKill = {
        engaged: true,
        at: null,
        by: `unreadable record: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    this.trading = new TradingStateMachine(this.clock, restoredKill);
    this.trading.onChange((c) => {
      this.raise(
        c.to === 'active' ? 'info' : 'critical',
        `trading_${c.to}`,
        `Trading ${c.to.toUpperCase()}: ${c.reason}`,
      );
      this.persistKill();
      if (this.storeOk)
        this.o.store?.enqueue({ t: 'risk', at: c.at, kind: `state_${c.to}`, detail: c.reason });
    });
    this.handlers = this.makeHandlers();
  }

  private persistKill(): void {
    try {
      this.o.killStore?.save(this.trading.killSwitch());
      if (this.storeOk) this.o.store?.saveKill(this.trading.killSwitch());
    } catch (err) {
      this.storageFailed(err);
    }
  }

  /** The write-behind queue could not commit: halt quoting until the trader looks. */
  storeFailure(err: unknown): void {
    this.storageFailed(err);
  }

  /** The write-behind queue is backing up: stop adding risk. */
  storeBackpressure(depth: number): void {
    this.trading.escalate('reducing', `database writes are falling behind (${depth} rows queued)`);
    this.raise(
      'critical',
      'store_backpressure',
      `Database writes falling behind (${depth} rows queued): trading moved to REDUCING`,
    );
  }

  private storageFailed(err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    const first = this.storeOk;
    this.storeOk = false;
    this.storeMessage = msg;
    this.quoting = false;
    this.trading.escalate('halted', `storage failure: ${msg}`);
    if (first) this.raise('critical', 'storage_failure', `Database failure, quoting halted: ${msg}`);
    if (this.started) this.requote();
  }

  attach(sink: SessionSink): void {
    this.sink = sink;
  }

  async start(): Promise<void> {
    await this.venue.connect();
    const specs = await this.venue.instruments();
    const spec = specs.find((s) => s.symbol === this.o.symbol);
    if (!spec) throw new EngineError('not_found', `the venue does not list ${this.o.symbol}`);
    this.inst = defineInstrument(spec);
    this.cfg = this.o.config(this.inst);
    validateLimits(this.cfg.limits);
    this.book = new OrderBook(this.inst.symbol, this.clock);
    this.health = new FeedHealth(this.clock, this.cfg.limits.staleFeedMs);
    this.vol = new VolatilityEstimator(this.cfg.model.volHalfLifeS, this.cfg.model.volWarmup);
    this.overrides = new Overrides(this.clock, {
      maxPositionLots: this.cfg.limits.maxPositionLots,
      minLots: this.inst.minLots,
      maxLevels: 20,
    });
    this.throttle = new RateThrottle(this.cfg.limits.orderRateCount, this.cfg.limits.orderRateWindowMs);
    this.portfolio = new Portfolio(this.inst, this.cfg.startingEquity);
    const store = this.o.store;
    let recovery: ReturnType<Store['recovery']> | undefined;
    if (this.o.storeError) this.storageFailed(new Error(this.o.storeError));
    if (store && this.storeOk) {
      try {
        this.sessionId = store.beginSession(this.o.mode, this.venue.id, this.inst.symbol, this.clock.now());
        recovery = store.recovery(this.inst.symbol, this.venue.id);
        for (const f of recovery.fills) this.portfolio.apply(f);
      } catch (err) {
        this.storageFailed(err);
      }
    }
    this.drawdown = new DrawdownMonitor(this.cfg.limits.maxDrawdown);
    this.daily = new DailyLossMonitor(this.cfg.limits.dailyLossLimit);
    this.oms = new OrderManager({
      clock: this.clock,
      venue: this.venue,
      symbol: this.inst.symbol,
      ids: new ClientIdFactory(`mm${(this.clock.now() % 1e9).toString(36)}`),
      gate: (req) => this.gate(req),
      emit: (e) => {
        this.onOms(e);
      },
      maxInFlight: this.cfg.quoting.maxInFlight,
      breaker: this.breaker,
    });
    this.qm = new QuoteManager(this.oms, this.clock, {
      toleranceTicks: this.cfg.quoting.toleranceTicks,
      minRefreshMs: this.cfg.quoting.minRefreshMs,
      canAmend: this.venue.capabilities.amend,
    });
    this.health.setConnected(this.venue.connectionState() === 'connected');
    this.offConn = this.venue.onConnection((s) => {
      this.health.setConnected(s === 'connected');
      if (s !== 'connected') this.book.reset();
      this.changed();
    });
    this.offExec = this.venue.onExecution((ev) => {
      this.oms.onExecution(ev);
    });
    this.subscribe();
    if (recovery) await this.reconcile(recovery);
    const backups = this.o.backups;
    if (store && backups) {
      this.timers.push(
        this.clock.setInterval(() => {
          void this.backup().catch((err: unknown) => {
            this.raise(
              'warning',
              'backup_failed',
              `Scheduled backup failed: ${err instanceof Error ? err.message : String(err)}`,
            );
          });
        }, backups.everyMs),
      );
    }
    this.timers.push(this.clock.setInterval(() => this.guardTick(), GUARD_MS));
    this.timers.push(this.clock.setInterval(() => this.sampleEquity(), EQUITY_MS));
    this.started = true;
    this.changed();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.quoting = false;
    for (const t of this.timers) this.clock.clearTimer(t);
    this.timers = [];
    if (this.venue.connectionState() === 'connected') await this.oms.cancelAll();
    this.offMarket?.();
    this.offExec?.();
    this.offConn?.();
    await this.venue.disconnect();
    if (this.o.store && this.storeOk) {
      try {
        this.o.store.endSession(this.sessionId, this.clock.now());
        this.o.store.close();
      } catch (err) {
        this.o.log?.(
          'error',
          `closing the database failed: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }
  }

  /**
   * After a restart the venue is the truth. Executions the database missed (after the last stored
   * one) are applied and stored; orders the database thought working but the venue no longer has are
   * closed; orders of ours the venue still holds from the previous run are cancelled, since no quote
   * logic owns them any more.
   */
  private async reconcile(rec: ReturnType<Store['recovery']>): Promise<void> {
    try {
      const [open, fills] = await Promise.all([
        this.venue.openOrders(this.inst.symbol),
        this.venue.executionsSince(rec.lastFillTs ?? 0, this.inst.symbol),
      ]);
      let missed = 0;
      for (const f of fills) {
        if (this.portfolio.apply(f)) {
          missed++;
          this.o.store?.enqueue({ t: 'fill', sessionId: this.sessionId, venue: this.venue.id, fill: f });
        }
      }
      const atVenue = new Set(open.map((o) => o.clientId));
      for (const o of rec.openOrders) {
        if (!atVenue.has(o.clientId))
          this.o.store?.closeOrder(o.clientId, o.filled >= o.size ? 'filled' : 'cancelled', this.clock.now());
      }
      for (const o of open) void this.venue.cancelOrder({ symbol: this.inst.symbol, clientId: o.clientId });
      if (missed > 0 || open.length > 0 || rec.openOrders.length > 0) {
        this.raise(
          'info',
          'reconciled',
          `Reconciled with the venue: ${missed} missed fills applied, ${rec.openOrders.length} stored working orders settled, ${open.length} leftover venue orders cancelled`,
        );
      }
    } catch (err) {
      this.trading.escalate(
        'halted',
        `reconciliation with the venue failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  private async backup(): Promise<{ file: string }> {
    const store = this.o.store;
    const b = this.o.backups;
    if (!store || !b || !this.storeOk)
      throw new EngineError('unavailable', this.storeMessage ?? 'this session has no database to back up');
    const r = await backupStore(store, b.dir, b.keep, this.clock.now());
    this.lastBackupAt = this.clock.now();
    this.raise('info', 'backup_done', `Backup written and verified: ${r.file}`);
    this.changed();
    return { file: r.file };
  }

  // -------------------------------------------------------------------------------------------------
  // Market data

  private subscribe(): void {
    this.offMarket?.();
    this.offMarket = this.venue.subscribeMarket(this.inst.symbol, {
      onBook: (m) => {
        this.onBook(m);
      },
      onTrade: (t) => {
        this.onTrade(t);
      },
    });
  }

  /** The hot path: a book message in, possibly order requests out. */
  onBook(msg: BookMessage): void {
    let result;
    try {
      result = this.book.apply(msg);
    } catch (err) {
      this.raise('warning', 'bad_book_message', err instanceof Error ? err.message : String(err));
      this.resync();
      return;
    }
    this.health.record(result);
    if (result === 'gap' || result === 'crossed' || result === 'no_snapshot') {
      this.resync();
      this.requote();
      return;
    }
    if (result === 'stale') return;
    const s = this.referencePrice();
    if (s !== undefined) this.vol.update(this.clock.now(), s);
    this.requote();
    this.changed();
  }

  private onTrade(t: Trade): void {
    this.tape.push(t);
    const mid = this.book.mid();
    if (mid !== undefined) this.intensity.record(t.ts, Math.abs(t.price - mid));
  }

  private resync(): void {
    const now = this.clock.now();
    if (now - this.lastResyncAt < RESYNC_MIN_MS) return;
    this.lastResyncAt = now;
    this.health.noteResync();
    this.raise(
      'warning',
      'book_resync',
      `Order book ${this.book.status()}: resubscribing for a fresh snapshot`,
    );
    this.book.reset();
    this.subscribe();
  }

  private referencePrice(): number | undefined {
    return this.cfg.model.priceSource === 'microprice' ? this.book.microprice() : this.book.mid();
  }

  // -------------------------------------------------------------------------------------------------
  // Quoting

  private withheld(reason: WithheldReason): void {
    this.desired = NO_QUOTE(reason);
    this.qm.pull();
  }

  requote(): void {
    if (!this.started) return;
    if (!this.quoting) {
      this.withheld('stopped');
      return;
    }
    const state = this.trading.state();
    if (state === 'halted') {
      this.withheld('halted');
      return;
    }
    const feed = this.health.state(this.book);
    if (feed !== 'ok') {
      this.withheld(feed === 'stale' ? 'stale_feed' : 'no_market');
      return;
    }
    const s = this.referencePrice();
    if (s === undefined) {
      this.withheld('no_market');
      return;
    }
    const ov = this.overrides.values();
    const m = this.cfg.model;
    const sizeLots = ov.sizeLots ?? this.cfg.quoting.sizeLots;
    const gamma = ov.gamma ?? m.gamma;
    const fit = m.fitIntensity ? this.intensity.fit(this.clock.now()) : undefined;
    const kappa = ov.kappa ?? fit?.kappa ?? m.kappa;
    const A = fit?.A ?? m.A;
    const q = this.portfolio.positionLots() / sizeLots;
    const tau =
      m.horizon.kind === 'rolling'
        ? m.horizon.seconds
        : Math.max(0, (m.horizon.endsAt - this.clock.now()) / 1000);
    const sigma = this.vol.sigma();
    const warnings: string[] = [];
    if (!this.vol.ready() || sigma === undefined) {
      this.model = {
        out: null,
        s,
        sigma: sigma ?? null,
        q,
        gamma,
        kappa,
        A,
        tau,
        warnings: [`volatility warming up: ${this.vol.remaining()} samples to go`],
      };
      this.withheld('warming_up');
      return;
    }
    const result = runModel(m.name, { s, q, sigma, gamma, kappa, A, tau, delta: 1 });
    if (!result.ok) {
      this.model = { out: null, s, sigma, q, gamma, kappa, A, tau, warnings: [result.reason] };
      this.raise('warning', 'model_invalid', `Quote withheld: ${result.reason}`);
      this.withheld('model_invalid');
      return;
    }
    this.model = { out: result.value, s, sigma, q, gamma, kappa, A, tau, warnings };
    const maxPos = Math.min(ov.maxPositionLots ?? Infinity, this.cfg.limits.maxPositionLots);
    const quotes = buildQuotes(
      s - result.value.bidDistance,
      s + result.value.askDistance,
      {
        sizeLots,
        levels: ov.levels ?? this.cfg.quoting.levels,
        levelSpacingTicks: this.cfg.quoting.levelSpacingTicks,
        minSpreadTicks: ov.minSpreadTicks ?? this.cfg.quoting.minSpreadTicks,
        maxSpreadTicks: this.cfg.quoting.maxSpreadTicks,
        postOnly: true,
        skewTicks: ov.skewTicks ?? 0,
        pinBid: ov.pinBid,
        pinAsk: ov.pinAsk,
        maxPositionLots: maxPos,
      },
      { bestBid: this.book.bestBid(), bestAsk: this.book.bestAsk() },
      this.portfolio.positionLots(),
    );
    const paused = this.overrides.pausedSides();
    if (paused.bid) quotes.bid = { levels: [], withheld: 'paused' };
    if (paused.ask) quotes.ask = { levels: [], withheld: 'paused' };
    if (state === 'reducing') {
      const pos = this.portfolio.positionLots();
      if (pos >= 0) quotes.bid = { levels: [], withheld: 'reducing' };
      if (pos <= 0) quotes.ask = { levels: [], withheld: 'reducing' };
    }
    this.desired = quotes;
    this.qm.sync({ buy: quotes.bid.levels, sell: quotes.ask.levels });
  }

  /** Pre-trade risk for every order, the model's and the trader's alike. */
  private gate(req: OrderRequest): RiskDecision {
    const d = checkOrder(
      this.inst,
      this.cfg.limits,
      this.throttle,
      { side: req.side, price: req.price, lots: req.size },
      {
        state: this.trading.state(),
        positionLots: this.portfolio.positionLots(),
        workingBuyLots: this.oms.workingLotsOn('buy'),
        workingSellLots: this.oms.workingLotsOn('sell'),
        openOrders: this.oms.openCount(),
        mid: this.book.mid(),
        now: this.clock.now(),
      },
    );
    if (!d.ok && req.origin === 'model') this.riskRefusals++;
    return d;
  }

  // -------------------------------------------------------------------------------------------------
  // Executions

  private onOms(e: OmsEvent): void {
    switch (e.kind) {
      case 'order':
        if (this.storeOk)
          this.o.store?.enqueue({
            t: 'order',
            sessionId: this.sessionId,
            order: { ...e.order },
            at: this.clock.now(),
          });
        this.sink?.event({ name: 'order.changed', payload: this.orderView(e.order) });
        break;
      case 'fill': {
        if (!this.portfolio.apply(e.fill)) break;
        if (this.storeOk)
          this.o.store?.enqueue({ t: 'fill', sessionId: this.sessionId, venue: this.venue.id, fill: e.fill });
        const f = e.fill;
        this.sink?.event({
          name: 'fill.executed',
          payload: {
            execId: f.execId,
            clientId: f.clientId,
            side: f.side,
            price: formatPrice(this.inst, f.price),
            size: formatSize(this.inst, f.size),
            fee: f.fee,
            liquidity: f.liquidity,
            ts: f.ts,
          },
        });
        this.checkLimits();
        this.requote();
        break;
      }
      case 'unknown':
        this.raise(
          'warning',
          'unknown_order',
          `Venue reported order ${e.update.clientId} that this session does not know`,
        );
        break;
      case 'illegal':
        this.raise(
          'warning',
          'illegal_transition',
          `Order ${e.order.clientId}: refused move ${e.order.status} → ${e.to}`,
        );
        break;
    }
    this.changed();
  }

  private checkLimits(): void {
    const equity = this.portfolio.equity(this.book.mid());
    this.ddValue = this.drawdown.update(equity);
    this.lossValue = this.daily.update(this.clock.now(), equity);
    if (this.drawdown.breached(this.ddValue))
      this.trading.escalate('reducing', `drawdown ${this.ddValue.toFixed(2)} reached its limit`);
    if (this.daily.breached(this.lossValue))
      this.trading.escalate('halted', `daily loss ${this.lossValue.toFixed(2)} reached its limit`);
  }

  private guardTick(): void {
    const feed = this.health.state(this.book);
    if (feed === 'stale' && this.quoting)
      this.raise('warning', 'stale_feed', `Book older than ${this.cfg.limits.staleFeedMs} ms: quotes pulled`);
    if (feed !== 'ok' || this.desired.bid.withheld === 'stale_feed') this.requote();
    this.checkLimits();
    this.changed();
  }

  private sampleEquity(): void {
    const mid = this.book.mid();
    if (this.storeOk) {
      this.o.store?.enqueue({
        t: 'equity',
        sessionId: this.sessionId,
        at: this.clock.now(),
        equity: this.portfolio.equity(mid).toFixed(2),
        mid: mid === undefined ? null : this.inst.tickSize.mul(mid).toFixed(),
      });
    }
    this.sink?.event({
      name: 'equity.sampled',
      payload: {
        at: this.clock.now(),
        equity: this.portfolio.equity(mid).toFixed(2),
        mid: mid === undefined ? null : this.inst.tickSize.mul(mid).toFixed(),
      },
    });
  }

  private raise(severity: AlertView['severity'], code: string, message: string): void {
    const now = this.clock.now();
    // The same alert at most once a second, so a persistent condition does not flood the log.
    if (now - (this.lastAlertAt.get(code) ?? -Infinity) < 1000) return;
    this.lastAlertAt.set(code, now);
    const alert: AlertView = { id: `a${++this.alertSeq}`, severity, code, message, at: now };
    this.alerts.push(alert);
    if (this.alerts.length > MAX_ALERTS) this.alerts.shift();
    this.o.log?.(severity === 'critical' ? 'error' : severity === 'warning' ? 'warn' : 'info', message, {
      code,
    });
    if (this.storeOk) this.o.store?.enqueue({ t: 'alert', at: now, severity, code, message });
    this.sink?.event({ name: 'alert.raised', payload: alert });
  }

  private changed(): void {
    this.sink?.changed();
  }

  // -------------------------------------------------------------------------------------------------
  // Commands

  private requireStarted(): void {
    if (!this.started) throw new EngineError('unavailable', 'the session is not connected to its venue yet');
  }

  private at(): { at: number } {
    return { at: this.clock.now() };
  }

  private makeHandlers(): Handlers {
    return {
      'engine.ping': () => ({ pong: true, time: this.clock.now() }),
      'engine.snapshot': () => ({ ...this.snapshot(), seq: 0, time: this.clock.now() }),
      'quoting.start': () => {
        this.requireStarted();
        if (!this.storeOk) {
          throw new EngineError(
            'unavailable',
            `cannot quote without a working database: ${this.storeMessage ?? 'unknown failure'}`,
          );
        }
        if (this.trading.state() === 'halted')
          throw new EngineError(
            'rejected',
            `trading is halted (${this.trading.reason() ?? 'no reason'}): reset first`,
          );
        this.quoting = true;
        this.requote();
        return this.at();
      },
      'quoting.stop': () => {
        this.requireStarted();
        this.quoting = false;
        this.requote();
        return this.at();
      },
      'quoting.pause': ({ side }) => {
        this.requireStarted();
        this.overrides.pause(side);
        this.sink?.event({
          name: 'override.changed',
          payload: { field: 'pause', value: `paused ${side}`, at: this.clock.now() },
        });
        this.requote();
        return this.at();
      },
      'quoting.resume': ({ side }) => {
        this.requireStarted();
        this.overrides.resume(side);
        this.sink?.event({
          name: 'override.changed',
          payload: { field: 'pause', value: `resumed ${side}`, at: this.clock.now() },
        });
        this.requote();
        return this.at();
      },
      'overrides.set': (input) => {
        this.requireStarted();
        const { values, shown } = this.toInternal(input);
        this.overrides.set(values, shown);
        if (this.storeOk) {
          for (const [field, text] of Object.entries(shown))
            this.o.store?.enqueue({ t: 'override', at: this.clock.now(), field, value: text });
        }
        for (const [field, value] of Object.entries(input)) {
          this.sink?.event({
            name: 'override.changed',
            payload: { field: field as OverrideField, value: String(value), at: this.clock.now() },
          });
        }
        this.requote();
        return this.at();
      },
      'overrides.clear': ({ fields }) => {
        this.requireStarted();
        this.overrides.clear(fields.map((f) => FIELD_MAP[f]));
        this.requote();
        return this.at();
      },
      'orders.place': (input) => {
        this.requireStarted();
        const price = priceToTicks(this.inst, input.price);
        const size = sizeToLots(this.inst, input.size);
        const r = this.oms.submit({
          side: input.side,
          type: 'limit',
          tif: input.postOnly ? 'post_only' : 'gtc',
          price,
          size,
          origin: 'manual',
        });
        if (!r.ok)
          throw new EngineError(r.code.startsWith('risk_') ? 'risk_rejected' : 'rejected', r.message);
        return { ...this.at(), clientId: r.clientId };
      },
      'orders.cancel': ({ clientId }) => {
        this.requireStarted();
        const r = this.oms.cancel(clientId);
        if (!r.ok) throw new EngineError('not_found', r.message);
        return this.at();
      },
      'orders.cancelAll': async () => {
        this.requireStarted();
        return { ...this.at(), cancelled: await this.cancelEverything() };
      },
      'position.flatten': async () => {
        this.requireStarted();
        this.quoting = false;
        this.requote();
        await this.cancelEverything();
        const pos = this.portfolio.positionLots();
        if (pos === 0) return { ...this.at(), clientId: null };
        const side: Side = pos > 0 ? 'sell' : 'buy';
        const r = this.oms.submit({
          side,
          type: 'market',
          tif: 'ioc',
          size: Math.abs(pos) as Lots,
          origin: 'flatten',
        });
        if (!r.ok)
          throw new EngineError(
            r.code.startsWith('risk_') ? 'risk_rejected' : 'rejected',
            `flatten refused: ${r.message}`,
          );
        return { ...this.at(), clientId: r.clientId };
      },
      'risk.kill': async () => {
        this.requireStarted();
        this.quoting = false;
        this.trading.engageKill('trader');
        this.requote();
        await this.cancelEverything();
        return this.at();
      },
      'risk.reset': () => {
        this.requireStarted();
        this.trading.reset();
        return this.at();
      },
      'store.backup': async () => {
        this.requireStarted();
        const r = await this.backup();
        return { ...this.at(), file: r.file };
      },
    };
  }

  private async cancelEverything(): Promise<number> {
    const r = await this.oms.cancelAll();
    if (!r.ok) {
      this.raise('critical', 'cancel_all_failed', `Cancel all failed: ${r.message}`);
      throw new EngineError('venue_error', `cancel all failed: ${r.message}`);
    }
    return r.value.cancelled;
  }

  private toInternal(input: CommandInput<'overrides.set'>): {
    values: OverrideValuesInternal;
    shown: Partial<Record<OverrideKey, string>>;
  } {
    const v: OverrideValuesInternal = {};
    const shown: Partial<Record<OverrideKey, string>> = {};
    const put = <K extends OverrideKey>(k: K, value: OverrideValuesInternal[K], text: string) => {
      v[k] = value;
      shown[k] = text;
    };
    if (input.gamma !== undefined) put('gamma', input.gamma, String(input.gamma));
    if (input.kappa !== undefined) put('kappa', input.kappa, String(input.kappa));
    if (input.orderSize !== undefined)
      put('sizeLots', sizeToLots(this.inst, input.orderSize), input.orderSize);
    if (input.minSpreadTicks !== undefined)
      put('minSpreadTicks', input.minSpreadTicks, String(input.minSpreadTicks));
    if (input.levels !== undefined) put('levels', input.levels, String(input.levels));
    if (input.skewTicks !== undefined) put('skewTicks', input.skewTicks, String(input.skewTicks));
    if (input.pinBid !== undefined) put('pinBid', priceToTicks(this.inst, input.pinBid), input.pinBid);
    if (input.pinAsk !== undefined) put('pinAsk', priceToTicks(this.inst, input.pinAsk), input.pinAsk);
    if (input.maxPosition !== undefined)
      put('maxPositionLots', sizeToLots(this.inst, input.maxPosition), input.maxPosition);
    return { values: v, shown };
  }

  // -------------------------------------------------------------------------------------------------
  // Snapshot

  private orderView(o: Readonly<Order>): OrderView {
    return {
      clientId: o.clientId,
      venueOrderId: o.venueOrderId,
      side: o.side,
      price: o.price === undefined ? 'MKT' : formatPrice(this.inst, o.price),
      size: formatSize(this.inst, o.size),
      filled: formatSize(this.inst, o.filled),
      status: o.status,
      origin: o.origin,
      level: o.level,
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
    };
  }

  private sideView(side: 'bid' | 'ask'): QuoteSideView {
    const q = this.desired[side];
    const venueSide = side === 'bid' ? 'buy' : 'sell';
    let live = false;
    for (const o of this.oms.workingOrders()) {
      if (
        o.origin === 'model' &&
        o.side === venueSide &&
        (o.status === 'new' || o.status === 'partially-filled' || o.status === 'pending-amend')
      ) {
        live = true;
        break;
      }
    }
    return {
      live,
      levels: q.levels.map((l) => ({
        price: formatPrice(this.inst, l.price),
        size: formatSize(this.inst, l.size),
      })),
      withheld: q.withheld,
    };
  }

  snapshot(): Omit<EngineState, 'seq' | 'time'> {
    const base = emptyState(this.o.mode, this.venue.id);
    if (!this.started)
      return { ...base, connection: { ...base.connection, state: this.venue.connectionState() } };
    const inst = this.inst;
    const px = (t: number | undefined): string | null =>
      t === undefined
        ? null
        : inst.tickSize
            .mul(t)
            .toDecimalPlaces(inst.priceDecimals + 2)
            .toFixed();
    const levels = (side: Side) =>
      this.book
        .levels(side, BOOK_LEVELS)
        .map(([p, s]) => [formatPrice(inst, p), formatSize(inst, s)] as [string, string]);
    const lotsToNum = (l: number) => inst.lotSize.mul(l).toNumber();
    const gauges: GaugeView[] = [
      {
        name: 'position',
        label: 'Position',
        value: lotsToNum(Math.abs(this.portfolio.positionLots())),
        limit: lotsToNum(this.cfg.limits.maxPositionLots),
        unit: inst.base,
      },
      {
        name: 'drawdown',
        label: 'Drawdown',
        value: this.ddValue.toNumber(),
        limit: this.cfg.limits.maxDrawdown.toNumber(),
        unit: inst.quote,
      },
      {
        name: 'daily_loss',
        label: 'Daily loss',
        value: this.lossValue.toNumber(),
        limit: this.cfg.limits.dailyLossLimit.toNumber(),
        unit: inst.quote,
      },
      {
        name: 'order_rate',
        label: 'Order rate',
        value: this.throttle.used(this.clock.now()),
        limit: this.cfg.limits.orderRateCount,
        unit: `/${this.cfg.limits.orderRateWindowMs} ms`,
      },
      {
        name: 'open_orders',
        label: 'Open orders',
        value: this.oms.openCount(),
        limit: this.cfg.limits.maxOpenOrders,
        unit: '',
      },
      {
        name: 'feed_age',
        label: 'Feed age',
        value: this.book.age() ?? 0,
        limit: this.cfg.limits.staleFeedMs,
        unit: 'ms',
      },
    ];
    const m = this.model;
    const ov = this.overrides.values();
    const active: EngineState['overrides']['active'] = {};
    if (ov.gamma !== undefined) active.gamma = ov.gamma;
    if (ov.kappa !== undefined) active.kappa = ov.kappa;
    if (ov.sizeLots !== undefined) active.orderSize = formatSize(inst, ov.sizeLots);
    if (ov.minSpreadTicks !== undefined) active.minSpreadTicks = ov.minSpreadTicks;
    if (ov.levels !== undefined) active.levels = ov.levels;
    if (ov.skewTicks !== undefined) active.skewTicks = ov.skewTicks;
    if (ov.pinBid !== undefined) active.pinBid = formatPrice(inst, ov.pinBid);
    if (ov.pinAsk !== undefined) active.pinAsk = formatPrice(inst, ov.pinAsk);
    if (ov.maxPositionLots !== undefined) active.maxPosition = formatSize(inst, ov.maxPositionLots);
    const mid = this.book.mid();
    const micro = this.book.microprice();
    const tickNum = inst.tickSize.toNumber();
    return {
      ...base,
      connection: {
        state: this.venue.connectionState(),
        feed: this.health.state(this.book),
        feedAgeMs: this.book.age() ?? null,
        feedLatencyMs:
          this.book.lastVenueTs() === undefined
            ? null
            : Math.max(0, this.clock.now() - this.book.lastVenueTs()!),
      },
      instrument: {
        symbol: inst.symbol,
        base: inst.base,
        quote: inst.quote,
        tickSize: inst.spec.tickSize,
        lotSize: inst.spec.lotSize,
        priceDecimals: inst.priceDecimals,
        sizeDecimals: inst.sizeDecimals,
      },
      book: {
        bids: levels('buy'),
        asks: levels('sell'),
        mid: px(mid),
        microprice: px(micro),
        spreadTicks: this.book.spread() ?? null,
        seq: this.book.seq(),
        ts: this.book.lastVenueTs() ?? null,
      },
      quoting: {
        status: this.quoting ? 'quoting' : 'stopped',
        paused: { ...this.overrides.pausedSides() },
        bid: this.sideView('bid'),
        ask: this.sideView('ask'),
      },
      model: {
        name: this.cfg.model.name,
        s: m?.s == null ? null : (m.s * tickNum).toFixed(inst.priceDecimals + 1),
        sigma: m?.sigma == null ? null : (m.sigma * tickNum).toPrecision(4),
        q: m ? m.q.toFixed(2) : null,
        gamma: String(m?.gamma ?? ov.gamma ?? this.cfg.model.gamma),
        kappa: String(m?.kappa ?? ov.kappa ?? this.cfg.model.kappa),
        reservation: m?.out ? (m.out.reservation * tickNum).toFixed(inst.priceDecimals + 1) : null,
        bidDistance: m?.out ? (m.out.bidDistance * tickNum).toFixed(inst.priceDecimals + 1) : null,
        askDistance: m?.out ? (m.out.askDistance * tickNum).toFixed(inst.priceDecimals + 1) : null,
        horizonLeft: m?.tau ?? null,
        warmupRemaining: this.vol.remaining(),
        warnings: m?.warnings ?? [],
      },
      overrides: {
        active,
        history: this.overrides
          .history()
          .slice(-50)
          .map((h) => ({ field: FIELD_BACK[h.field], value: h.value, at: h.at })),
      },
      orders: [...this.oms.workingOrders()].map((o) => this.orderView(o)),
      position: (({ size, avgEntry, realized, unrealized, fees, equity }) => ({
        size,
        avgEntry,
        realized,
        unrealized,
        fees,
        equity,
      }))(this.portfolio.snapshot(mid)),
      risk: {
        tradingState: this.trading.state(),
        reason: this.trading.reason(),
        kill: { engaged: this.trading.killSwitch().engaged, at: this.trading.killSwitch().at },
        gauges,
      },
      alerts: this.alerts.slice(-20),
      store: {
        ok: this.storeOk,
        queueDepth: this.o.store?.writer.depth() ?? 0,
        lastBackupAt: this.lastBackupAt,
        message: this.storeMessage ?? (this.o.store ? null : 'no database'),
      },
    };
  }

  // Read-only views for tests and benchmarks.
  positionLots(): number {
    return this.started ? this.portfolio.positionLots() : 0;
  }
  workingOrderCount(): number {
    return this.started ? this.oms.openCount() : 0;
  }
  instrument(): Instrument {
    return this.inst;
  }
  limits(): TradingConfig['limits'] {
    return this.cfg.limits;
  }
  orderManager(): OrderManager {
    return this.oms;
  }
  tradingState(): ReturnType<TradingStateMachine['state']> {
    return this.trading.state();
  }
  venueForTests(): Venue {
    return this.venue;
  }
  storeForTests(): Store | undefined {
    return this.o.store;
  }
}

const FIELD_MAP: Record<OverrideField, OverrideKey> = {
  gamma: 'gamma',
  kappa: 'kappa',
  orderSize: 'sizeLots',
  minSpreadTicks: 'minSpreadTicks',
  levels: 'levels',
  skewTicks: 'skewTicks',
  pinBid: 'pinBid',
  pinAsk: 'pinAsk',
  maxPosition: 'maxPositionLots',
};

const FIELD_BACK: Record<OverrideKey | 'pause', OverrideField | 'pause'> = {
  gamma: 'gamma',
  kappa: 'kappa',
  sizeLots: 'orderSize',
  minSpreadTicks: 'minSpreadTicks',
  levels: 'levels',
  skewTicks: 'skewTicks',
  pinBid: 'pinBid',
  pinAsk: 'pinAsk',
  maxPositionLots: 'maxPosition',
  pause: 'pause',
};

export type { Ticks };

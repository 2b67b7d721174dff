import { EventBus } from '../core/bus.ts';
import type { Clock, TimerHandle } from '../core/clock.ts';
import { Decimal } from '../core/decimal.ts';
import { EngineError } from '../core/errors.ts';
import { defineInstrument, type InstrumentSpec, type Lots, type Ticks } from '../core/instrument.ts';
import type { DomainEvents } from '../events/domain-events.ts';
import type { OrderManager } from '../oms/order-manager.ts';
import { Reconciler, type ReconcileResult, type StrangerPolicy } from '../oms/reconciler.ts';
import type { AccountLimits } from '../risk/risk-engine.ts';
import { RiskEngine } from '../risk/risk-engine.ts';
import type { KillSwitchState, StateChange } from '../risk/trading-state.ts';
import type { Journal } from '../store/journal.ts';
import type { DecisionRecord } from '../events/decision-record.ts';
import { CircuitBreaker } from '../venues/circuit-breaker.ts';
import type {
  Balance,
  ConnectionState,
  OrderUpdate,
  Unsubscribe,
  Venue,
  VenuePosition,
} from '../venues/venue.ts';
import { Alerter } from './alerter.ts';
import { InstrumentDesk } from './instrument-desk.ts';
import type { TradingConfig } from './trading-config.ts';

export interface TradingNodeOptions {
  clock: Clock;
  venue: Venue;
  /** Where the node's records live; a NullJournal in backtests and tests. It is also a bus subscriber. */
  journal: Journal;
  /** The symbols to trade, in this order; every one the venue lists when absent. */
  symbols?: readonly string[];
  /** Each instrument's parameters and limits, built once the venue has described the instrument. */
  config: (instrument: ReturnType<typeof defineInstrument>) => TradingConfig;
  account: AccountLimits;
  /** Open orders at the venue that no OMS of ours knows: cancelled (default) or adopted. */
  strangers?: StrangerPolicy;
}

const GUARD_MS = 100;
const EQUITY_MS = 1000;
/** How long one reconciliation may wait for the venue's answers, how often it is tried, and the pause between. */
const RECONCILE_TIMEOUT_MS = 3000;
const RECONCILE_ATTEMPTS = 3;
const RECONCILE_RETRY_MS = 1000;

/**
 * The trading node: the composition root. Per instrument it wires book → strategy (+ overrides) →
 * risk → OMS → venue, and venue → OMS → portfolio → monitors, with the account's risk across
 * instruments, all on one clock and one bus. The same object runs live, on paper and in a backtest;
 * only the clock, the venue and the journal differ. It publishes what happened as domain events and
 * calls none of their consumers by name.
 */
export class TradingNode {
  readonly bus: EventBus<DomainEvents>;
  readonly clock: Clock;
  readonly venue: Venue;
  readonly risk: RiskEngine;
  readonly alerts: Alerter;
  private readonly o: TradingNodeOptions;
  private readonly breaker: CircuitBreaker;
  private readonly bySymbol = new Map<string, InstrumentDesk>();
  private list: InstrumentDesk[] = [];
  private readonly reconciler: Reconciler;
  /** Each instrument's OMS by symbol, filled at start; the reconciler reads it. */
  private readonly books = new Map<string, OrderManager>();
  private offs: Unsubscribe[] = [];
  private timers: TimerHandle[] = [];
  private running = false;
  private linkWasDown = false;
  /** The desks' equities behind `equitySum` (see accountEquity). */
  private equityParts: Decimal[] = [];
  private equitySum: Decimal | undefined;
  private reconciling: Promise<ReconcileResult> | undefined;
  private reconcileAgain = false;
  private lastBalances: Balance[] = [];
  private lastResult: ReconcileResult | undefined;

  constructor(options: TradingNodeOptions) {
    this.o = options;
    this.clock = options.clock;
    this.venue = options.venue;
    this.bus = new EventBus<DomainEvents>((topic, err) => {
      // A subscriber failed: say so once a second, never let it stop the node.
      this.alerts.raise(
        'warning',
        'subscriber_failed',
        `A ${topic} subscriber failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    this.alerts = new Alerter(this.clock, this.bus);
    this.breaker = new CircuitBreaker(this.clock, 5, 5000);
    let restoredKill: KillSwitchState | undefined;
    try {
      restoredKill = options.journal.loadKill();
    } catch (err) {
      // A kill switch we cannot read counts as engaged.
      restoredKill = { engaged: true, at: null, by: `unreadable record: ${message(err)}` };
    }
    this.risk = new RiskEngine(this.clock, options.account, restoredKill);
    this.risk.onChange((symbol, change) => {
      this.onRiskChange(symbol, change);
    });
    this.reconciler = new Reconciler({
      venue: this.venue,
      books: this.books,
      lastExecutionTs: () => Math.max(0, ...this.list.map((d) => d.lastExecutionTs)),
      strangers: options.strangers ?? 'cancel',
    });
  }

  /** The instruments in trading order. */
  desks(): readonly InstrumentDesk[] {
    return this.list;
  }

  desk(symbol: string): InstrumentDesk {
    const d = this.bySymbol.get(symbol);
    if (!d)
      throw new EngineError(
        'not_found',
        `this node does not trade ${symbol} (it trades ${this.list.map((x) => x.symbol).join(', ') || 'nothing yet'})`,
      );
    return d;
  }

  /** The decision journal's record of what priced one of our orders (see Journal.orderDecision). */
  orderDecision(clientId: string): DecisionRecord | undefined {
    return this.o.journal.orderDecision(clientId);
  }

  /** The decision journal's record of what had priced a fill's order when it filled. */
  fillDecision(execId: string): DecisionRecord | undefined {
    return this.o.journal.fillDecision(execId);
  }

  isRunning(): boolean {
    return this.running;
  }

  /** The balances the venue reported at the last reconciliation. */
  balances(): readonly Balance[] {
    return this.lastBalances;
  }

  /** What the last reconciliation found, if one finished. */
  lastReconciliation(): ReconcileResult | undefined {
    return this.lastResult;
  }

  /** Connects, builds one desk per instrument, restores the records, reconciles, then trades. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.venue.connect();
    let chosen: InstrumentSpec[];
    try {
      // Nothing awaited here but the venue: the run tag below is read at the instant a replay expects.
      chosen = this.chooseInstruments(await this.venue.instruments());
    } catch (err) {
      // Refused before anything trades: the link (sockets, a listen key) is closed again, not left open.
      await this.venue.disconnect().catch(() => undefined);
      throw err;
    }
    const books = this.books;
    const runTag = (this.clock.now() % 1e9).toString(36);
    for (const [index, spec] of chosen.entries()) {
      const symbol = spec.symbol;
      const instrument = defineInstrument(spec);
      const config = this.o.config(instrument);
      const desk = new InstrumentDesk({
        clock: this.clock,
        venue: this.venue,
        bus: this.bus,
        instrument,
        config,
        riskEngine: this.risk,
        risk: this.risk.addInstrument(instrument, config.limits),
        breaker: this.breaker,
        alerts: this.alerts,
        idPrefix: `mm${runTag}${index === 0 ? '' : index.toString(36)}`,
        onUnknownState: () => {
          this.reconcileSoon();
        },
      });
      this.bySymbol.set(symbol, desk);
      books.set(symbol, desk.oms);
    }
    this.list = [...this.bySymbol.values()];
    this.o.journal.saveInstruments(
      this.list.map((d) => d.instrument.spec),
      this.clock.now(),
    );
    for (const desk of this.list) this.restore(desk);
    this.offs.push(
      this.venue.onExecution((ev) => {
        this.bySymbol.get(ev.symbol)?.oms.onExecution(ev);
      }),
      this.venue.onConnection((s) => {
        this.onConnection(s);
      }),
      this.bus.subscribe('fill.applied', () => {
        this.watchAccount();
      }),
    );
    if (this.venue.onNotice)
      this.offs.push(
        this.venue.onNotice((n) => {
          this.alerts.raise(n.severity, n.code, n.message, n.symbol ?? null);
          // An execution-stream frame we could not use may have carried a fill: the venue says which.
          if (n.reconcile) this.reconcileSoon();
        }),
      );
    if (this.venue.onFunding)
      this.offs.push(
        this.venue.onFunding((p) => {
          this.bySymbol.get(p.symbol)?.applyFunding(p);
        }),
      );
    const up = this.venue.connectionState() === 'connected';
    for (const desk of this.list) {
      desk.setConnected(up);
      desk.subscribe();
    }
    this.running = true;
    await this.reconcile('start');
    this.timers.push(
      this.clock.setInterval(() => {
        this.guard();
      }, GUARD_MS),
      this.clock.setInterval(() => {
        this.sampleEquity();
      }, EQUITY_MS),
    );
  }

  /** The instruments to trade, as the venue lists them open for trading; any other symbol is refused. */
  private chooseInstruments(specs: InstrumentSpec[]): InstrumentSpec[] {
    const wanted = this.o.symbols ?? specs.map((s) => s.symbol);
    if (wanted.length === 0) throw new EngineError('invalid_input', 'the node needs at least one instrument');
    return wanted.map((symbol) => {
      const spec = specs.find((s) => s.symbol === symbol);
      if (!spec)
        throw new EngineError(
          'not_found',
          `the venue does not list ${symbol} open for trading (unknown, halted or closed to the API)`,
        );
      return spec;
    });
  }

  /** Cancels what rests, stops the streams, disconnects and flushes the journal. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const t of this.timers) this.clock.clearTimer(t);
    this.timers = [];
    for (const desk of this.list) desk.quoting = false;
    if (this.venue.connectionState() === 'connected')
      await Promise.all(this.list.map((d) => d.oms.cancelAll()));
    for (const desk of this.list) desk.unsubscribe();
    for (const off of this.offs) off();
    this.offs = [];
    await this.venue.disconnect();
    this.o.journal.flush();
  }

  /** Applies the journal's records of an earlier run: its fills, and the orders it left working. */
  private restore(desk: InstrumentDesk): void {
    let recovery;
    try {
      recovery = this.o.journal.recovery(desk.symbol);
    } catch (err) {
      this.fault(`the records of ${desk.symbol} cannot be read: ${message(err)}`);
      return;
    }
    for (const f of recovery.fills) desk.restoreFill(f);
    for (const o of recovery.openOrders) {
      // Left working by an earlier run: no quote logic owns it now. Adopted as `external` and flagged,
      // so reconciliation either closes it (the venue no longer has it) or cancels it through the OMS.
      const update: OrderUpdate = {
        type: 'order',
        symbol: desk.symbol,
        clientId: o.clientId,
        venueOrderId: o.venueOrderId ?? '',
        side: o.side,
        orderType: o.price === null ? 'market' : 'limit',
        timeInForce: 'gtc',
        status: 'new',
        ...(o.price === null ? {} : { price: o.price as Ticks }),
        size: o.size as Lots,
        filled: o.filled as Lots,
        ts: this.clock.now(),
        updateSeq: 0,
      };
      desk.oms.adopt(update);
    }
  }

  // ---- reconciliation -------------------------------------------------------------------------

  /**
   * Settles every instrument's orders, fills and the balances with the venue. New orders are refused
   * meanwhile (the state reads RECONCILING). A call while one runs waits for it and runs once more.
   */
  reconcile(reason: string): Promise<ReconcileResult> {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return this.reconciling;
    }
    const run = this.runReconcile(reason);
    this.reconciling = run;
    return run;
  }

  private async runReconcile(reason: string): Promise<ReconcileResult> {
    const empty: ReconcileResult = {
      missedFills: 0,
      closed: 0,
      strangers: 0,
      settled: 0,
      balances: [],
      positions: null,
    };
    this.risk.beginReconcile();
    this.publishReconciling(true, reason);
    let result = empty;
    try {
      let again = true;
      while (again) {
        this.reconcileAgain = false;
        const pass = await this.reconcileWithRetries();
        // One report for the whole reconciliation, however many passes it took.
        result = {
          missedFills: result.missedFills + pass.missedFills,
          closed: result.closed + pass.closed,
          strangers: result.strangers + pass.strangers,
          settled: result.settled + pass.settled,
          balances: pass.balances,
          positions: pass.positions,
        };
        // Asked for again while the venue was answering: its answer may predate what changed.
        again = this.rerunRequested();
      }
      this.lastBalances = result.balances;
      this.lastResult = result;
      if (result.positions) this.adoptPositions(result.positions);
      if (result.missedFills + result.closed + result.strangers + result.settled > 0) {
        this.alerts.raise(
          'info',
          'reconciled',
          `Reconciled with the venue (${reason}): ${result.missedFills} missed fills applied, ${result.closed} orders closed, ${result.strangers} unknown venue orders ${this.o.strangers === 'adopt' ? 'adopted' : 'cancelled'}, ${result.settled} unknown states settled`,
        );
      }
    } catch (err) {
      // A link that dropped meanwhile reconciles when it is back; a venue that answers but cannot be
      // reconciled leaves our records unknown, and nothing may trade on unknown records.
      if (this.venue.connectionState() === 'connected')
        this.risk.escalate('halted', `reconciliation with the venue failed: ${message(err)}`);
    } finally {
      this.reconciling = undefined;
      this.risk.endReconcile();
      this.publishReconciling(false, reason);
    }
    return result;
  }

  /** One reconciliation, each attempt bounded in time on the clock, retried while the link is up. */
  private async reconcileWithRetries(): Promise<ReconcileResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withTimeout(this.reconciler.run(), RECONCILE_TIMEOUT_MS);
      } catch (err) {
        if (attempt >= RECONCILE_ATTEMPTS || this.venue.connectionState() !== 'connected') throw err;
        this.alerts.raise(
          'warning',
          'reconcile_retry',
          `Reconciliation attempt ${attempt} failed (${message(err)}): trying again`,
        );
        await new Promise<void>((resolve) => this.clock.setTimeout(resolve, RECONCILE_RETRY_MS));
      }
    }
  }

  /**
   * A derivative venue's position is the truth after a reconciliation (a liquidation, an ADL or a
   * fill older than the venue's history would otherwise leave ours wrong): where ours differs, the
   * venue's is taken, and the trader is told.
   */
  private adoptPositions(positions: readonly VenuePosition[]): void {
    for (const desk of this.list) {
      const venue = positions.find((p) => p.symbol === desk.symbol);
      const lots = venue?.lots ?? 0;
      const ours = desk.portfolio.positionLots();
      if (ours === lots) continue;
      desk.portfolio.adoptPosition(lots, venue?.avgPrice ?? '0');
      this.alerts.raise(
        'warning',
        'position_adopted',
        `${desk.symbol} position ${desk.instrument.lotSize.mul(ours).toFixed()} differed from the venue's ${desk.instrument.lotSize.mul(lots).toFixed()}: the venue's is taken`,
        desk.symbol,
      );
      desk.watch();
    }
  }

  private withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        reject(new EngineError('venue_error', `the venue did not answer within ${ms} ms`));
      }, ms);
      promise.then(
        (v) => {
          this.clock.clearTimer(timer);
          resolve(v);
        },
        (err: unknown) => {
          this.clock.clearTimer(timer);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  private rerunRequested(): boolean {
    return this.reconcileAgain;
  }

  private reconcileSoon(): void {
    // Only a connected venue can answer; a dropped link reconciles when it comes back.
    if (!this.running || this.venue.connectionState() !== 'connected') return;
    this.clock.setTimeout(() => {
      void this.reconcile('an order state became unknown');
    }, 0);
  }

  private publishReconciling(on: boolean, reason: string): void {
    const at = this.clock.now();
    const account = this.risk.account.state();
    this.bus.publish('risk.changed', {
      symbol: null,
      from: on ? account : 'reconciling',
      to: on ? 'reconciling' : account,
      reason: on ? `reconciling with the venue (${reason})` : 'reconciliation done',
      at,
    });
    for (const desk of this.list) desk.requote();
  }

  private onConnection(state: ConnectionState): void {
    const up = state === 'connected';
    for (const desk of this.list) desk.setConnected(up);
    if (!up) {
      if (!this.linkWasDown)
        this.alerts.raise(
          'warning',
          'venue_link_down',
          `Venue link ${state}: quotes held until it is back and reconciled`,
        );
      this.linkWasDown = true;
      return;
    }
    if (this.linkWasDown && this.running) {
      this.linkWasDown = false;
      void this.reconcile('reconnect');
    }
  }

  // ---- risk -----------------------------------------------------------------------------------

  private onRiskChange(symbol: string | null, change: StateChange): void {
    const who = symbol === null ? 'Trading' : `${symbol} trading`;
    this.alerts.raise(
      change.to === 'active' ? 'info' : 'critical',
      `trading_${change.to}`,
      `${who} ${change.to.toUpperCase()}: ${change.reason}`,
      symbol,
    );
    if (symbol === null) {
      try {
        this.o.journal.saveKill(this.risk.killSwitch());
      } catch (err) {
        // The kill switch must survive a restart: if it cannot be written, nothing may trade.
        if (change.to !== 'halted')
          this.risk.escalate('halted', `the kill switch cannot be saved: ${message(err)}`);
      }
    }
    this.bus.publish('risk.changed', { symbol, ...change });
    for (const desk of this.list) if (symbol === null || desk.symbol === symbol) desk.requote();
  }

  /** A fault outside trading (storage, records that cannot be read): the account halts with the reason. */
  fault(reason: string, to: 'reducing' | 'halted' = 'halted'): void {
    for (const desk of this.list) if (to === 'halted') desk.quoting = false;
    this.risk.escalate(to, reason);
  }

  /** Kill switch: quoting off everywhere, the account halted, every order cancelled. */
  async kill(by: string): Promise<number> {
    for (const desk of this.list) desk.quoting = false;
    this.risk.engageKill(by);
    return this.cancelAll();
  }

  /** Cancels every order of ours on one instrument, or on all of them; resolves with how many. */
  async cancelAll(symbol?: string): Promise<number> {
    const desks = symbol === undefined ? this.list : [this.desk(symbol)];
    const results = await Promise.all(desks.map((d) => d.oms.cancelAll()));
    let cancelled = 0;
    for (const [i, r] of results.entries()) {
      if (!r.ok) {
        this.alerts.raise(
          'critical',
          'cancel_all_failed',
          `Cancel all on ${desks[i]!.symbol} failed: ${r.message}`,
          desks[i]!.symbol,
        );
        throw new EngineError('venue_error', `cancel all on ${desks[i]!.symbol} failed: ${r.message}`);
      }
      cancelled += r.value.cancelled;
    }
    return cancelled;
  }

  // ---- timers ---------------------------------------------------------------------------------

  private guard(): void {
    for (const desk of this.list) desk.guard();
    this.watchAccount();
  }

  private watchAccount(): void {
    const books = this.list.map((d) => ({ risk: d.risk, exposure: d.exposure() }));
    this.risk.watchAccount(this.clock.now(), this.accountEquity(), books);
  }

  /**
   * The sum of the desks' equities, the same Decimal as last time while none of theirs changed (a
   * desk hands back one object until its equity moves), so the account's monitors skip their work.
   */
  private accountEquity(): Decimal {
    const parts = this.equityParts;
    let same = parts.length === this.list.length;
    for (let i = 0; same && i < parts.length; i++) same = parts[i] === this.list[i]!.equity();
    if (same && this.equitySum !== undefined) return this.equitySum;
    let sum = new Decimal(0);
    this.equityParts = this.list.map((d) => {
      const e = d.equity();
      sum = sum.plus(e);
      return e;
    });
    this.equitySum = sum;
    return sum;
  }

  private sampleEquity(): void {
    const at = this.clock.now();
    let total = new Decimal(0);
    for (const desk of this.list) {
      const s = desk.sample();
      total = total.plus(s.equity);
      this.bus.publish('equity.sampled', { symbol: desk.symbol, at, equity: s.equity, mid: s.mid });
    }
    this.bus.publish('equity.sampled', { symbol: null, at, equity: total.toFixed(2), mid: null });
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

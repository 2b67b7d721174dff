import type { Clock } from '../core/clock.ts';
import { Decimal } from '../core/decimal.ts';
import { EngineError } from '../core/errors.ts';
import type { Instrument } from '../core/instrument.ts';
import { validateLimits, type RiskLimits } from './limits.ts';
import { DailyLossMonitor, DrawdownMonitor } from './monitors.ts';
import { checkOrder, type OrderCandidate, type RiskDecision } from './pre-trade.ts';
import { RateThrottle } from './throttle.ts';
import {
  TradingStateMachine,
  type GateState,
  type KillSwitchState,
  type StateChange,
  type TradingState,
} from './trading-state.ts';

/** Limits across every instrument of the account, in the quote currency they share. */
export interface AccountLimits {
  /** Σ |position| × mark over the instruments, quote currency. */
  maxGrossNotional: Decimal;
  maxDrawdown: Decimal;
  dailyLossLimit: Decimal;
}

/** One instrument's book of trades at the moment the gate asks (lots and ticks). */
export interface ExposureContext {
  positionLots: number;
  workingBuyLots: number;
  workingSellLots: number;
  openOrders: number;
  mid: number | undefined;
}

/** One instrument's exposure: |position| × mark in quote currency, and one lot's value at the mark. */
export interface Exposure {
  grossNotional: Decimal;
  /** Undefined without a mark. */
  lotValue: Decimal | undefined;
  /** The mark the values were taken at, ticks (a book's mid may fall on a half tick). */
  mark: number | undefined;
}

/** An instrument as the account's guard sees it: its risk and its current exposure. */
export interface AccountBook {
  risk: InstrumentRisk;
  exposure: Exposure;
}

/** The risk of one instrument: its own limits, state, throttle and monitors. */
export class InstrumentRisk {
  readonly instrument: Instrument;
  readonly limits: RiskLimits;
  readonly state: TradingStateMachine;
  readonly throttle: RateThrottle;
  private readonly drawdownMonitor: DrawdownMonitor;
  private readonly dailyMonitor: DailyLossMonitor;
  drawdown = new Decimal(0);
  dailyLoss = new Decimal(0);
  /** Exposure the account-level position limit leaves this instrument, lots (see RiskEngine.refreshRoom). */
  accountRoomLots = Infinity;
  /** Pre-trade refusals of the model's own orders (they never reach the venue). */
  modelRefusals = 0;

  constructor(clock: Clock, instrument: Instrument, limits: RiskLimits) {
    this.instrument = instrument;
    this.limits = validateLimits(limits);
    this.state = new TradingStateMachine(clock);
    this.throttle = new RateThrottle(limits.orderRateCount, limits.orderRateWindowMs);
    this.drawdownMonitor = new DrawdownMonitor(limits.maxDrawdown);
    this.dailyMonitor = new DailyLossMonitor(limits.dailyLossLimit);
  }

  /** Updates the monitors with this instrument's equity; escalates its state on a breach. */
  watch(now: number, equity: Decimal): void {
    this.drawdown = this.drawdownMonitor.update(equity);
    this.dailyLoss = this.dailyMonitor.update(now, equity);
    if (this.drawdownMonitor.breached(this.drawdown))
      this.state.escalate('reducing', `drawdown ${this.drawdown.toFixed(2)} reached its limit`);
    if (this.dailyMonitor.breached(this.dailyLoss))
      this.state.escalate('halted', `daily loss ${this.dailyLoss.toFixed(2)} reached its limit`);
  }
}

/** How strict a state is. Compared, not looked up in a table: it runs for every order and requote. */
function rank(s: GateState): number {
  return s === 'active' ? 0 : s === 'reducing' ? 1 : s === 'reconciling' ? 2 : 3;
}

/**
 * The risk engine of one account: the pre-trade gate for every order (the model's and the trader's),
 * the trading state of the account and of each instrument, the kill switch, and the loss and position
 * monitors at both levels. An instrument trades in the stricter of its own state and the account's;
 * while the engine reconciles with the venue, no new order passes anywhere.
 */
export class RiskEngine {
  readonly account: TradingStateMachine;
  readonly accountLimits: AccountLimits;
  private readonly clock: Clock;
  private readonly instruments = new Map<string, InstrumentRisk>();
  private readonly listeners: ((symbol: string | null, change: StateChange) => void)[] = [];
  private reconcilingReasons = 0;
  private readonly accountDrawdownMonitor: DrawdownMonitor;
  private readonly accountDailyMonitor: DailyLossMonitor;
  accountDrawdown = new Decimal(0);
  accountDailyLoss = new Decimal(0);
  grossNotional = new Decimal(0);
  /** The books of the last room refresh (see sameBooks). */
  private lastBooks: readonly AccountBook[] = [];
  /** Per instrument, the last headroom and twice its size in units of tick × lot (see roomLots). */
  private readonly headroomUnits = new Map<InstrumentRisk, { headroom: Decimal; twiceUnits: bigint }>();

  constructor(clock: Clock, accountLimits: AccountLimits, restoredKill?: KillSwitchState) {
    for (const [name, v] of Object.entries(accountLimits) as [string, Decimal][]) {
      if (!Decimal.isDecimal(v) || !v.isFinite() || v.lte(0))
        throw new EngineError('invalid_input', `account limits: ${name} must be a positive amount`);
    }
    this.clock = clock;
    this.accountLimits = accountLimits;
    this.account = new TradingStateMachine(clock, restoredKill);
    this.account.onChange((c) => {
      this.notify(null, c);
    });
    this.accountDrawdownMonitor = new DrawdownMonitor(accountLimits.maxDrawdown);
    this.accountDailyMonitor = new DailyLossMonitor(accountLimits.dailyLossLimit);
  }

  addInstrument(instrument: Instrument, limits: RiskLimits): InstrumentRisk {
    if (this.instruments.has(instrument.symbol))
      throw new EngineError('invalid_input', `${instrument.symbol} has risk limits already`);
    const risk = new InstrumentRisk(this.clock, instrument, limits);
    risk.state.onChange((c) => {
      this.notify(instrument.symbol, c);
    });
    this.instruments.set(instrument.symbol, risk);
    return risk;
  }

  instrument(symbol: string): InstrumentRisk | undefined {
    return this.instruments.get(symbol);
  }

  /** Every state change, the account's (symbol null) and each instrument's. */
  onChange(listener: (symbol: string | null, change: StateChange) => void): void {
    this.listeners.push(listener);
  }

  /** The state an instrument trades in: the strictest of its own, the account's and reconciliation. */
  effectiveState(risk: InstrumentRisk): GateState {
    let state: GateState = this.account.state();
    const own = risk.state.state();
    if (own !== state && rank(own) > rank(state)) state = own;
    if (this.reconcilingReasons > 0 && state !== 'halted') state = 'reconciling';
    return state;
  }

  /** The account's state as the header shows it. */
  accountState(): GateState {
    const s = this.account.state();
    return this.reconcilingReasons > 0 && s !== 'halted' ? 'reconciling' : s;
  }

  /** Why the shown state is what it is: the strictest reason first. */
  reasonFor(risk: InstrumentRisk | null): string | null {
    const state = risk ? this.effectiveState(risk) : this.accountState();
    if (state === 'reconciling') return 'reconciling with the venue';
    if (risk && risk.state.state() === state && state !== 'active') return risk.state.reason();
    return this.account.reason();
  }

  isReconciling(): boolean {
    return this.reconcilingReasons > 0;
  }

  /** Refuses new orders until the matching `endReconcile`; nested calls count. */
  beginReconcile(): void {
    this.reconcilingReasons++;
  }

  endReconcile(): void {
    if (this.reconcilingReasons > 0) this.reconcilingReasons--;
  }

  /** The pre-trade gate for one order of one instrument. */
  check(
    risk: InstrumentRisk,
    order: OrderCandidate,
    exposure: ExposureContext,
    model: boolean,
  ): RiskDecision {
    const d = checkOrder(risk.instrument, risk.limits, risk.throttle, order, {
      state: this.effectiveState(risk),
      positionLots: exposure.positionLots,
      workingBuyLots: exposure.workingBuyLots,
      workingSellLots: exposure.workingSellLots,
      openOrders: exposure.openOrders,
      mid: exposure.mid,
      now: this.clock.now(),
      accountRoomLots: risk.accountRoomLots,
    });
    if (!d.ok && model) risk.modelRefusals++;
    return d;
  }

  /**
   * The account-level monitors, on the sum of the instruments' equities and gross notional. The
   * position limit becomes lots of room per instrument here, so the gate compares whole lots on the
   * order path instead of summing decimals across instruments for every order.
   */
  watchAccount(now: number, equity: Decimal, books: readonly AccountBook[]): void {
    this.accountDrawdown = this.accountDrawdownMonitor.update(equity);
    this.accountDailyLoss = this.accountDailyMonitor.update(now, equity);
    if (!this.sameBooks(books)) this.refreshRoom(books);
    if (this.accountDrawdownMonitor.breached(this.accountDrawdown))
      this.account.escalate(
        'reducing',
        `account drawdown ${this.accountDrawdown.toFixed(2)} reached its limit`,
      );
    if (this.accountDailyMonitor.breached(this.accountDailyLoss))
      this.account.escalate(
        'halted',
        `account daily loss ${this.accountDailyLoss.toFixed(2)} reached its limit`,
      );
  }

  /**
   * Whether these books are the very exposures of the last refresh. The desks hand back the same
   * exposure object until their mid or position moves, so an unchanged account costs no division.
   */
  private sameBooks(books: readonly AccountBook[]): boolean {
    const last = this.lastBooks;
    if (last.length !== books.length) return false;
    for (let i = 0; i < books.length; i++) {
      const a = books[i]!;
      const b = last[i]!;
      if (a.risk !== b.risk || a.exposure !== b.exposure) return false;
    }
    return true;
  }

  /** The account's gross notional, and the lots each instrument may still add under its limit. */
  private refreshRoom(books: readonly AccountBook[]): void {
    let gross: Decimal | undefined;
    for (const { exposure } of books) {
      if (exposure.grossNotional.isZero()) continue;
      gross = gross === undefined ? exposure.grossNotional : gross.plus(exposure.grossNotional);
    }
    this.grossNotional = gross ?? new Decimal(0);
    const limit = this.accountLimits.maxGrossNotional;
    for (const { risk, exposure } of books) {
      if (exposure.lotValue === undefined || exposure.lotValue.lte(0)) {
        risk.accountRoomLots = Infinity;
        continue;
      }
      // What the limit leaves this instrument once the others' exposure is counted.
      const others = gross === undefined || gross === exposure.grossNotional ? undefined : gross;
      const headroom = others === undefined ? limit : limit.minus(others.minus(exposure.grossNotional));
      risk.accountRoomLots = this.roomLots(risk, headroom, exposure);
    }
    this.lastBooks = books.slice();
  }

  /**
   * ⌊headroom / lot value⌋ in lots, 0 when nothing is left. With the mark on the half-tick grid,
   * ⌊h / (unit·m)⌋ = ⌊⌊2h / unit⌋ / 2m⌋ for a whole 2m > 0: the Decimal division runs once per
   * headroom (which, on an account of one instrument, never changes), and each new mark costs one
   * BigInt division. Before, this division was the larger part of the account guard.
   */
  private roomLots(risk: InstrumentRisk, headroom: Decimal, exposure: Exposure): number {
    if (headroom.lte(0)) return 0;
    const twiceMark = exposure.mark === undefined ? Number.NaN : exposure.mark * 2;
    if (!Number.isSafeInteger(twiceMark) || twiceMark <= 0)
      return headroom.div(exposure.lotValue!).floor().toNumber();
    let cached = this.headroomUnits.get(risk);
    if (cached === undefined || (cached.headroom !== headroom && !cached.headroom.eq(headroom))) {
      const units = headroom.mul(2).div(risk.instrument.unitNotional).floor();
      cached = { headroom, twiceUnits: BigInt(units.toFixed(0)) };
      this.headroomUnits.set(risk, cached);
    }
    return Number(cached.twiceUnits / BigInt(twiceMark));
  }

  engageKill(by: string): void {
    this.account.engageKill(by);
  }

  killSwitch(): Readonly<KillSwitchState> {
    return this.account.killSwitch();
  }

  /** The trader's reset: the kill switch and every halt or reduction, account-wide. */
  reset(): void {
    this.account.reset();
    // Only what is not active already: a reset says once that trading is active again.
    for (const r of this.instruments.values()) if (r.state.state() !== 'active') r.state.reset();
  }

  /** A fault outside trading (storage, a venue that cannot be reconciled): escalate the account. */
  escalate(to: TradingState, reason: string): void {
    this.account.escalate(to, reason);
  }

  private notify(symbol: string | null, change: StateChange): void {
    for (const l of this.listeners) l(symbol, change);
  }
}

/**
 * Backtest statistics for one instrument: a bus subscriber that turns the node's `book.updated`,
 * `fill.applied` and `order.changed` events into the run's report (docs/backtest-models.md §4). The
 * node never calls it; the runner constructs it beside the node and asks for `finish()` at the end.
 *
 * Guarantees:
 * - Money is exact. Equity is E = cash + position·mark − fees, marked to mid, and
 *   `pnl_total` = E(end) − E(start) is computed from cash and position, apart from its decomposition;
 *   `pnl_total` = `spread_capture` + `inventory_pnl` − `fees` then holds as a Decimal equality.
 * - Per event the work is O(1) and allocates nothing on the common path (a book update whose mid did
 *   not move costs a call and a comparison): prices are kept in half ticks (a mid is (bid + ask) / 2
 *   ticks), sizes in lots, and sums of their products in `ExactInt`, which is a float-safe integer
 *   until it spills into a BigInt. Decimal appears only in `finish()`, and once per fill for a fee.
 * - Time comes from the injected clock: the report is the same however the replay steps it.
 * - Nothing here throws on an empty run: a figure that has no value is null, with its reason in
 *   `null_reasons`.
 *
 * The mark: the mid of the book, or, before the first mid was seen, the price of the last fill (a
 * fill then has no spread capture). When the book has no mid (a reset), the last mid stays the mark.
 * A mid off the half-tick grid (a microprice passed by mistake) is rounded to the nearest half tick,
 * so the identity still holds for the marks actually used.
 */
import { AtomScale } from '../core/atoms.ts';
import type { EventBus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import { Decimal, parseDecimal } from '../core/decimal.ts';
import { EngineError } from '../core/errors.ts';
import type { Instrument, Lots, Side } from '../core/instrument.ts';
import type { DomainEvents } from '../events/domain-events.ts';
import { isTerminal, type Order } from '../oms/order.ts';

/** Markout and adverse-selection horizons, in seconds. */
export const MARKOUT_HORIZONS_S = [1, 5, 30, 60] as const;
export type MarkoutHorizon = `${(typeof MARKOUT_HORIZONS_S)[number]}s`;

/** The report of one run of one instrument. JSON-serialisable: money and prices are exact decimal strings. */
export interface BacktestStats {
  symbol: string;
  /** Clock time from construction to `finish()`. */
  duration_ms: number;
  fills: number;
  buy_fills: number;
  sell_fills: number;
  /** E(end) − E(start), E = start cash + cash + position·mark − fees, quote currency. */
  pnl_total: string;
  /** Σ s·(m − p)·q over fills, s = +1 buy / −1 sell, m the mark at the fill. */
  spread_capture: string;
  /** Σ position·Δmark between mark changes. */
  inventory_pnl: string;
  /** Fees paid (positive) net of rebates (negative), in quote currency. */
  fees: string;
  /** E at the first mark (start cash when flat and never marked); null when a start position was never marked. */
  equity_start: string | null;
  equity_end: string | null;
  /**
   * Quantity-weighted markout Σ s·(mid(t+τ) − p)·q / Σ q, quote per base unit: positive means the
   * fill was worth more than we paid τ later. Fills whose t+τ lies past the end are left out.
   */
  markout_1s: string | null;
  markout_5s: string | null;
  markout_30s: string | null;
  markout_60s: string | null;
  /** Adverse selection Σ s·(mid(t+τ) − m)·q / Σ q, quote per base unit; negative means toxic flow. */
  adverse_1s: string | null;
  adverse_5s: string | null;
  adverse_30s: string | null;
  adverse_60s: string | null;
  /** Fills left out of each horizon because t+τ lies past the end of the run. */
  markout_left_out: Record<MarkoutHorizon, number>;
  /**
   * Filled ÷ quoted quantity of the model's quotes (origin `model`). An order is quoted with its
   * full size when it is first seen acknowledged (status new, partially-filled or filled); an
   * acknowledged amend to a new price quotes its open size again, one that only grows the size quotes
   * the increase. An order the venue refused or expired before it rested quotes nothing.
   */
  fill_ratio: number | null;
  /** Base units quoted, as `fill_ratio` counts them, and filled on model orders. */
  quoted_size: string;
  quoted_filled_size: string;
  /** Maker fills ÷ fills, by count. */
  maker_share: number | null;
  /**
   * Share of the run's clock time during which each side had at least one live model order at the
   * venue: acknowledged and new, partially-filled or pending-amend (an order being cancelled counts
   * as withdrawn), the test `InstrumentDesk.liveOn` makes. No distance-from-mid or size condition.
   */
  quote_uptime: number | null;
  /** Time-weighted mean |position|, base units (rounded to 3 digits past the lot). */
  inventory_twa: string | null;
  /** Largest |position| at any time, start included, base units. */
  inventory_max: string;
  position_end: string;
  /** Largest fall of marked equity from its running peak, checked at every mark change and fill. */
  max_drawdown: string;
  /** On equity changes sampled every `sampleMs` of clock time (see `sampling`). */
  sharpe: number | null;
  sortino: number | null;
  sampling: string;
  samples: number;
  /** Traded notional Σ p·q, quote currency. */
  turnover: string;
  /** pnl_total minus the PnL of holding the start position from the first mid to the last. */
  pnl_vs_hold: string | null;
  /** Fills that came before any mid was seen (marked at their own price). */
  fills_without_mid: number;
  /** Why each null figure is null. */
  null_reasons: Record<string, string>;
}

export interface StatisticsOptionsBase {
  bus: EventBus<DomainEvents>;
  clock: Clock;
  instrument: Instrument;
  /** Position when the collector starts, lots (signed); 0 by default. */
  startPosition?: Lots;
  /** Quote cash at the start, exact decimal ("0" by default); moves equity, not PnL. */
  startCash?: string;
  /** Equity sampling period for Sharpe and Sortino, clock ms; 1000 by default. */
  sampleMs?: number;
}

/**
 * Where the mid comes from. `midTicks` is the hot path: the book's own `mid()` in ticks, e.g.
 * `() => node.desk(symbol).book.mid()`. `midOf` takes the mid as a Decimal price and costs a Decimal
 * comparison per book update (and a division when it moved).
 */
export type MidSource =
  | { midTicks: () => number | undefined; midOf?: never }
  | { midOf: () => Decimal | undefined; midTicks?: never };

export type StatisticsOptions = StatisticsOptionsBase & MidSource;

const HORIZON_MS = MARKOUT_HORIZONS_S.map((s) => s * 1000);
const HORIZON_NAMES: readonly MarkoutHorizon[] = MARKOUT_HORIZONS_S.map((s) => `${s}s` as const);
const YEAR_MS = 365 * 86_400_000;
const SPILL = 2 ** 52;
const SPILL_BIG = BigInt(SPILL);

/**
 * An exact integer sum: a plain number while it stays within ±2^52, a BigInt beyond. Every addend is
 * a safe integer and the running part never exceeds 2^52, so each float addition is exact (a sum
 * whose true value passes 2^52 rounds to at least 2^52 and is caught before it is kept).
 */
class ExactInt {
  private lo = 0;
  private hi = 0n;

  add(n: number): void {
    const s = this.lo + n;
    if (s <= SPILL && s >= -SPILL) this.lo = s;
    else this.set(this.hi + BigInt(this.lo) + BigInt(n));
  }

  addBig(n: bigint): void {
    this.set(this.value() + n);
  }

  set(v: bigint): void {
    if (v <= SPILL_BIG && v >= -SPILL_BIG) {
      this.lo = Number(v);
      this.hi = 0n;
    } else {
      this.lo = 0;
      this.hi = v;
    }
  }

  copy(other: ExactInt): void {
    this.lo = other.lo;
    this.hi = other.hi;
  }

  value(): bigint {
    return this.hi + BigInt(this.lo);
  }

  isNegative(): boolean {
    return this.hi === 0n ? this.lo < 0 : this.value() < 0n;
  }

  compare(other: ExactInt): number {
    if (this.hi === 0n && other.hi === 0n) return this.lo - other.lo;
    const a = this.value();
    const b = other.value();
    return a < b ? -1 : a > b ? 1 : 0;
  }
}

/**
 * Fills waiting for their markouts, oldest first, in a growable ring of typed arrays. Each horizon
 * has a cursor (an absolute index); horizons resolve in fill order, and the longest one last, so the
 * ring holds exactly the fills between the longest horizon's cursor and the tail: those of the last
 * 60 s.
 */
class PendingFills {
  time: Float64Array = new Float64Array(64);
  /** s·q, lots. */
  signedLots: Float64Array = new Float64Array(64);
  /** Price and the mark at the fill, half ticks. */
  price2: Float64Array = new Float64Array(64);
  mark2: Float64Array = new Float64Array(64);
  mask = 63;
  head = 0;
  tail = 0;

  push(time: number, signedLots: number, price2: number, mark2: number): void {
    if (this.tail - this.head === this.time.length) this.grow();
    const i = this.tail & this.mask;
    this.time[i] = time;
    this.signedLots[i] = signedLots;
    this.price2[i] = price2;
    this.mark2[i] = mark2;
    this.tail++;
  }

  private grow(): void {
    const size = this.time.length * 2;
    this.time = this.regrow(this.time, size);
    this.signedLots = this.regrow(this.signedLots, size);
    this.price2 = this.regrow(this.price2, size);
    this.mark2 = this.regrow(this.mark2, size);
    this.mask = size - 1;
  }

  /** The live entries of `old` at their places in a ring of `size` (absolute indices stay valid). */
  private regrow(old: Float64Array, size: number): Float64Array {
    const next = new Float64Array(size);
    for (let a = this.head; a < this.tail; a++) next[a & (size - 1)] = old[a & this.mask]!;
    return next;
  }
}

/** What the collector remembers of one working model order. */
interface QuoteState {
  side: Side;
  acked: boolean;
  live: boolean;
  price: number | undefined;
  size: number;
}

/**
 * Collects one instrument's backtest statistics from the node's bus. Subscribes on construction;
 * `finish()` reports the run up to the clock's now (it may be called again later), `close()` stops
 * listening. Events of other instruments on the same bus are ignored.
 *
 * `quotes.decided` and `equity.sampled` are not used: quoted quantity comes from the orders the
 * venue acknowledged, and equity is sampled here, exactly, rather than from the node's rounded curve.
 */
export class StatisticsCollector {
  private readonly clock: Clock;
  private readonly inst: Instrument;
  private readonly readMid: () => number | undefined;
  private readonly sampleMs: number;
  private readonly atoms: AtomScale;
  /** Half a tick times a lot (the unit of half-tick × lot sums), in atoms. */
  private readonly halfUnit: bigint;
  private readonly startCash: bigint;
  private readonly startPos: number;
  private readonly startedAt: number;
  private offs: (() => void)[];

  private pos: number;
  /** The mark in half ticks, −1 before the first; the mark the start position was valued at. */
  private mark = -1;
  private startMark = -1;
  private firstMid = -1;
  private lastMid = -1;

  // Half-tick × lot sums.
  private readonly cash = new ExactInt();
  private readonly spread = new ExactInt();
  private readonly inventory = new ExactInt();
  /** Tick × lot. */
  private readonly traded = new ExactInt();
  private feeAtoms = 0n;

  private fillCount = 0;
  private buys = 0;
  private makers = 0;
  private withoutMid = 0;

  // Drawdown: the fall from the peak is gap·halfUnit + gapAtoms atoms, 0 ≤ gapAtoms < halfUnit, so a
  // mark change (a whole number of half-tick lots) moves only `gap`, a float-safe integer.
  private readonly gap = new ExactInt();
  private gapAtoms = 0n;
  private readonly worstGap = new ExactInt();
  private worstGapAtoms = 0n;

  // Equity samples: boundary j lies at startedAt + j·sampleMs; Welford mean and M2 of the changes.
  private nextBoundary = 1;
  private sampledPnl = 0n;
  private sampleCount = 0;
  private sampleMean = 0;
  private sampleM2 = 0;
  private downsideSq = 0;

  private readonly pending = new PendingFills();
  private readonly cursors = HORIZON_MS.map(() => 0);
  private readonly markoutSum = HORIZON_MS.map(() => new ExactInt());
  private readonly adverseSum = HORIZON_MS.map(() => new ExactInt());
  private readonly markoutLots = HORIZON_MS.map(() => new ExactInt());

  /** Σ |position|·dt, lot·ms (a float: a mean of a quantity, not money). */
  private absPosTime = 0;
  private posSince: number;
  private maxAbsPos: number;

  private readonly quotes = new Map<string, QuoteState>();
  private readonly quoted = new ExactInt();
  private readonly quotedFilled = new ExactInt();
  private liveBuys = 0;
  private liveSells = 0;
  private bothSince = -1;
  private uptime = 0;

  constructor(options: StatisticsOptions) {
    this.clock = options.clock;
    this.inst = options.instrument;
    this.readMid =
      options.midTicks !== undefined
        ? options.midTicks
        : decimalMidInTicks(options.instrument, options.midOf);
    this.sampleMs = options.sampleMs ?? 1000;
    if (!Number.isFinite(this.sampleMs) || this.sampleMs <= 0)
      throw new EngineError('invalid_input', `sampleMs must be a positive number, got ${this.sampleMs}`);
    const startPos = options.startPosition ?? 0;
    if (!Number.isSafeInteger(startPos))
      throw new EngineError('invalid_input', `startPosition must be whole lots, got ${startPos}`);
    this.startPos = startPos;
    this.pos = startPos;
    this.maxAbsPos = Math.abs(startPos);
    // Enough places for half a tick times a lot, and never fewer than the portfolio keeps for fees.
    this.atoms = new AtomScale(Math.max(18, this.inst.priceDecimals + this.inst.sizeDecimals + 1));
    this.halfUnit = this.atoms.of(this.inst.unitNotional.div(2), `${this.inst.symbol} half tick x lot`);
    this.startCash = this.atoms.of(parseDecimal(options.startCash ?? '0', 'startCash'), 'startCash');
    this.startedAt = this.clock.now();
    this.posSince = this.startedAt;
    const bus = options.bus;
    this.offs = [
      bus.subscribe('book.updated', (e) => {
        if (e.instrument.symbol === this.inst.symbol) this.advance(this.clock.now());
      }),
      bus.subscribe('fill.applied', (e) => {
        if (e.instrument.symbol === this.inst.symbol) this.onFill(e);
      }),
      bus.subscribe('order.changed', (e) => {
        if (e.instrument.symbol === this.inst.symbol && e.order.origin === 'model') this.onOrder(e.order);
      }),
    ];
  }

  close(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  // ---- events ---------------------------------------------------------------------------------

  /**
   * Brings everything up to `now`, in this order: samples and markouts due before `now` see the state
   * before anything at `now`; then the mark moves. A value "at t" is thus the state after every event
   * at times ≤ t.
   */
  private advance(now: number): void {
    if (this.startedAt + this.nextBoundary * this.sampleMs < now) this.takeSamples(now, false);
    if (this.pending.tail > this.pending.head) this.resolveMarkouts(now, false);
    this.observeMid();
  }

  private observeMid(): void {
    const ticks = this.readMid();
    if (ticks === undefined) return;
    const h = Math.round(ticks * 2);
    if (h === this.mark && this.firstMid >= 0) return;
    if (!(h > 0) || !Number.isSafeInteger(h)) return;
    if (this.firstMid < 0) this.firstMid = h;
    this.lastMid = h;
    this.moveMark(h);
  }

  private moveMark(h: number): void {
    if (this.mark < 0) {
      this.mark = h;
      this.startMark = h;
      return;
    }
    const dh = h - this.mark;
    this.mark = h;
    if (this.pos === 0 || dh === 0) return;
    const term = this.pos * dh;
    if (Number.isSafeInteger(term)) {
      this.inventory.add(term);
      this.gap.add(-term);
      if (this.gap.isNegative()) {
        this.gap.set(0n);
        this.gapAtoms = 0n;
      } else this.noteGap();
    } else {
      const big = BigInt(this.pos) * BigInt(dh);
      this.inventory.addBig(big);
      this.equityMoved(big * this.halfUnit);
    }
  }

  private onFill(e: DomainEvents['fill.applied']): void {
    const now = this.clock.now();
    this.advance(now);
    const f = e.fill;
    const price2 = 2 * f.price;
    if (this.firstMid < 0) {
      // No mid yet: the fill's own price is the mark, so it captures no spread.
      this.withoutMid++;
      this.moveMark(price2);
    }
    const mark = this.mark;
    const size: number = f.size;
    const signed = f.side === 'buy' ? size : -size;
    this.absPosTime += Math.abs(this.pos) * (now - this.posSince);
    this.posSince = now;
    // Prices and sizes are safe integers, but their products need not be: checked, with a BigInt fallback.
    const capture = signed * (mark - price2);
    const captureBig = Number.isSafeInteger(capture)
      ? BigInt(capture)
      : BigInt(signed) * BigInt(mark - price2);
    this.spread.addBig(captureBig);
    const paid = signed * price2;
    if (Number.isSafeInteger(paid)) this.cash.add(-paid);
    else this.cash.addBig(-BigInt(signed) * BigInt(price2));
    const notional = f.price * f.size;
    if (Number.isSafeInteger(notional)) this.traded.add(notional);
    else this.traded.addBig(BigInt(f.price) * BigInt(f.size));
    const fee = this.feeInAtoms(f.fee, f.feeAsset, f.price);
    this.feeAtoms += fee;
    this.equityMoved(captureBig * this.halfUnit - fee);
    this.pos += signed;
    if (Math.abs(this.pos) > this.maxAbsPos) this.maxAbsPos = Math.abs(this.pos);
    this.fillCount++;
    if (f.side === 'buy') this.buys++;
    if (f.liquidity === 'maker') this.makers++;
    if (e.order?.origin === 'model') this.quotedFilled.add(f.size);
    this.pending.push(now, signed, price2, mark);
  }

  private feeInAtoms(fee: string, asset: string, priceTicks: number): bigint {
    // As the portfolio counts it: a fee in the base asset is worth its amount at the fill price.
    if (asset === this.inst.base)
      return this.atoms.ofRounded(parseDecimal(fee, 'fee').mul(this.inst.tickSize.mul(priceTicks)));
    return this.atoms.parse(fee, 'fee');
  }

  private onOrder(order: Readonly<Order>): void {
    const now = this.clock.now();
    let q = this.quotes.get(order.clientId);
    if (q === undefined) {
      q = { side: order.side, acked: false, live: false, price: order.price, size: order.size };
      this.quotes.set(order.clientId, q);
    }
    const status = order.status;
    if (!q.acked) {
      if (status === 'new' || status === 'partially-filled' || status === 'filled') {
        q.acked = true;
        this.quoted.add(order.size);
      }
    } else if (order.price !== q.price) this.quoted.add(Math.max(0, order.size - order.filled));
    else if (order.size > q.size) this.quoted.add(order.size - q.size);
    q.price = order.price;
    q.size = order.size;
    const live = status === 'new' || status === 'partially-filled' || status === 'pending-amend';
    if (live !== q.live) {
      q.live = live;
      this.countLive(q.side, live ? 1 : -1, now);
    }
    if (isTerminal(status)) this.quotes.delete(order.clientId);
  }

  private countLive(side: Side, delta: number, now: number): void {
    const before = this.liveBuys > 0 && this.liveSells > 0;
    if (side === 'buy') this.liveBuys += delta;
    else this.liveSells += delta;
    const after = this.liveBuys > 0 && this.liveSells > 0;
    if (!before && after) this.bothSince = now;
    else if (before && !after) this.uptime += now - this.bothSince;
  }

  // ---- drawdown, samples, markouts ------------------------------------------------------------

  /** Equity moved by `atoms` (a fill, or a mark change too large for the float path). */
  private equityMoved(atoms: bigint): void {
    const fall = this.gap.value() * this.halfUnit + this.gapAtoms - atoms;
    if (fall <= 0n) {
      this.gap.set(0n);
      this.gapAtoms = 0n;
      return;
    }
    this.gap.set(fall / this.halfUnit);
    this.gapAtoms = fall % this.halfUnit;
    this.noteGap();
  }

  private noteGap(): void {
    const c = this.gap.compare(this.worstGap);
    if (c > 0 || (c === 0 && this.gapAtoms > this.worstGapAtoms)) {
      this.worstGap.copy(this.gap);
      this.worstGapAtoms = this.gapAtoms;
    }
  }

  /** PnL so far in atoms, from cash and position (not from its decomposition). */
  private pnlAtoms(): bigint {
    if (this.mark < 0) return 0n;
    const units =
      this.cash.value() +
      BigInt(this.pos) * BigInt(this.mark) -
      BigInt(this.startPos) * BigInt(this.startMark);
    return units * this.halfUnit - this.feeAtoms;
  }

  /**
   * Takes the samples at the boundaries before `now` (or at it, with `inclusive`), all in O(1): equity
   * is constant between events, so of k boundaries passed at once the first sees the change and the
   * other k − 1 see none. Boundaries before the first mark have no equity and are skipped.
   */
  private takeSamples(now: number, inclusive: boolean): void {
    const first = this.startedAt + this.nextBoundary * this.sampleMs;
    const span = (now - first) / this.sampleMs;
    if (span < 0 || (span === 0 && !inclusive)) return;
    const k = inclusive ? Math.floor(span) + 1 : Math.ceil(span);
    this.nextBoundary += k;
    if (this.mark < 0) return;
    const pnl = this.pnlAtoms();
    const change = Number(pnl - this.sampledPnl) / 10 ** this.atoms.decimals;
    this.sampledPnl = pnl;
    this.addSamples(change, 1);
    if (k > 1) this.addSamples(0, k - 1);
  }

  /** Adds `count` samples of one value to the running mean and M2 (Chan et al.'s pairwise update). */
  private addSamples(value: number, count: number): void {
    const n = this.sampleCount + count;
    const delta = value - this.sampleMean;
    this.sampleMean += (delta * count) / n;
    this.sampleM2 += (delta * delta * this.sampleCount * count) / n;
    this.sampleCount = n;
    if (value < 0) this.downsideSq += value * value * count;
  }

  private resolveMarkouts(now: number, inclusive: boolean): void {
    const p = this.pending;
    const h = this.mark;
    for (let k = 0; k < HORIZON_MS.length; k++) {
      const horizon = HORIZON_MS[k]!;
      let c = this.cursors[k]!;
      while (c < p.tail) {
        const i = c & p.mask;
        const due = p.time[i]! + horizon;
        if (due > now || (due === now && !inclusive)) break;
        const lots = p.signedLots[i]!;
        this.addProduct(this.markoutSum[k]!, lots, h - p.price2[i]!);
        this.addProduct(this.adverseSum[k]!, lots, h - p.mark2[i]!);
        this.markoutLots[k]!.add(Math.abs(lots));
        c++;
      }
      this.cursors[k] = c;
    }
    p.head = this.cursors[HORIZON_MS.length - 1]!;
  }

  private addProduct(sum: ExactInt, a: number, b: number): void {
    const n = a * b;
    if (Number.isSafeInteger(n)) sum.add(n);
    else sum.addBig(BigInt(a) * BigInt(b));
  }

  // ---- the report -----------------------------------------------------------------------------

  /**
   * The PnL split so far, exact decimal strings: spread capture, inventory PnL and fees, with
   * spread − fees + inventory the PnL since the start (as in `finish()`), marked at the latest mid.
   * Cheap enough for a once-a-second sample of the run's curves; it moves nothing.
   */
  split(): { spread: string; inventory: string; fees: string } {
    return {
      spread: this.atoms.format(this.spread.value() * this.halfUnit),
      inventory: this.atoms.format(this.inventory.value() * this.halfUnit),
      fees: this.atoms.format(this.feeAtoms),
    };
  }

  finish(): BacktestStats {
    const now = this.clock.now();
    this.advance(now);
    this.takeSamples(now, true);
    this.resolveMarkouts(now, true);
    const inst = this.inst;
    const reasons: Record<string, string> = {};
    const money = (atoms: bigint): string => this.atoms.format(atoms);
    const base = (lots: number): string => inst.lotSize.mul(lots).toFixed();
    const duration = now - this.startedAt;

    const pnl = this.pnlAtoms();
    const marked = this.mark >= 0;
    const equityStart = marked
      ? this.startCash + BigInt(this.startPos) * BigInt(this.startMark) * this.halfUnit
      : this.startPos === 0
        ? this.startCash
        : null;
    if (equityStart === null) {
      const why = 'the start position was never marked: no mid and no fill';
      reasons.equity_start = why;
      reasons.equity_end = why;
    }

    const markouts: (string | null)[] = [];
    const adverse: (string | null)[] = [];
    const leftOut = {} as Record<MarkoutHorizon, number>;
    for (let k = 0; k < HORIZON_MS.length; k++) {
      const name = HORIZON_NAMES[k]!;
      const lots = this.markoutLots[k]!.value();
      leftOut[name] = this.pending.tail - this.cursors[k]!;
      if (lots === 0n) {
        const why =
          this.fillCount === 0 ? 'no fills' : `every fill's ${name} horizon runs past the end of the run`;
        reasons[`markout_${name}`] = why;
        reasons[`adverse_${name}`] = why;
        markouts.push(null);
        adverse.push(null);
        continue;
      }
      markouts.push(this.perUnit(this.markoutSum[k]!.value(), lots));
      adverse.push(this.perUnit(this.adverseSum[k]!.value(), lots));
    }

    const quoted = this.quoted.value();
    if (quoted === 0n) reasons.fill_ratio = 'no model quote was acknowledged';
    if (this.fillCount === 0) reasons.maker_share = 'no fills';
    if (duration <= 0) {
      reasons.quote_uptime = 'no clock time passed';
      reasons.inventory_twa = 'no clock time passed';
    }
    const bothLive = this.liveBuys > 0 && this.liveSells > 0;
    const uptime = this.uptime + (bothLive ? now - this.bothSince : 0);
    const absPosTime = this.absPosTime + Math.abs(this.pos) * (now - this.posSince);

    const n = this.sampleCount;
    const annual = Math.sqrt(YEAR_MS / this.sampleMs);
    const std = n > 0 ? Math.sqrt(this.sampleM2 / n) : 0;
    const downside = n > 0 ? Math.sqrt(this.downsideSq / n) : 0;
    let sharpe: number | null = null;
    let sortino: number | null = null;
    if (n < 2) {
      const why = `${n} equity sample${n === 1 ? '' : 's'}: at least 2 are needed`;
      reasons.sharpe = why;
      reasons.sortino = why;
    } else {
      if (std > 0) sharpe = (this.sampleMean / std) * annual;
      else reasons.sharpe = 'equity did not change between samples';
      if (downside > 0) sortino = (this.sampleMean / downside) * annual;
      else reasons.sortino = 'no sample lost money';
    }

    let vsHold: string | null;
    if (this.startPos === 0) vsHold = money(pnl);
    else if (this.firstMid < 0) {
      vsHold = null;
      reasons.pnl_vs_hold = 'no mid was seen to value holding the start position';
    } else {
      const hold = BigInt(this.startPos) * BigInt(this.lastMid - this.firstMid) * this.halfUnit;
      vsHold = money(pnl - hold);
    }

    return {
      symbol: inst.symbol,
      duration_ms: duration,
      fills: this.fillCount,
      buy_fills: this.buys,
      sell_fills: this.fillCount - this.buys,
      pnl_total: money(pnl),
      spread_capture: money(this.spread.value() * this.halfUnit),
      inventory_pnl: money(this.inventory.value() * this.halfUnit),
      fees: money(this.feeAtoms),
      equity_start: equityStart === null ? null : money(equityStart),
      equity_end: equityStart === null ? null : money(equityStart + pnl),
      markout_1s: markouts[0]!,
      markout_5s: markouts[1]!,
      markout_30s: markouts[2]!,
      markout_60s: markouts[3]!,
      adverse_1s: adverse[0]!,
      adverse_5s: adverse[1]!,
      adverse_30s: adverse[2]!,
      adverse_60s: adverse[3]!,
      markout_left_out: leftOut,
      fill_ratio: quoted === 0n ? null : Number(this.quotedFilled.value()) / Number(quoted),
      quoted_size: base(Number(quoted)),
      quoted_filled_size: base(Number(this.quotedFilled.value())),
      maker_share: this.fillCount === 0 ? null : this.makers / this.fillCount,
      quote_uptime: duration > 0 ? uptime / duration : null,
      inventory_twa:
        duration > 0
          ? inst.lotSize
              .mul(absPosTime / duration)
              .toDecimalPlaces(inst.sizeDecimals + 3)
              .toFixed()
          : null,
      inventory_max: base(this.maxAbsPos),
      position_end: base(this.pos),
      max_drawdown: money(this.worstGap.value() * this.halfUnit + this.worstGapAtoms),
      sharpe,
      sortino,
      sampling: `${this.sampleMs} ms equity changes (${n} samples), annualised by sqrt(samples per year) with 365-day years; population standard deviation`,
      samples: n,
      turnover: money(this.traded.value() * 2n * this.halfUnit),
      pnl_vs_hold: vsHold,
      fills_without_mid: this.withoutMid,
      null_reasons: reasons,
    };
  }

  /** A half-tick × lot sum over `lots` lots as quote per base unit, rounded half to even 6 places past the tick. */
  private perUnit(sum: bigint, lots: bigint): string {
    return this.inst.tickSize
      .mul(sum.toString())
      .div(new Decimal(lots.toString()).mul(2))
      .toDecimalPlaces(this.inst.priceDecimals + 6)
      .toFixed();
  }
}

/** A Decimal mid source as ticks, dividing only when the mid moved. */
function decimalMidInTicks(inst: Instrument, midOf: () => Decimal | undefined): () => number | undefined {
  let last: Decimal | undefined;
  let lastTicks = 0;
  return () => {
    const mid = midOf();
    if (mid === undefined) return undefined;
    if (last === undefined || !mid.eq(last)) {
      last = mid;
      lastTicks = mid.div(inst.tickSize).toNumber();
    }
    return lastTicks;
  };
}

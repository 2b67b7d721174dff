import type { Clock } from '../../core/clock.ts';
import { Decimal } from '../../core/decimal.ts';
import { formatPrice, formatSize, lotsToDecimal, notional, ticksToDecimal } from '../../core/instrument.ts';
import type { Holding, Ledger } from '../../venues/sim/ledger.ts';
import { LEDGER_ATOMS } from '../../venues/sim/ledger.ts';
import type { SimMarket } from './market.ts';
import type { BybitOrder } from './orders.ts';
import { leavesLots } from './orders.ts';

/** One-way mode position of one perpetual. */
export interface Position {
  readonly market: SimMarket;
  /** Signed lots: positive long, negative short. */
  size: number;
  /** Entry cost of the open size in quote, exact (the sum of price x qty of what is still open). */
  entryValue: Decimal;
  /** Realised PnL net of fees and funding since the position was last opened, and over its life. */
  curRealised: Decimal;
  cumRealised: Decimal;
  createdTime: number;
  updatedTime: number;
  seq: number;
}

/** Maintenance margin rate of the first risk tier (Bybit BTCUSDT: 0.5 %). */
const MMR = new Decimal('0.005');
const ZERO = new Decimal(0);

/**
 * The USDT perpetual side of a unified account: positions (one-way, a fixed leverage) and their
 * margin. Margin is the whole USDT wallet, the same ledger holding spot trades on, so the initial
 * margin of open orders and positions is kept in that holding's `locked` part: spot orders cannot
 * spend it, and linear orders check the same free balance. Fees, realised PnL and funding move the
 * holding's total. Unrealised PnL is shown but never frees or takes margin (a simplification: the
 * venue counts it in the available balance).
 */
export class LinearPositions {
  readonly leverage: Decimal;
  private readonly clock: Clock;
  private readonly wallet: Holding;
  private readonly positions = new Map<string, Position>();
  /** What this book has folded into `wallet.locked`, in atoms. */
  private lockedAtoms = 0n;
  private orderMargin = ZERO;

  constructor(options: { ledger: Ledger; owner: number; asset: string; leverage: Decimal; clock: Clock }) {
    this.leverage = options.leverage;
    this.clock = options.clock;
    this.wallet = options.ledger.holding(options.owner, options.asset);
  }

  get(market: SimMarket): Position {
    let p = this.positions.get(market.symbol);
    if (p === undefined) {
      const now = this.clock.now();
      p = {
        market,
        size: 0,
        entryValue: ZERO,
        curRealised: ZERO,
        cumRealised: ZERO,
        createdTime: now,
        updatedTime: now,
        seq: market.seq,
      };
      this.positions.set(market.symbol, p);
    }
    return p;
  }

  all(): Position[] {
    return [...this.positions.values()];
  }

  /** Applies one fill; returns the lots it closed and their PnL before fees. */
  fill(
    market: SimMarket,
    buy: boolean,
    price: number,
    lots: number,
    fee: Decimal,
  ): { closed: number; pnl: Decimal } {
    const p = this.get(market);
    const inst = market.instrument;
    const dir = buy ? 1 : -1;
    let closed = 0;
    let pnl = ZERO;
    if (p.size === 0 || Math.sign(p.size) === dir) {
      if (p.size === 0) {
        p.createdTime = this.clock.now();
        p.curRealised = ZERO;
      }
      p.size += dir * lots;
      p.entryValue = p.entryValue.plus(notional(inst, price, lots));
    } else {
      const open = Math.abs(p.size);
      closed = Math.min(open, lots);
      const entryPart = p.entryValue.mul(closed).div(open);
      pnl = notional(inst, price, closed).minus(entryPart).mul(Math.sign(p.size));
      p.entryValue = closed === open ? ZERO : p.entryValue.minus(entryPart);
      p.size += dir * closed;
      const rest = lots - closed;
      if (rest > 0) {
        p.size = dir * rest;
        p.entryValue = notional(inst, price, rest);
        p.createdTime = this.clock.now();
      }
    }
    this.book(p, pnl.minus(fee));
    return { closed, pnl };
  }

  /** Settles funding on one position at the mark; returns what the account paid (negative: received). */
  funding(market: SimMarket, rate: Decimal, markTicks: number): Decimal | undefined {
    const p = this.positions.get(market.symbol);
    if (p === undefined || p.size === 0) return undefined;
    const value = notional(market.instrument, markTicks, Math.abs(p.size));
    const paid = value.mul(rate).mul(Math.sign(p.size));
    this.book(p, paid.neg());
    return paid;
  }

  /** The initial margin an order of `lots` at `price` ticks needs. */
  margin(market: SimMarket, price: number, lots: number): Decimal {
    return notional(market.instrument, price, lots).div(this.leverage);
  }

  /** The wallet's free balance (total less everything locked, spot orders included). */
  available(): Decimal {
    return LEDGER_ATOMS.toDecimal(this.wallet.total - this.wallet.locked);
  }

  /** Recomputes the margin of open orders and positions and folds the change into the wallet's lock. */
  relock(openOrders: Iterable<BybitOrder>): void {
    let orders = ZERO;
    for (const o of openOrders) {
      if (o.market.category === 'linear' && o.price !== 0)
        orders = orders.plus(this.margin(o.market, o.price, leavesLots(o)));
    }
    this.orderMargin = orders;
    const atoms = LEDGER_ATOMS.ofRounded(orders.plus(this.positionMargin()));
    this.wallet.locked += atoms - this.lockedAtoms;
    this.lockedAtoms = atoms;
  }

  /** The part of the wallet's lock that is linear margin (the rest is spot orders). */
  lockedByLinear(): Decimal {
    return LEDGER_ATOMS.toDecimal(this.lockedAtoms);
  }

  orderIM(): Decimal {
    return this.orderMargin;
  }

  positionMargin(): Decimal {
    let sum = ZERO;
    for (const p of this.positions.values()) sum = sum.plus(p.entryValue.div(this.leverage));
    return sum;
  }

  maintenanceMargin(): Decimal {
    let sum = ZERO;
    for (const p of this.positions.values()) sum = sum.plus(this.markValue(p).mul(MMR));
    return sum;
  }

  unrealised(): Decimal {
    let sum = ZERO;
    for (const p of this.positions.values()) sum = sum.plus(this.upl(p));
    return sum;
  }

  cumRealised(): Decimal {
    let sum = ZERO;
    for (const p of this.positions.values()) sum = sum.plus(p.cumRealised);
    return sum;
  }

  /** The position item of GET /v5/position/list; the `position` topic adds `category` and `entryPrice`. */
  wire(p: Position, forTopic: boolean): Record<string, unknown> {
    const inst = p.market.instrument;
    const mark = p.market.markTicks();
    const avg = averageEntry(p);
    return {
      ...(forTopic ? { category: 'linear' } : {}),
      positionIdx: 0,
      riskId: 1,
      riskLimitValue: '2000000',
      symbol: p.market.symbol,
      side: p.size > 0 ? 'Buy' : p.size < 0 ? 'Sell' : '',
      size: formatSize(inst, Math.abs(p.size)),
      avgPrice: avg,
      ...(forTopic ? { entryPrice: avg } : {}),
      positionValue: p.size === 0 ? '' : p.entryValue.toFixed(),
      tradeMode: 0,
      autoAddMargin: 0,
      positionStatus: 'Normal',
      leverage: this.leverage.toFixed(),
      markPrice: formatPrice(inst, mark),
      liqPrice: '',
      bustPrice: '',
      positionIM: p.entryValue.div(this.leverage).toDecimalPlaces(8).toFixed(),
      positionMM: this.markValue(p).mul(MMR).toDecimalPlaces(8).toFixed(),
      takeProfit: '0.00',
      stopLoss: '0.00',
      trailingStop: '0.00',
      sessionAvgPrice: '',
      unrealisedPnl: this.upl(p).toFixed(),
      curRealisedPnl: p.curRealised.toDecimalPlaces(8).toFixed(),
      cumRealisedPnl: p.cumRealised.toDecimalPlaces(8).toFixed(),
      adlRankIndicator: p.size === 0 ? 0 : 2,
      isReduceOnly: false,
      mmrSysUpdatedTime: '',
      leverageSysUpdatedTime: '',
      createdTime: String(Math.floor(p.createdTime)),
      updatedTime: String(Math.floor(p.updatedTime)),
      seq: p.seq,
    };
  }

  private markValue(p: Position): Decimal {
    return notional(p.market.instrument, p.market.markTicks(), Math.abs(p.size));
  }

  private upl(p: Position): Decimal {
    if (p.size === 0) return ZERO;
    return this.markValue(p).minus(p.entryValue).mul(Math.sign(p.size));
  }

  /** Moves `amount` (PnL net of fees, or funding) into the wallet and the position's realised PnL. */
  private book(p: Position, amount: Decimal): void {
    this.wallet.total += LEDGER_ATOMS.ofRounded(amount);
    p.curRealised = p.curRealised.plus(amount);
    p.cumRealised = p.cumRealised.plus(amount);
    p.updatedTime = this.clock.now();
    p.seq = p.market.seq;
  }
}

function averageEntry(p: Position): string {
  if (p.size === 0) return '0';
  const inst = p.market.instrument;
  const avg = p.entryValue.div(lotsToDecimal(inst, Math.abs(p.size)));
  // One fill (or fills at one price) prints exactly; a blend is rounded past the tick's decimals.
  const onGrid = avg.div(inst.tickSize).isInteger();
  return onGrid
    ? formatPrice(inst, avg.div(inst.tickSize).toNumber())
    : avg.toDecimalPlaces(inst.priceDecimals + 8, Decimal.ROUND_HALF_EVEN).toFixed();
}

/** A price in ticks as a Decimal (re-exported for the wallet's USD values). */
export function priceValue(market: SimMarket, ticks: number): Decimal {
  return ticksToDecimal(market.instrument, ticks);
}

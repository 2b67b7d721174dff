import { Decimal } from '../core/decimal.ts';
import { RecentSet } from '../core/recent-set.ts';
import { notional, type Instrument } from '../core/instrument.ts';
import type { Fill } from '../venues/venue.ts';

/** Remembered execution ids: enough to catch any replay after a reconnect; the store's UNIQUE key catches older ones. */
const SEEN_EXEC_IDS = 200_000;

export interface PositionSnapshot {
  /** Signed position in lots. */
  lots: number;
  /** Signed position in base units, exact. */
  size: string;
  avgEntry: string | null;
  realized: string;
  unrealized: string;
  fees: string;
  equity: string;
}

/**
 * Position, average entry and PnL for one instrument from our fills, all money in Decimal, on the
 * average-cost method: the cost basis grows with the position; reducing realises PnL against the
 * closed share of it; crossing through zero closes the old position and opens the remainder at the
 * fill price. Flat has no average (never a division by zero). Applying the same execution twice
 * changes nothing.
 */
export class Portfolio {
  private readonly inst: Instrument;
  private readonly startEquity: Decimal;
  private lots = 0;
  /** Signed cost basis of the open position: paid for a long (> 0), received for a short (< 0). */
  private cost = new Decimal(0);
  private realizedPnl = new Decimal(0);
  private feesPaid = new Decimal(0);
  private readonly seen = new RecentSet(SEEN_EXEC_IDS);

  constructor(inst: Instrument, startingEquity: Decimal | string = '0') {
    this.inst = inst;
    this.startEquity = new Decimal(startingEquity);
  }

  /** Applies one fill; false (and no change) if this execution was already applied or is not ours. */
  apply(fill: Fill): boolean {
    if (fill.symbol !== this.inst.symbol || !this.seen.addIfNew(fill.execId)) return false;
    const fee = new Decimal(fill.fee);
    this.feesPaid = this.feesPaid.plus(
      fill.feeAsset === this.inst.base ? fee.mul(this.inst.tickSize.mul(fill.price)) : fee,
    );
    const dir = fill.side === 'buy' ? 1 : -1;
    const before = this.lots;
    if (before === 0 || Math.sign(before) === dir) {
      const value = notional(this.inst, fill.price, fill.size);
      this.cost = dir > 0 ? this.cost.plus(value) : this.cost.minus(value);
      this.lots = before + dir * fill.size;
      return true;
    }
    const closing = Math.min(fill.size, Math.abs(before));
    // The cost released is the closed share of the cost basis. It may round (a third of a cost), but
    // the same rounded amount leaves the basis and enters realised PnL, so realised + unrealised stays
    // exactly the cash-flow PnL.
    // Rounded to a fixed number of places so that every later sum stays exact within the precision.
    const released =
      closing === Math.abs(before)
        ? this.cost
        : this.cost
            .mul(closing)
            .div(Math.abs(before))
            .toDecimalPlaces(this.inst.priceDecimals + this.inst.sizeDecimals + 10);
    const closedValue = notional(this.inst, fill.price, closing);
    this.realizedPnl = this.realizedPnl.plus(closedValue.mul(Math.sign(before))).minus(released);
    this.cost = this.cost.minus(released);
    this.lots = before + dir * fill.size;
    if (fill.size > closing) {
      const opened = notional(this.inst, fill.price, fill.size - closing);
      this.cost = dir > 0 ? opened : opened.neg();
    }
    return true;
  }

  positionLots(): number {
    return this.lots;
  }

  /** Average entry price of the open position, null when flat. */
  avgEntry(): Decimal | null {
    return this.lots === 0 ? null : this.cost.div(this.inst.lotSize.mul(this.lots));
  }

  realized(): Decimal {
    return this.realizedPnl;
  }

  fees(): Decimal {
    return this.feesPaid;
  }

  /** Unrealised PnL at a mark price in ticks (0 when flat or with no mark). */
  unrealized(markTicks: number | undefined): Decimal {
    if (this.lots === 0 || markTicks === undefined || !Number.isFinite(markTicks)) return new Decimal(0);
    return this.inst.lotSize.mul(this.lots).mul(this.inst.tickSize.mul(markTicks)).minus(this.cost);
  }

  equity(markTicks: number | undefined): Decimal {
    return this.startEquity.plus(this.realizedPnl).plus(this.unrealized(markTicks)).minus(this.feesPaid);
  }

  snapshot(markTicks: number | undefined): PositionSnapshot {
    const dp = this.inst.priceDecimals;
    // Rounded for display, a tiny negative amount must not print as "-0.00".
    const fixed = (d: Decimal, places: number): string => {
      const r = d.toDecimalPlaces(places);
      return (r.isZero() ? new Decimal(0) : r).toFixed(places);
    };
    return {
      lots: this.lots,
      size: this.inst.lotSize.mul(this.lots).toFixed(this.inst.sizeDecimals),
      avgEntry:
        this.lots === 0
          ? null
          : this.avgEntry()!
              .toDecimalPlaces(dp + 4)
              .toFixed(),
      realized: fixed(this.realizedPnl, Math.max(dp, 2)),
      unrealized: fixed(this.unrealized(markTicks), Math.max(dp, 2)),
      fees: fixed(this.feesPaid, Math.max(dp, 2) + 2),
      equity: fixed(this.equity(markTicks), Math.max(dp, 2)),
    };
  }
}

/** Rebuilds a portfolio from stored fills (recovery), in order. */
export function rebuildPortfolio(
  inst: Instrument,
  fills: Iterable<Fill>,
  startingEquity: Decimal | string = '0',
): Portfolio {
  const p = new Portfolio(inst, startingEquity);
  for (const f of fills) p.apply(f);
  return p;
}

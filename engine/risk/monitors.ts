import { Decimal } from '../core/decimal.ts';

export interface Gauge {
  value: number;
  limit: number;
}

/**
 * Drawdown from peak equity. The peak starts at the first equity seen (which may be zero or negative:
 * the drawdown is an amount, so nothing divides by the peak).
 */
export class DrawdownMonitor {
  private peak: Decimal | undefined;
  private readonly limit: Decimal;
  /** The last update's equity and drawdown: the same equity object again needs no Decimal work. */
  private lastIn: Decimal | undefined;
  private lastOut = new Decimal(0);

  constructor(limit: Decimal) {
    this.limit = limit;
  }

  /** Updates with the current equity; returns the drawdown amount (≥ 0). */
  update(equity: Decimal): Decimal {
    // Decimals are immutable, so the very equity of the last update leaves the peak as it was.
    if (equity === this.lastIn) return this.lastOut;
    if (this.peak === undefined || equity.gt(this.peak)) this.peak = equity;
    this.lastIn = equity;
    this.lastOut = this.peak.minus(equity);
    return this.lastOut;
  }

  breached(drawdown: Decimal): boolean {
    return drawdown.gte(this.limit);
  }

  peakEquity(): Decimal | undefined {
    return this.peak;
  }
}

const DAY_MS = 86_400_000;

/** Loss since the start of the current UTC day; the baseline resets when the day changes. */
export class DailyLossMonitor {
  private readonly limit: Decimal;
  private day = Number.NaN;
  private baseline = new Decimal(0);
  /** The last update's equity and loss, reused for the same equity object on the same day. */
  private lastIn: Decimal | undefined;
  private lastOut = new Decimal(0);

  constructor(limit: Decimal) {
    this.limit = limit;
  }

  /** Returns today's loss (positive when losing, 0 when up). */
  update(now: number, equity: Decimal): Decimal {
    const day = Math.floor(now / DAY_MS);
    if (day === this.day && equity === this.lastIn) return this.lastOut;
    if (day !== this.day) {
      this.day = day;
      this.baseline = equity;
    }
    const loss = this.baseline.minus(equity);
    this.lastIn = equity;
    this.lastOut = loss.isNegative() ? new Decimal(0) : loss;
    return this.lastOut;
  }

  breached(loss: Decimal): boolean {
    return loss.gte(this.limit);
  }
}

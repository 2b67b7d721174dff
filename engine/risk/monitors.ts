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

  constructor(limit: Decimal) {
    this.limit = limit;
  }

  /** Updates with the current equity; returns the drawdown amount (≥ 0). */
  update(equity: Decimal): Decimal {
    if (this.peak === undefined || equity.gt(this.peak)) this.peak = equity;
    return this.peak.minus(equity);
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

  constructor(limit: Decimal) {
    this.limit = limit;
  }

  /** Returns today's loss (positive when losing, 0 when up). */
  update(now: number, equity: Decimal): Decimal {
    const day = Math.floor(now / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.baseline = equity;
    }
    const loss = this.baseline.minus(equity);
    return loss.isNegative() ? new Decimal(0) : loss;
  }

  breached(loss: Decimal): boolean {
    return loss.gte(this.limit);
  }
}

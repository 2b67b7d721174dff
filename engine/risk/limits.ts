import { Decimal } from '../core/decimal.ts';
import { EngineError } from '../core/errors.ts';

/** Hard limits the pre-trade checks and monitors enforce. Sizes in lots, money in quote currency. */
export interface RiskLimits {
  maxOrderLots: number;
  maxOrderNotional: Decimal;
  /** |position + working orders on the side + the new order| may not exceed this. */
  maxPositionLots: number;
  /** Price band around the mid, as a fraction (0.02 = 2 %). */
  priceBand: number;
  maxOpenOrders: number;
  /** At most `orderRateCount` orders per `orderRateWindowMs`. */
  orderRateCount: number;
  orderRateWindowMs: number;
  /** Drawdown from peak equity, quote currency. */
  maxDrawdown: Decimal;
  /** Loss since the start of the UTC day, quote currency. */
  dailyLossLimit: Decimal;
  /** Quotes are pulled when the book is older than this. */
  staleFeedMs: number;
}

/** Checks every limit; a bad value is refused with the field named and nothing changes. */
export function validateLimits(l: RiskLimits): RiskLimits {
  const fail = (msg: string): never => {
    throw new EngineError('invalid_input', `risk limits: ${msg}`);
  };
  const posInt = (v: number, name: string) => {
    if (!Number.isSafeInteger(v) || v < 1) fail(`${name} must be a whole number ≥ 1, got ${v}`);
  };
  posInt(l.maxOrderLots, 'maxOrderLots');
  posInt(l.maxPositionLots, 'maxPositionLots');
  posInt(l.maxOpenOrders, 'maxOpenOrders');
  posInt(l.orderRateCount, 'orderRateCount');
  posInt(l.orderRateWindowMs, 'orderRateWindowMs');
  posInt(l.staleFeedMs, 'staleFeedMs');
  if (!(l.priceBand > 0) || l.priceBand >= 1 || !Number.isFinite(l.priceBand))
    fail(`priceBand must be in (0, 1), got ${l.priceBand}`);
  for (const [name, v] of [
    ['maxOrderNotional', l.maxOrderNotional],
    ['maxDrawdown', l.maxDrawdown],
    ['dailyLossLimit', l.dailyLossLimit],
  ] as const) {
    if (!Decimal.isDecimal(v) || !v.isFinite() || v.lte(0)) fail(`${name} must be a positive amount`);
  }
  return l;
}

import { Decimal } from '../core/decimal.ts';
import type { Instrument } from '../core/instrument.ts';
import type { RiskLimits } from '../risk/limits.ts';
import type { ModelName } from '../strategy/models.ts';

export interface TradingConfig {
  symbol: string;
  model: {
    name: ModelName;
    gamma: number;
    /** κ and A used until (or instead of) the intensity fit, per tick and per second. */
    kappa: number;
    A: number;
    /** Rolling horizon of τ seconds, or a session ending at a fixed time (ms since epoch). */
    horizon: { kind: 'rolling'; seconds: number } | { kind: 'session'; endsAt: number };
    priceSource: 'mid' | 'microprice';
    volHalfLifeS: number;
    volWarmup: number;
    /** Use A and κ fitted from the trade tape once warm. */
    fitIntensity: boolean;
  };
  quoting: {
    sizeLots: number;
    levels: number;
    levelSpacingTicks: number;
    minSpreadTicks: number;
    maxSpreadTicks: number;
    toleranceTicks: number;
    minRefreshMs: number;
    maxInFlight: number;
  };
  limits: RiskLimits;
  /** Equity at the start of the session in quote currency (for drawdown and the equity curve). */
  startingEquity: string;
}

/** Sensible defaults for an instrument: quotes a few ticks wide, small size, conservative limits. */
export function defaultTradingConfig(inst: Instrument): TradingConfig {
  const sizeLots = Math.max(inst.minLots, 10);
  return {
    symbol: inst.symbol,
    model: {
      name: 'avellaneda-stoikov',
      gamma: 0.005,
      kappa: 0.5,
      A: 5,
      horizon: { kind: 'rolling', seconds: 10 },
      priceSource: 'microprice',
      volHalfLifeS: 60,
      volWarmup: 20,
      fitIntensity: false,
    },
    quoting: {
      sizeLots,
      levels: 1,
      levelSpacingTicks: 2,
      minSpreadTicks: 2,
      maxSpreadTicks: 400,
      toleranceTicks: 1,
      minRefreshMs: 100,
      maxInFlight: 32,
    },
    limits: {
      maxOrderLots: sizeLots * 20,
      maxOrderNotional: new Decimal('100000'),
      maxPositionLots: sizeLots * 10,
      priceBand: 0.02,
      maxOpenOrders: 20,
      orderRateCount: 50,
      orderRateWindowMs: 1000,
      maxDrawdown: new Decimal('5000'),
      dailyLossLimit: new Decimal('10000'),
      staleFeedMs: 2000,
    },
    startingEquity: '0',
  };
}

import { Decimal } from '../core/decimal.ts';
import type { Instrument } from '../core/instrument.ts';
import type { RiskLimits } from '../risk/limits.ts';
import type { AccountLimits } from '../risk/risk-engine.ts';
import type { ModelConfig, QuotingConfig } from '../strategy/quote-decision.ts';

/** One instrument's parameters and limits: each instrument of a node has its own. */
export interface TradingConfig {
  symbol: string;
  model: ModelConfig;
  quoting: QuotingConfig;
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

/** Account-level limits across every instrument the node trades (quote currency). */
export function defaultAccountLimits(): AccountLimits {
  return {
    maxGrossNotional: new Decimal('500000'),
    maxDrawdown: new Decimal('10000'),
    dailyLossLimit: new Decimal('20000'),
  };
}

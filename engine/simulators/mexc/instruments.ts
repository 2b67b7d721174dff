import type { Instrument, InstrumentSpec } from '../../core/instrument.ts';
import type { SyntheticMarketConfig } from '../../venues/sim/synthetic-market.ts';
import type { MexcOrderType } from '../../venues/mexc/wire.ts';
import { MEXC_ORDER_TYPES } from '../../venues/mexc/wire.ts';
import type { ListedInstrument } from '../bybit/instruments.ts';

/** exchangeInfo `status` (B7): 1 online, 2 paused, 3 offline. */
export type SymbolStatus = '1' | '2' | '3';
/** exchangeInfo `tradeSideType`: 1 both sides, 2 buy only, 3 sell only, 4 close only. */
export type TradeSideType = '1' | '2' | '3' | '4';

/**
 * One symbol as MEXC lists it. MEXC has no tick or step filter, only decimals (B7): the price grid is
 * 10^-quoteAssetPrecision and the size grid 10^-baseAssetPrecision, so the instrument's tick and lot
 * are exactly those, its minimum size is `baseSizePrecision` and its minimum notional
 * `quoteAmountPrecision`.
 */
export interface MexcListing {
  readonly spec: InstrumentSpec;
  readonly baseAssetPrecision: number;
  /** Decimals of a price; also printed as `quotePrecision` (the older name ccxt once read). */
  readonly quoteAssetPrecision: number;
  readonly status: SymbolStatus;
  readonly tradeSideType: TradeSideType;
  readonly orderTypes: readonly MexcOrderType[];
  readonly maxQuoteAmount: string;
  /** Fair price at the start, on the grid. */
  readonly startPrice: string;
  /** The background flow that makes this symbol's book look like the venue's (in its own ticks and lots). */
  readonly flow: Partial<Omit<SyntheticMarketConfig, 'startPrice'>>;
}

function grid(decimals: number): string {
  return decimals === 0 ? '1' : `0.${'0'.repeat(decimals - 1)}1`;
}

function listing(
  symbol: string,
  base: string,
  baseDecimals: number,
  priceDecimals: number,
  rest: Pick<MexcListing, 'status' | 'startPrice' | 'flow'> & { minSize?: string; minNotional?: string },
): MexcListing {
  return {
    spec: {
      symbol,
      base,
      quote: 'USDT',
      tickSize: grid(priceDecimals),
      lotSize: grid(baseDecimals),
      minSize: rest.minSize ?? grid(baseDecimals),
      minNotional: rest.minNotional ?? '1',
      // MEXC's standard spot rates: no maker fee, 0.05 % taker.
      makerFee: '0',
      takerFee: '0.0005',
    },
    baseAssetPrecision: baseDecimals,
    quoteAssetPrecision: priceDecimals,
    status: rest.status,
    tradeSideType: '1',
    orderTypes: MEXC_ORDER_TYPES,
    maxQuoteAmount: '2000000',
    startPrice: rest.startPrice,
    flow: rest.flow,
  };
}

/** The symbol listed as paused (status 2), for the refusal of trading on a halted symbol. */
export const HALTED_SYMBOL = 'LUNAUSDT';

/**
 * What the simulator lists: BTCUSDT and ETHUSDT trading, at about the embedded simulator's prices
 * but on MEXC's grids (two price decimals, six and five size decimals), and one paused symbol. The
 * flows scale the synthetic market's defaults (counted in ticks and lots) to these finer grids.
 */
export function defaultMexcListing(): MexcListing[] {
  return [
    listing('BTCUSDT', 'BTC', 6, 2, {
      status: '1',
      startPrice: '65000.00',
      flow: { meanDistanceTicks: 800, meanLimitLots: 40_000, meanMarketLots: 20_000 },
    }),
    // Coarser than its precision, as many MEXC symbols are: 0.00001 ETH steps, at least 0.0001.
    listing('ETHUSDT', 'ETH', 5, 2, {
      status: '1',
      minSize: '0.0001',
      startPrice: '3200.00',
      flow: { meanDistanceTicks: 60, meanLimitLots: 80_000, meanMarketLots: 40_000 },
    }),
    listing(HALTED_SYMBOL, 'LUNA', 2, 5, {
      status: '2',
      startPrice: '0.50000',
      flow: {},
    }),
  ];
}

/** The shape the shared market wrapper (the Bybit simulator's SimMarket) takes; only spot fields matter here. */
export function wrapperListing(listed: MexcListing): ListedInstrument {
  return {
    category: 'spot',
    spec: listed.spec,
    startPrice: listed.startPrice,
    maxOrderQty: '0',
    maxMarketQty: '0',
    minPrice: '0',
    maxPrice: '0',
  };
}

/** One item of exchangeInfo `symbols[]` (B7), in the venue's field order. */
export function symbolItem(listed: MexcListing, inst: Instrument): Record<string, unknown> {
  return {
    symbol: inst.symbol,
    status: listed.status,
    baseAsset: inst.base,
    baseAssetPrecision: listed.baseAssetPrecision,
    quoteAsset: inst.quote,
    quotePrecision: listed.quoteAssetPrecision,
    quoteAssetPrecision: listed.quoteAssetPrecision,
    baseCommissionPrecision: listed.baseAssetPrecision,
    quoteCommissionPrecision: listed.quoteAssetPrecision,
    orderTypes: [...listed.orderTypes],
    isSpotTradingAllowed: listed.status === '1',
    isMarginTradingAllowed: false,
    quoteAmountPrecision: inst.spec.minNotional,
    baseSizePrecision: inst.spec.minSize,
    permissions: ['SPOT'],
    filters: [],
    maxQuoteAmount: listed.maxQuoteAmount,
    makerCommission: inst.spec.makerFee,
    takerCommission: inst.spec.takerFee,
    quoteAmountPrecisionMarket: inst.spec.minNotional,
    maxQuoteAmountMarket: listed.maxQuoteAmount,
    fullName: inst.base,
    tradeSideType: listed.tradeSideType,
    st: false,
  };
}

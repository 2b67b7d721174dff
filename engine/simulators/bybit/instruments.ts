import type { Instrument, InstrumentSpec } from '../../core/instrument.ts';
import { defaultSimInstruments } from '../../venues/sim/default-sim.ts';
import type { Category } from './wire.ts';

/** One instrument the simulator lists in one category, with the filters Bybit prints for it. */
export interface ListedInstrument {
  readonly category: Category;
  readonly spec: InstrumentSpec;
  /** Fair price at the start, on the tick grid. */
  readonly startPrice: string;
  /** Largest limit order, in base (spot `maxLimitOrderQty`, linear `maxOrderQty`). */
  readonly maxOrderQty: string;
  readonly maxMarketQty: string;
  /** Linear price filter bounds (spot prints only the tick). */
  readonly minPrice: string;
  readonly maxPrice: string;
}

/**
 * What the simulator lists: spot BTCUSDT and ETHUSDT exactly as the embedded simulator defines them,
 * and the USDT perpetuals of the same two coins (two, so the paged linear instruments list has a
 * second page to show). Perpetual fees are Bybit's non-VIP contract rates.
 */
export function defaultListing(): ListedInstrument[] {
  const [btc, eth] = defaultSimInstruments();
  if (!btc || !eth) throw new Error('the default simulator lists BTCUSDT and ETHUSDT');
  const perpFees = { makerFee: '0.0002', takerFee: '0.00055' };
  return [
    {
      category: 'spot',
      spec: btc.spec,
      startPrice: btc.startPrice,
      ...limits('100', '50', '0.10', '1999999.80'),
    },
    {
      category: 'spot',
      spec: eth.spec,
      startPrice: eth.startPrice,
      ...limits('2000', '1000', '0.01', '199999.98'),
    },
    {
      category: 'linear',
      spec: { ...btc.spec, ...perpFees },
      startPrice: btc.startPrice,
      ...limits('1190.000', '500.000', '0.10', '1999999.80'),
    },
    {
      category: 'linear',
      spec: { ...eth.spec, ...perpFees },
      startPrice: eth.startPrice,
      ...limits('7240.00', '3000.00', '0.01', '199999.98'),
    },
  ];
}

function limits(
  maxOrderQty: string,
  maxMarketQty: string,
  minPrice: string,
  maxPrice: string,
): Pick<ListedInstrument, 'maxOrderQty' | 'maxMarketQty' | 'minPrice' | 'maxPrice'> {
  return { maxOrderQty, maxMarketQty, minPrice, maxPrice };
}

/** Spot quote amounts (market buys in quote) are accepted to this many decimals. */
export const QUOTE_PRECISION = '0.00000001';

/** An item of GET /v5/market/instruments-info for a spot pair. */
export function spotInstrumentItem(listed: ListedInstrument, inst: Instrument): Record<string, unknown> {
  return {
    symbol: inst.symbol,
    baseCoin: inst.base,
    quoteCoin: inst.quote,
    innovation: '0',
    status: 'Trading',
    marginTrading: 'none',
    stTag: '0',
    lotSizeFilter: {
      basePrecision: inst.spec.lotSize,
      quotePrecision: QUOTE_PRECISION,
      minOrderQty: inst.spec.minSize,
      maxOrderQty: listed.maxOrderQty,
      minOrderAmt: inst.spec.minNotional,
      maxOrderAmt: '10000000',
      maxLimitOrderQty: listed.maxOrderQty,
      maxMarketOrderQty: listed.maxMarketQty,
      postOnlyMaxLimitOrderSize: listed.maxOrderQty,
    },
    priceFilter: { tickSize: inst.spec.tickSize },
    riskParameters: { priceLimitRatioX: '0.05', priceLimitRatioY: '0.05' },
    symbolType: '',
  };
}

/** An item of GET /v5/market/instruments-info for a USDT perpetual. */
export function linearInstrumentItem(
  listed: ListedInstrument,
  inst: Instrument,
  fundingIntervalMinutes: number,
): Record<string, unknown> {
  return {
    symbol: inst.symbol,
    contractType: 'LinearPerpetual',
    status: 'Trading',
    baseCoin: inst.base,
    quoteCoin: inst.quote,
    launchTime: '1585526400000',
    deliveryTime: '0',
    deliveryFeeRate: '',
    priceScale: String(inst.priceDecimals),
    leverageFilter: { minLeverage: '1', maxLeverage: '100.00', leverageStep: '0.01' },
    priceFilter: { minPrice: listed.minPrice, maxPrice: listed.maxPrice, tickSize: inst.spec.tickSize },
    lotSizeFilter: {
      maxOrderQty: listed.maxOrderQty,
      minOrderQty: inst.spec.minSize,
      qtyStep: inst.spec.lotSize,
      postOnlyMaxOrderQty: listed.maxOrderQty,
      maxMktOrderQty: listed.maxMarketQty,
      minNotionalValue: inst.spec.minNotional,
    },
    unifiedMarginTrade: true,
    fundingInterval: fundingIntervalMinutes,
    settleCoin: inst.quote,
    copyTrading: 'both',
    upperFundingRate: '0.005',
    lowerFundingRate: '-0.005',
    isPreListing: false,
    preListingInfo: null,
    riskParameters: { priceLimitRatioX: '0.01', priceLimitRatioY: '0.02' },
    displayName: '',
  };
}

import { Decimal } from '../../core/decimal.ts';
import { belowMinNotional, notional } from '../../core/instrument.ts';
import type { SimMarket } from './market.ts';
import type { Reply } from './wire.ts';
import { fail } from './wire.ts';

/** A parsed value or the reply that refuses it. */
export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reply: Reply };

export function accept<T>(value: T): Checked<T> {
  return { ok: true, value };
}

export function refuse<T>(retCode: number, retMsg: string): Checked<T> {
  return { ok: false, reply: fail(retCode, retMsg) };
}

export function paramError<T>(name: string): Checked<T> {
  return refuse(10001, `params error: ${name} invalid`);
}

const PLAIN = /^(?:0|[1-9]\d*)(?:\.(\d+))?$/;
/** The venue's orderLinkId rule (A9). */
export const LINK_ID = /^[A-Za-z0-9_-]{1,36}$/;

/** The spot and linear codes of each check (A5; the linear messages are the venue's where known). */
const CODES = {
  spot: {
    priceStep: [170134, 'Order price decimal too long.'],
    qtyStep: [170137, 'Order quantity decimal too long.'],
    minQty: [170136, 'Order quantity lower than the minimum.'],
    maxQty: [170135, 'Order quantity exceeded upper limit.'],
    minValue: [170140, 'Order value exceeded lower limit.'],
    priceRange: [170134, 'Order price decimal too long.'],
  },
  linear: {
    priceStep: [10001, 'params error: price must be a multiple of the tick size'],
    qtyStep: [10001, 'params error: qty must be a multiple of the qty step'],
    minQty: [10001, 'The number of contracts exceeds minimum limit allowed'],
    maxQty: [10001, 'The number of contracts exceeds maximum limit allowed'],
    minValue: [110094, ''],
    priceRange: [110003, 'Order price exceeds the allowable range.'],
  },
} as const;

type CheckName = keyof (typeof CODES)['spot'];

function refuseFor<T>(market: SimMarket, check: CheckName): Checked<T> {
  const [code, msg] = CODES[market.category][check];
  if (check === 'minValue' && market.category === 'linear') {
    return refuse(code, `Order does not meet minimum order value ${market.instrument.spec.minNotional}USDT`);
  }
  return refuse(code, msg);
}

/** A non-negative plain decimal string ("0.001", no exponent or sign), or undefined. */
export function plainDecimal(text: string | undefined): Decimal | undefined {
  if (text === undefined || !PLAIN.test(text)) return undefined;
  return new Decimal(text);
}

/** A limit price as ticks: on the tick grid and inside the price filter. */
export function parsePrice(market: SimMarket, text: string | undefined): Checked<number> {
  const d = plainDecimal(text);
  if (d === undefined || d.isZero()) return paramError('price');
  const inst = market.instrument;
  const ratio = d.div(inst.tickSize);
  if (!ratio.isInteger()) return refuseFor(market, 'priceStep');
  if (market.category === 'linear' && (d.lt(market.listed.minPrice) || d.gt(market.listed.maxPrice))) {
    return refuseFor(market, 'priceRange');
  }
  const ticks = ratio.toNumber();
  return Number.isSafeInteger(ticks) ? accept(ticks) : refuseFor(market, 'priceRange');
}

/** An order quantity in base as lots: on the step (spot: basePrecision), inside the size limits. */
export function parseQty(market: SimMarket, text: string | undefined, maxText: string): Checked<number> {
  const d = plainDecimal(text);
  if (d === undefined) return paramError('qty');
  const inst = market.instrument;
  const ratio = d.div(inst.lotSize);
  // Zero is below every minimum; the default instruments' minimum is one step, so it is the only way.
  if (d.isZero()) return refuseFor(market, 'minQty');
  if (!ratio.isInteger()) return refuseFor(market, 'qtyStep');
  if (d.gt(maxText)) return refuseFor(market, 'maxQty');
  const lots = ratio.toNumber();
  if (lots < inst.minLots) return refuseFor(market, 'minQty');
  return accept(lots);
}

/** Refuses a notional under the minimum (spot minOrderAmt, linear minNotionalValue). */
export function checkNotional(market: SimMarket, price: number, lots: number): Checked<true> {
  return belowMinNotional(market.instrument, price, lots) ? refuseFor(market, 'minValue') : accept(true);
}

/** A spot market order's amount in quote: at most eight decimals and at least minOrderAmt. */
export function parseQuoteAmount(market: SimMarket, text: string | undefined): Checked<Decimal> {
  const d = plainDecimal(text);
  if (d === undefined || d.isZero()) return paramError('qty');
  if (d.decimalPlaces() > 8) return refuseFor(market, 'qtyStep');
  if (d.lt(market.instrument.minNotional)) return refuseFor(market, 'minValue');
  return accept(d);
}

/**
 * How many lots `quote` buys (or, for a sell, how many lots fetch `quote`) walking the book from the
 * best level: the venue executes a quote-amount market order against the book as it stands.
 */
export function lotsForQuote(market: SimMarket, buy: boolean, quote: Decimal): number {
  const inst = market.instrument;
  let left = quote;
  let lots = 0;
  for (const [price, size] of market.engine.depth(buy ? 'sell' : 'buy', 1000)) {
    const levelCost = notional(inst, price, size);
    if (levelCost.lte(left)) {
      lots += size;
      left = left.minus(levelCost);
      continue;
    }
    lots += left
      .div(notional(inst, price, 1))
      .floor()
      .toNumber();
    break;
  }
  return lots;
}

/** Lots resting on the far side up to a limit price: whether a fill-or-kill order can fill. */
export function fillableLots(market: SimMarket, buy: boolean, price: number): number {
  let lots = 0;
  for (const [level, size] of market.engine.depth(buy ? 'sell' : 'buy', 1000)) {
    if (buy ? level > price : level < price) break;
    lots += size;
  }
  return lots;
}

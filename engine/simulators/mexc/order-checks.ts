import type { Decimal } from '../../core/decimal.ts';
import { belowMinNotional, notional } from '../../core/instrument.ts';
import { plainDecimal } from '../bybit/order-checks.ts';
import type { MexcSymbol } from './orders.ts';
import type { Reply } from './wire.ts';
import { badParam, fail } from './wire.ts';

/** A parsed value or the reply that refuses it. */
export type Checked<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reply: Reply };

export function accept<T>(value: T): Checked<T> {
  return { ok: true, value };
}

export function refuse<T>(reply: Reply): Checked<T> {
  return { ok: false, reply };
}

/**
 * A price or size with more decimals than the symbol's precision. The doc's code table has no
 * precision code: 30002/30003 are volume bounds and 700008 is for characters that are not allowed at
 * all, so the refusal is the table's generic parameter error, 33333, naming the field and the
 * precision it exceeds.
 */
export function tooPrecise(name: string, decimals: number): Reply {
  return fail(33333, `Parameter error: ${name} has more than ${decimals} decimal places.`);
}

/** A positive plain decimal of at most `decimals` decimals, as whole units of 10^-decimals. */
export function parseScaled(text: string | undefined, decimals: number, name: string): Checked<number> {
  const d = plainDecimal(text);
  if (d === undefined || d.isZero()) return refuse(badParam(name));
  if (d.decimalPlaces() > decimals) return refuse(tooPrecise(name, decimals));
  const units = d.mul(10 ** decimals).toNumber();
  return Number.isSafeInteger(units) ? accept(units) : refuse(badParam(name, 'is out of range'));
}

/** Below the minimum quantity (`baseSizePrecision`): 30002, in the venue's words. */
export function belowMinQty(symbol: MexcSymbol): Reply {
  const inst = symbol.market.instrument;
  return fail(30002, `The minimum transaction volume cannot be less than:${inst.spec.minSize}${inst.base}`);
}

/** Below the minimum value (`quoteAmountPrecision`): 30002 (B5's real message). */
export function belowMinValue(symbol: MexcSymbol): Reply {
  const inst = symbol.market.instrument;
  return fail(
    30002,
    `The minimum transaction volume cannot be less than:${inst.spec.minNotional}${inst.quote}`,
  );
}

export function aboveMaxValue(symbol: MexcSymbol): Reply {
  return fail(
    30003,
    `The maximum transaction volume cannot be greater than:${symbol.listing.maxQuoteAmount}${symbol.market.instrument.quote}`,
  );
}

/** The size checks of a priced order: minimum quantity, then minimum and maximum value. */
export function checkLimitSize(symbol: MexcSymbol, price: number, lots: number): Reply | undefined {
  const inst = symbol.market.instrument;
  if (lots < inst.minLots) return belowMinQty(symbol);
  if (belowMinNotional(inst, price, lots)) return belowMinValue(symbol);
  if (notional(inst, price, lots).gt(symbol.listing.maxQuoteAmount)) return aboveMaxValue(symbol);
  return undefined;
}

/** What `lots` cost walking the far side of the book from the best level (a market order's notional). */
export function walkCost(symbol: MexcSymbol, buy: boolean, lots: number): { lots: number; cost: Decimal } {
  const inst = symbol.market.instrument;
  let left = lots;
  let cost = inst.unitNotional.mul(0);
  for (const [price, size] of symbol.market.engine.depth(buy ? 'sell' : 'buy', 5000)) {
    const take = Math.min(left, size);
    cost = cost.plus(notional(inst, price, take));
    left -= take;
    if (left === 0) break;
  }
  return { lots: lots - left, cost };
}

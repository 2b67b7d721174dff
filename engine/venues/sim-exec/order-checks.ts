import type { Instrument } from '../../core/instrument.ts';
import { belowMinNotional } from '../../core/instrument.ts';
import type { AmendRequest, PlaceRequest, VenueRejectCode } from '../venue.ts';
import type { ExecOrder } from './exec-order.ts';

export interface Refusal {
  ok: false;
  code: VenueRejectCode;
  message: string;
}

export function refuse(code: VenueRejectCode, message: string): Refusal {
  return { ok: false, code, message };
}

/** A positive whole number (of ticks or lots): anything else is off the grid. */
export function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0;
}

/**
 * The checks a venue makes on a new order before it looks at the book or the balance: a well-formed
 * request, a price and size on the instrument's grid, the minimum size and notional. Checked as plain
 * values, since a request may come from untyped code. Null when the order passes.
 */
export function checkPlace(inst: Instrument, req: PlaceRequest): Refusal | null {
  if (typeof req.clientId !== 'string' || req.clientId.length === 0 || req.clientId.length > 64)
    return refuse('invalid_order', 'clientId must be a non-empty string of at most 64 characters');
  const raw: Readonly<Record<'side' | 'type' | 'timeInForce', unknown>> = req;
  if (raw.side !== 'buy' && raw.side !== 'sell') return refuse('invalid_order', 'side must be buy or sell');
  if (raw.type !== 'limit' && raw.type !== 'market')
    return refuse('invalid_order', 'order type must be limit or market');
  if (raw.timeInForce !== 'gtc' && raw.timeInForce !== 'ioc' && raw.timeInForce !== 'post_only')
    return refuse('invalid_order', 'unknown time in force');
  if (!isCount(req.size)) return refuse('invalid_order', 'size must be a positive whole number of lots');
  if (req.size < inst.minLots) return refuse('invalid_order', `size below the minimum ${inst.minLots} lots`);
  if (req.type === 'market') {
    if (req.price !== undefined) return refuse('invalid_order', 'a market order takes no price');
    if (req.timeInForce === 'post_only') return refuse('invalid_order', 'a market order cannot be post-only');
    return null;
  }
  if (!isCount(req.price))
    return refuse('invalid_order', 'a limit order needs a positive whole number of ticks');
  if (belowMinNotional(inst, req.price, req.size))
    return refuse('invalid_order', `notional below the minimum ${inst.minNotional.toFixed()}`);
  return null;
}

/** The same checks for an amend of a resting order, on the price and size it would have. */
export function checkAmend(inst: Instrument, order: ExecOrder, req: AmendRequest): Refusal | null {
  if (req.price !== undefined && !isCount(req.price))
    return refuse('invalid_order', 'price must be a positive whole number of ticks');
  if (req.size !== undefined && !isCount(req.size))
    return refuse('invalid_order', 'size must be a positive whole number of lots');
  const price = req.price ?? order.price;
  const size = req.size ?? order.size;
  // An amend down to the filled size finishes the order; only a size left to work must be tradable.
  if (size > order.filled) {
    if (size < inst.minLots) return refuse('invalid_order', `size below the minimum ${inst.minLots} lots`);
    if (belowMinNotional(inst, price, size))
      return refuse('invalid_order', `notional below the minimum ${inst.minNotional.toFixed()}`);
  }
  return null;
}

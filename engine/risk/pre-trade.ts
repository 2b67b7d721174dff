import { Decimal } from '../core/decimal.ts';
import { formatPrice, formatSize, type Instrument, type Side } from '../core/instrument.ts';
import type { RiskLimits } from './limits.ts';
import type { RateThrottle } from './throttle.ts';
import type { GateState } from './trading-state.ts';

export interface OrderCandidate {
  side: Side;
  /** Limit price in ticks; absent for a market order (checked against the mid instead). */
  price?: number;
  lots: number;
}

export interface RiskContext {
  state: GateState;
  positionLots: number;
  workingBuyLots: number;
  workingSellLots: number;
  openOrders: number;
  /** Mid in ticks, undefined when the book has no two sides. */
  mid: number | undefined;
  /** Lots of exposure the account-level position limit leaves this instrument (Infinity: no bound). */
  accountRoomLots: number;
  now: number;
}

export type RiskCheck =
  | 'trading_state'
  | 'order_size'
  | 'lot_size'
  | 'min_notional'
  | 'order_notional'
  | 'position'
  | 'price_band'
  | 'open_orders'
  | 'order_rate';

export type RiskDecision = { ok: true } | { ok: false; check: RiskCheck; message: string };

const OK: RiskDecision = { ok: true };

const boundsCache = new WeakMap<RiskLimits, WeakMap<Instrument, { min: number; max: number }>>();

let lastBounds: { inst: Instrument; limits: RiskLimits; min: number; max: number } | undefined;

/**
 * The notional bounds as whole tick × lot units: the smallest count whose notional reaches the venue
 * minimum, and the largest whose notional stays within the limit. Exact (Decimal), computed once.
 */
function notionalBounds(inst: Instrument, limits: RiskLimits): { min: number; max: number } {
  // Every order of a session asks for the same pair: answered without the two WeakMap lookups.
  if (lastBounds !== undefined && lastBounds.inst === inst && lastBounds.limits === limits) return lastBounds;
  let byInst = boundsCache.get(limits);
  if (!byInst) {
    byInst = new WeakMap();
    boundsCache.set(limits, byInst);
  }
  let b = byInst.get(inst);
  if (!b) {
    const unit = inst.tickSize.mul(inst.lotSize);
    b = {
      min: inst.minNotional.div(unit).ceil().toNumber(),
      max: limits.maxOrderNotional.div(unit).floor().toNumber(),
    };
    byInst.set(inst, b);
  }
  lastBounds = { inst, limits, min: b.min, max: b.max };
  return b;
}

/**
 * Pre-trade checks, in order from cheapest to costliest; the first failure is the answer. Passing
 * orders allocate nothing. `throttle` is consumed only when every other check passed.
 */
export function checkOrder(
  inst: Instrument,
  limits: RiskLimits,
  throttle: RateThrottle,
  order: OrderCandidate,
  ctx: RiskContext,
): RiskDecision {
  // Reduces only if it and the working orders on its side together stay within the position: two
  // sells that each fit a long could otherwise together flip it short.
  const reduces =
    (order.side === 'sell' && ctx.positionLots > 0 && order.lots + ctx.workingSellLots <= ctx.positionLots) ||
    (order.side === 'buy' && ctx.positionLots < 0 && order.lots + ctx.workingBuyLots <= -ctx.positionLots);
  if (ctx.state === 'halted') return { ok: false, check: 'trading_state', message: 'trading is halted' };
  if (ctx.state === 'reconciling') {
    return {
      ok: false,
      check: 'trading_state',
      message: 'reconciling with the venue: new orders wait until it is done',
    };
  }
  if (ctx.state === 'reducing' && !reduces) {
    return {
      ok: false,
      check: 'trading_state',
      message: 'trading is reducing: only orders that reduce the position',
    };
  }
  if (!Number.isSafeInteger(order.lots) || order.lots < inst.minLots) {
    return {
      ok: false,
      check: 'lot_size',
      message: `size must be a multiple of ${inst.spec.lotSize} ${inst.base}, at least ${formatSize(inst, inst.minLots)} ${inst.base}`,
    };
  }
  if (order.lots > limits.maxOrderLots) {
    return {
      ok: false,
      check: 'order_size',
      message: `order of ${formatSize(inst, order.lots)} ${inst.base} exceeds the ${formatSize(inst, limits.maxOrderLots)} ${inst.base} limit`,
    };
  }
  if (ctx.openOrders >= limits.maxOpenOrders) {
    return {
      ok: false,
      check: 'open_orders',
      message: `${ctx.openOrders} orders open, the limit is ${limits.maxOpenOrders}`,
    };
  }
  const refPrice = order.price ?? ctx.mid;
  if (refPrice === undefined)
    return { ok: false, check: 'price_band', message: 'no mid price to check a market order against' };
  const band = (p: number) => `${formatPrice(inst, Math.round(p))} ${inst.quote}`;
  if (order.price !== undefined) {
    if (ctx.mid === undefined) {
      if (!reduces)
        return { ok: false, check: 'price_band', message: 'no mid price: only reducing orders are allowed' };
    } else if (Math.abs(order.price - ctx.mid) > ctx.mid * limits.priceBand) {
      return {
        ok: false,
        check: 'price_band',
        message: `price ${band(order.price)} is more than ${new Decimal(limits.priceBand).mul(100).toFixed()}% away from the mid ${band(ctx.mid)}`,
      };
    }
  }
  // Notional in units of tick × lot: an exact integer, compared with bounds converted once per limit set.
  const units = Math.ceil(refPrice) * order.lots;
  const bounds = notionalBounds(inst, limits);
  if (units < bounds.min || units > bounds.max) {
    const notional = inst.tickSize.mul(Math.ceil(refPrice)).mul(inst.lotSize.mul(order.lots));
    return units < bounds.min
      ? {
          ok: false,
          check: 'min_notional',
          message: `notional ${notional.toFixed()} ${inst.quote} is below the venue minimum ${inst.minNotional.toFixed()} ${inst.quote}`,
        }
      : {
          ok: false,
          check: 'order_notional',
          message: `notional ${notional.toFixed()} ${inst.quote} exceeds the ${limits.maxOrderNotional.toFixed()} ${inst.quote} limit`,
        };
  }
  const exposure =
    order.side === 'buy'
      ? ctx.positionLots + ctx.workingBuyLots + order.lots
      : -(ctx.positionLots - ctx.workingSellLots - order.lots);
  // The account's limit across instruments may leave this one less room than its own limit.
  const maxLots = ctx.accountRoomLots < limits.maxPositionLots ? ctx.accountRoomLots : limits.maxPositionLots;
  if (exposure > maxLots) {
    return {
      ok: false,
      check: 'position',
      message: `position with working orders would reach ${formatSize(inst, exposure)} ${inst.base}, the limit is ${formatSize(inst, maxLots)} ${inst.base}`,
    };
  }
  if (!throttle.tryTake(ctx.now)) {
    return {
      ok: false,
      check: 'order_rate',
      message: `more than ${throttle.count} orders in ${throttle.windowMs} ms`,
    };
  }
  return OK;
}

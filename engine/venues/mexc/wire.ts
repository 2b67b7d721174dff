import { EngineError } from '../../core/errors.ts';
import type { Side } from '../../core/instrument.ts';
import type { OrderType, TimeInForce, VenueOrderStatus } from '../venue.ts';

/**
 * MEXC spot's enums as the REST API prints them (strings) and as the protobuf pushes carry them
 * (integers), mapped to the engine's (exchange-apis.md B8). Shared by the adapter, which reads them,
 * and the simulator, which writes them, so the two cannot drift apart.
 */

export type MexcSide = 'BUY' | 'SELL';
/** v3 has no time-in-force input: post-only, IOC and FOK are order types. */
export type MexcOrderType = 'LIMIT' | 'MARKET' | 'LIMIT_MAKER' | 'IMMEDIATE_OR_CANCEL' | 'FILL_OR_KILL';
export type MexcOrderStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'PARTIALLY_CANCELED';

export const MEXC_ORDER_TYPES: readonly MexcOrderType[] = [
  'LIMIT',
  'MARKET',
  'LIMIT_MAKER',
  'IMMEDIATE_OR_CANCEL',
  'FILL_OR_KILL',
];
export const MEXC_ORDER_STATUSES: readonly MexcOrderStatus[] = [
  'NEW',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELED',
  'PARTIALLY_CANCELED',
];

export function sideToMexc(side: Side): MexcSide {
  return side === 'buy' ? 'BUY' : 'SELL';
}

export function sideFromMexc(side: string): Side {
  if (side === 'BUY') return 'buy';
  if (side === 'SELL') return 'sell';
  throw new EngineError('invalid_input', `MEXC side must be BUY or SELL, got ${JSON.stringify(side)}`);
}

/** The order type that carries an engine order's type and time in force. */
export function orderTypeToMexc(type: OrderType, tif: TimeInForce): MexcOrderType {
  if (type === 'market') return 'MARKET';
  if (tif === 'post_only') return 'LIMIT_MAKER';
  if (tif === 'ioc') return 'IMMEDIATE_OR_CANCEL';
  return 'LIMIT';
}

/** A MEXC order type as the engine's type and time in force (FOK is taken as IOC: it never rests). */
export function orderTypeFromMexc(type: string): { type: OrderType; tif: TimeInForce } {
  switch (type) {
    case 'LIMIT':
      return { type: 'limit', tif: 'gtc' };
    case 'LIMIT_MAKER':
      return { type: 'limit', tif: 'post_only' };
    case 'IMMEDIATE_OR_CANCEL':
    case 'FILL_OR_KILL':
      return { type: 'limit', tif: 'ioc' };
    case 'MARKET':
      return { type: 'market', tif: 'ioc' };
    default:
      throw new EngineError('invalid_input', `unknown MEXC order type ${JSON.stringify(type)}`);
  }
}

/** REST order status as the engine's; a partly filled order that was cancelled is cancelled. */
export function statusFromMexc(status: string): VenueOrderStatus {
  switch (status) {
    case 'NEW':
      return 'new';
    case 'PARTIALLY_FILLED':
      return 'partially_filled';
    case 'FILLED':
      return 'filled';
    case 'CANCELED':
    case 'PARTIALLY_CANCELED':
      return 'cancelled';
    default:
      throw new EngineError('invalid_input', `unknown MEXC order status ${JSON.stringify(status)}`);
  }
}

/** Push (`spot@private.orders`) integers: status 1 new, 2 filled, 3 partially filled, 4 cancelled, 5 partially cancelled. */
export const PUSH_STATUS: Readonly<Record<MexcOrderStatus, number>> = {
  NEW: 1,
  FILLED: 2,
  PARTIALLY_FILLED: 3,
  CANCELED: 4,
  PARTIALLY_CANCELED: 5,
};

export function statusFromPush(status: number): MexcOrderStatus {
  for (const s of MEXC_ORDER_STATUSES) if (PUSH_STATUS[s] === status) return s;
  throw new EngineError('invalid_input', `unknown MEXC order push status ${status}`);
}

/** Push order types: 1 limit, 2 post only, 3 IOC, 4 FOK, 5 market. */
export const PUSH_ORDER_TYPE: Readonly<Record<MexcOrderType, number>> = {
  LIMIT: 1,
  LIMIT_MAKER: 2,
  IMMEDIATE_OR_CANCEL: 3,
  FILL_OR_KILL: 4,
  MARKET: 5,
};

export function orderTypeFromPush(type: number): MexcOrderType {
  for (const t of MEXC_ORDER_TYPES) if (PUSH_ORDER_TYPE[t] === type) return t;
  throw new EngineError('invalid_input', `unknown MEXC order push type ${type}`);
}

/** Push trade type: 1 buy, 2 sell. */
export function sideFromPush(tradeType: number): Side {
  if (tradeType === 1) return 'buy';
  if (tradeType === 2) return 'sell';
  throw new EngineError('invalid_input', `MEXC trade type must be 1 or 2, got ${tradeType}`);
}

export function sideToPush(side: Side): number {
  return side === 'buy' ? 1 : 2;
}

/**
 * The update sequence of an order's state. MEXC numbers neither its order pushes nor its REST order
 * records, so the sequence is built from what only grows in an order's life: the filled lots, then
 * the end. Every later state of an order ranks higher than every earlier one, a repeated push ranks
 * the same (and is dropped as stale), and a REST listing and a push of the same state agree.
 */
export function orderUpdateSeq(filledLots: number, status: VenueOrderStatus): number {
  const final =
    status === 'filled' || status === 'cancelled' || status === 'rejected' || status === 'expired';
  return filledLots * 2 + (final ? 2 : 1);
}

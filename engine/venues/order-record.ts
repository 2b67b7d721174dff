import type { Lots, Side, Ticks } from '../core/instrument.ts';
import type { OrderType, OrderUpdate, TimeInForce, VenueOrderStatus } from './venue.ts';

/** What a simulated venue records of one of our orders, as far as an order update reports it. */
export interface SimulatedOrderRecord {
  readonly symbol: string;
  readonly clientId: string;
  readonly venueOrderId: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  /** Limit price in ticks (ignored for a market order). */
  readonly price: number;
  readonly size: number;
  readonly filled: number;
  readonly status: VenueOrderStatus;
  readonly updateSeq: number;
  readonly reason: OrderUpdate['reason'];
}

/** The venue's view of an order now, as the execution stream and openOrders report it. */
export function orderUpdateOf(rec: SimulatedOrderRecord, ts: number): OrderUpdate {
  // Every update has the same fields in the same order (absent ones undefined): one object shape,
  // so the code that reads them on every event stays monomorphic.
  return {
    type: 'order',
    symbol: rec.symbol,
    clientId: rec.clientId,
    venueOrderId: rec.venueOrderId,
    side: rec.side,
    orderType: rec.orderType,
    timeInForce: rec.timeInForce,
    status: rec.status,
    price: rec.orderType === 'limit' ? (rec.price as Ticks) : undefined,
    size: rec.size as Lots,
    filled: rec.filled as Lots,
    ts,
    updateSeq: rec.updateSeq,
    reason: rec.reason,
  };
}

import type { Side } from '../../core/instrument.ts';
import type { OrderType, OrderUpdate, TimeInForce, VenueOrderStatus } from '../venue.ts';
import type { QueuePlace } from './queue-model.ts';

/** One order of ours as the simulated venue records it. */
export interface ExecOrder {
  readonly symbol: string;
  readonly clientId: string;
  readonly venueOrderId: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  /** Limit price in ticks; 0 for a market order. */
  price: number;
  /** Total size in lots. */
  size: number;
  filled: number;
  status: VenueOrderStatus;
  reason: OrderUpdate['reason'];
  updateSeq: number;
  /** Reserved for the unfilled part, in wallet atoms of its lock asset (limit orders only). */
  locked: bigint;
  /** Its place in the public queue while it rests; null otherwise. */
  place: QueuePlace | null;
  /** Order of arrival at its price level (our earlier orders at one price are ahead of later ones). */
  joinSeq: number;
  /** Changed by the operation in progress; its state goes out once, when the operation ends. */
  changed: boolean;
}

export function leaves(order: ExecOrder): number {
  return order.size - order.filled;
}

export function isLive(order: ExecOrder): boolean {
  return order.status === 'new' || order.status === 'partially_filled';
}

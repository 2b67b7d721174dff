import type { Clock } from '../core/clock.ts';
import type { ClientIdFactory } from '../core/ids.ts';
import type { Lots, Side, Ticks } from '../core/instrument.ts';
import type { Execution, Fill, OrderType, OrderUpdate, TimeInForce, VenueResult } from '../venues/venue.ts';
import type { Order, OrderOrigin, OrderStatus } from './order.ts';

// What the OMS takes and gives: its requests, the gate it asks, the events it emits, its options.

export interface OrderRequest {
  side: Side;
  type: OrderType;
  tif: TimeInForce;
  price?: Ticks;
  size: Lots;
  origin: OrderOrigin;
  level?: number;
  /** The quote decision asking for it (model orders). */
  decision?: number;
}

/** The pre-trade gate: risk checks injected from above (the OMS sits below the risk layer). */
export type OrderGate = (req: OrderRequest) => { ok: true } | { ok: false; check: string; message: string };

export type OmsEvent =
  | { kind: 'order'; order: Readonly<Order> }
  | { kind: 'fill'; fill: Fill; order: Readonly<Order> | undefined }
  | { kind: 'unknown'; update: OrderUpdate }
  | { kind: 'illegal'; order: Readonly<Order>; to: OrderStatus };

export type SubmitResult = { ok: true; clientId: string } | { ok: false; code: string; message: string };

export interface OrderManagerOptions {
  clock: Clock;
  venue: Execution;
  symbol: string;
  ids: ClientIdFactory;
  gate: OrderGate;
  /** Receives every OMS event synchronously, in order. */
  emit: (event: OmsEvent) => void;
  /** Requests in flight at most; more are refused until answers arrive. */
  maxInFlight?: number;
  /** Recent terminal orders kept for lookups (bounded). */
  recentCapacity?: number;
  /** Admits and counts every venue call (the circuit breaker). */
  breaker?: CallGuard;
  /**
   * A request unanswered for this long leaves its order's state unknown: the order is flagged for
   * reconciliation and its slot in flight is freed (checked by `expire`, on the node's guard tick).
   */
  requestTimeoutMs?: number;
  /** Called once each time an order's state becomes unknown; reconciliation settles it. */
  onUnknownState?: (order: Readonly<Order>) => void;
}

/** What the OMS needs of a circuit breaker. */
export interface CallGuard {
  /** null to go ahead with a call (then `record` its answer), or the refusal to answer with instead. */
  admit(): { ok: false; code: 'venue_unavailable'; message: string } | null;
  record(result: VenueResult<unknown>): void;
}

import type { Lots, Side, Ticks } from '../core/instrument.ts';
import type { OrderType, TimeInForce, VenueOrderStatus } from '../venues/venue.ts';

export type OrderStatus =
  | 'pending-new'
  | 'new'
  | 'partially-filled'
  | 'filled'
  | 'pending-amend'
  | 'pending-cancel'
  | 'cancelled'
  | 'rejected'
  | 'expired';

/** Who wanted the order; `external` is one the venue had that we adopted at reconciliation. */
export type OrderOrigin = 'model' | 'manual' | 'flatten' | 'external';

export interface Order {
  readonly clientId: string;
  venueOrderId: string | null;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  price: Ticks | undefined;
  size: Lots;
  /** Cumulative filled size: the larger of the venue's last report and the fills seen (both cumulative). */
  filled: Lots;
  /** Sum of the fills seen for this order, so filled lots leave the working total as soon as a fill arrives. */
  fillLots: number;
  status: OrderStatus;
  readonly origin: OrderOrigin;
  /** Quote level (0 = best) for model orders, null for others. */
  readonly level: number | null;
  /**
   * The quote decision that set the order's current price and size (the desk's decision sequence):
   * the one that placed it, then the one whose amend the venue confirmed. Null for orders not the model's.
   */
  decision: number | null;
  readonly createdAt: number;
  updatedAt: number;
  /** Last venue update applied; older or repeated ones are ignored. */
  lastUpdateSeq: number;
  /** Target of an amend in flight, and the state to return to if the venue refuses it. */
  pendingAmend: {
    price: Ticks | undefined;
    size: Lots;
    revertTo: OrderStatus;
    decision: number | null;
  } | null;
  /** The state to return to if the venue refuses the cancel in flight. */
  cancelRevertTo: OrderStatus | null;
  /**
   * Pending cancel that the venue has not taken: refused as unknown (its create had not reached the
   * venue yet, over another path), lost with the link, or a cancel-all sent while the create was still
   * in flight. Once the venue shows the order open with nothing of ours in flight, the cancel goes again.
   */
  cancelUnconfirmed: boolean;
  /** Cancels sent for the current pending cancel (the first included). */
  cancelTries: number;
  reason: string | null;
  /** The venue's answer is unknown (a call failed or timed out): the next reconciliation settles this order. */
  needsReconcile: boolean;
  /** Requests of this order still waiting for their answer (0 once answered or timed out). */
  awaiting?: number;
  /** Engine time the last request of this order went out. */
  sentAt?: number;
}

export function isTerminal(s: OrderStatus): boolean {
  // Compared, not looked up: this runs on every order event, where a Set or a keyed table costs a
  // hash lookup or a megamorphic property access.
  return s === 'filled' || s === 'cancelled' || s === 'rejected' || s === 'expired';
}

/** Orders that rest or may rest at the venue. */
export function isWorking(s: OrderStatus): boolean {
  return !isTerminal(s);
}

const STATUSES: readonly OrderStatus[] = [
  'pending-new',
  'new',
  'partially-filled',
  'pending-amend',
  'pending-cancel',
  'filled',
  'cancelled',
  'rejected',
  'expired',
];

function indexOfStatus(s: OrderStatus): number {
  switch (s) {
    case 'pending-new':
      return 0;
    case 'new':
      return 1;
    case 'partially-filled':
      return 2;
    case 'pending-amend':
      return 3;
    case 'pending-cancel':
      return 4;
    case 'filled':
      return 5;
    case 'cancelled':
      return 6;
    case 'rejected':
      return 7;
    case 'expired':
      return 8;
  }
}

/**
 * Legal transitions. Venue truth may skip states (a pending-new order can arrive filled), so every
 * non-terminal state may go to any terminal one; terminal states are final. A change to the same
 * state is handled in canTransition.
 */
const NEXT: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  'pending-new': ['new', 'partially-filled', 'pending-cancel', 'filled', 'cancelled', 'rejected', 'expired'],
  new: ['partially-filled', 'pending-amend', 'pending-cancel', 'filled', 'cancelled', 'expired', 'rejected'],
  'partially-filled': [
    'partially-filled',
    'pending-amend',
    'pending-cancel',
    'filled',
    'cancelled',
    'expired',
  ],
  'pending-amend': [
    'new',
    'partially-filled',
    'pending-cancel',
    'filled',
    'cancelled',
    'expired',
    'rejected',
  ],
  'pending-cancel': [
    'pending-cancel',
    'new',
    'partially-filled',
    'filled',
    'cancelled',
    'expired',
    'rejected',
  ],
  filled: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

/** NEXT as one bit mask per state, indexed by indexOfStatus. */
const NEXT_MASK: readonly number[] = STATUSES.map((from) =>
  NEXT[from].reduce((mask, to) => mask | (1 << indexOfStatus(to)), 0),
);

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  if (from === to) return !isTerminal(from);
  return (NEXT_MASK[indexOfStatus(from)]! & (1 << indexOfStatus(to))) !== 0;
}

/** The OMS state a venue status maps to. */
export function fromVenueStatus(s: VenueOrderStatus): OrderStatus {
  switch (s) {
    case 'new':
      return 'new';
    case 'partially_filled':
      return 'partially-filled';
    case 'filled':
      return 'filled';
    case 'cancelled':
      return 'cancelled';
    case 'rejected':
      return 'rejected';
    case 'expired':
      return 'expired';
  }
}

import type { Side } from '../../core/instrument.ts';
import type { PriceLevel } from './book-side.ts';

export type SimTimeInForce = 'gtc' | 'ioc' | 'post_only';
export type SimOrderType = 'limit' | 'market';
export type SimDoneStatus = 'filled' | 'cancelled';
/** Why an order left the book; `null` when it simply filled (or was amended down to its filled size). */
export type SimDoneReason =
  'user' | 'disconnect' | 'ioc_unfilled' | 'self_trade' | 'insufficient_funds' | 'no_liquidity' | null;
export type SimRejectCode = 'insufficient_funds' | 'post_only_would_take' | 'unknown_order';

/**
 * What a listener may read of an order. The object is pooled: it is valid only during the callback
 * that received it (copy what you need), and its fields describe the order after the change.
 */
export interface SimOrderView {
  readonly id: number;
  readonly owner: number;
  readonly side: Side;
  readonly type: SimOrderType;
  readonly tif: SimTimeInForce;
  /** Limit price in ticks; 0 for a market order. */
  readonly price: number;
  /** Total size in lots. */
  readonly size: number;
  /** Cumulative filled lots. */
  readonly filled: number;
  /** The caller's tag given at submit (e.g. the venue's order record). */
  readonly ref: unknown;
}

/**
 * Receives everything the engine does, synchronously, in the order it happens. A listener must not
 * call back into the engine (the engine throws if re-entered): queue the work instead.
 */
export interface SimEngineListener {
  /** An order passed the checks; called before it matches anything. */
  onAccept(order: SimOrderView): void;
  /** A resting order was amended; called before it matches anything at its new price. */
  onAmend(order: SimOrderView): void;
  /** One execution. Both orders already show the fill; balances are already settled. */
  onFill(maker: SimOrderView, taker: SimOrderView, price: number, lots: number): void;
  /** The order is finished (filled, or cancelled with a reason) and leaves the engine. */
  onDone(order: SimOrderView, status: SimDoneStatus, reason: SimDoneReason): void;
}

export const NOOP_LISTENER: SimEngineListener = {
  onAccept() {},
  onAmend() {},
  onFill() {},
  onDone() {},
};

/** The engine's own order record, pooled and reused; listeners see it as a SimOrderView. */
export class SimOrder implements SimOrderView {
  id = 0;
  owner = 0;
  side: Side = 'buy';
  type: SimOrderType = 'limit';
  tif: SimTimeInForce = 'gtc';
  price = 0;
  size = 0;
  filled = 0;
  ref: unknown = null;
  funded = false;
  /** Funds reserved for the unfilled part, in ledger atoms: quote for a buy, base for a sell (funded owners only). */
  locked = 0n;
  prev: SimOrder | null = null;
  next: SimOrder | null = null;
  level: PriceLevel | null = null;
}

export function copyView(o: SimOrder): SimOrderView {
  return {
    id: o.id,
    owner: o.owner,
    side: o.side,
    type: o.type,
    tif: o.tif,
    price: o.price,
    size: o.size,
    filled: o.filled,
    ref: o.ref,
  };
}

import type { InstrumentSpec, Lots, Side, Ticks } from '../core/instrument.ts';
import type { BookMessage, Trade } from '../market/types.ts';

/**
 * The one surface every venue implements: the embedded simulator, paper trading, replay, Bybit v5
 * and MEXC spot. Adapters convert wire strings to ticks and lots at their edge (with the instrument)
 * and back, so nothing above this interface sees a venue's text format.
 *
 * Ordering contract:
 * - Request methods resolve with the venue's synchronous answer (accepted with its order id, or a
 *   reject). The order's life afterwards (new, fills, cancels) arrives on the execution stream, which
 *   may deliver an update before the request's promise resolves: consumers must accept either order.
 * - The execution stream may repeat an update (after a reconnect) or deliver one late: consumers
 *   deduplicate fills by `execId` and order states by (`clientId`, `updateSeq`).
 * - Request methods never throw for venue-side failures; they resolve with `{ ok: false }`. A thrown
 *   error means a bug or a transport failure, which the circuit breaker counts.
 */
/** Receives the answer to an order request sent through CallbackOrders, with the tag it was sent with. */
export type Answer<T> = (result: VenueResult<T>, tag: unknown) => void;

/**
 * Order requests answered by calling `answer(result, tag)` exactly once, always later than the call
 * (never from inside it), with the same results and ordering contract as the Promise methods.
 * A request that cannot be sent is answered `venue_unavailable`; these methods do not throw.
 */
export interface CallbackOrders {
  place(request: PlaceRequest, answer: Answer<OrderAck>, tag: unknown): void;
  amend(request: AmendRequest, answer: Answer<OrderAck>, tag: unknown): void;
  cancel(request: CancelRequest, answer: Answer<OrderAck>, tag: unknown): void;
}

/** A link to a venue that can drop and come back; market data and execution each have one. */
export interface VenueConnection {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  connectionState(): ConnectionState;
  /**
   * Every change of the link. After a drop the venue goes `reconnecting` (or `disconnected`) and then
   * `connected` again; whatever was missed in between is for reconciliation to recover.
   */
  onConnection(listener: (state: ConnectionState) => void): Unsubscribe;
}

/**
 * Public market data: instruments, books and trades. Paper trading and backtests take this side from
 * a real feed or a recording and put simulated execution behind it.
 */
export interface MarketData extends VenueConnection {
  /** Instruments the venue lists, as the venue prints them. */
  instruments(): Promise<InstrumentSpec[]>;

  /** Streams book messages (a snapshot first, then deltas) and public trades for one symbol. */
  subscribeMarket(symbol: string, listener: MarketListener): Unsubscribe;
}

/** Our orders, executions and balances at one venue (real, or simulated against a feed). */
export interface Execution {
  readonly capabilities: VenueCapabilities;

  /** Streams our order updates and fills, for every symbol. */
  onExecution(listener: (event: ExecutionEvent) => void): Unsubscribe;

  /** Funding settlements of perpetual positions, where the venue has them (no order is involved). */
  onFunding?(listener: (payment: FundingPayment) => void): Unsubscribe;

  /**
   * The same three order requests, answered through a callback instead of a Promise (optional; the
   * OMS uses it where a venue offers it). On the order path a Promise, its reactions and the closures
   * around it are most of the garbage of a request.
   */
  readonly callbackOrders?: CallbackOrders;

  placeOrder(request: PlaceRequest): Promise<VenueResult<OrderAck>>;
  /** Only where capabilities.amend; otherwise resolves with a reject of code `unsupported`. */
  amendOrder(request: AmendRequest): Promise<VenueResult<OrderAck>>;
  cancelOrder(request: CancelRequest): Promise<VenueResult<OrderAck>>;
  /** Cancels every open order of ours on the symbol; resolves with how many the venue cancelled. */
  cancelAll(symbol: string): Promise<VenueResult<{ cancelled: number }>>;

  /** Our open orders as the venue sees them now (for reconciliation). */
  openOrders(symbol?: string): Promise<OrderUpdate[]>;
  /** Our executions with venue time ≥ sinceMs, oldest first (for reconciliation). */
  executionsSince(sinceMs: number, symbol?: string): Promise<Fill[]>;
  /** Account balances by asset, as exact decimal strings. */
  balances(): Promise<Balance[]>;

  /**
   * Derivative positions as the venue holds them (for reconciliation): one entry per symbol with an
   * open position, a symbol not listed is flat. Null where the product has no positions (spot).
   */
  positions?(): Promise<VenuePosition[] | null>;
}

export interface VenuePosition {
  readonly symbol: string;
  /** Signed: long > 0, short < 0. */
  readonly lots: Lots;
  /** Average entry price, exact decimal ("0" when flat). */
  readonly avgPrice: string;
}

/** A whole venue: its market data and our execution there, over one connection. */
export interface Venue extends MarketData, Execution {
  /** Stable id, e.g. "sim", "bybit-testnet". */
  readonly id: string;
  readonly kind: VenueKind;
  /** Notices about the link (real venues); the node raises them as alerts. */
  onNotice?(listener: (notice: VenueNotice) => void): Unsubscribe;
  /** Clock offset and request headroom (real venues), for the header. */
  linkInfo?(): VenueLinkInfo;
}

export type VenueKind = 'sim' | 'paper' | 'replay' | 'bybit' | 'mexc';

export interface VenueCapabilities {
  amend: boolean;
  postOnly: boolean;
  ioc: boolean;
  market: boolean;
  cancelAll: boolean;
}

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

export type Unsubscribe = () => void;

export interface MarketListener {
  onBook(message: BookMessage): void;
  onTrade(trade: Trade): void;
  /**
   * A book frame for this symbol could not be used (malformed, off the tick grid): nothing of it was
   * applied, and the venue resubscribes for a fresh snapshot. The book is stale until it arrives.
   */
  onFeedError?(reason: string): void;
}

export type TimeInForce = 'gtc' | 'ioc' | 'post_only';
export type OrderType = 'limit' | 'market';

export interface PlaceRequest {
  symbol: string;
  /** Our id, unique per session, accepted by every venue (see core/ids). */
  clientId: string;
  side: Side;
  type: OrderType;
  timeInForce: TimeInForce;
  /** Required for limit orders; absent for market orders. */
  price?: Ticks;
  size: Lots;
  reduceOnly?: boolean;
}

export interface AmendRequest {
  symbol: string;
  clientId: string;
  /** New price, or absent to keep it. */
  price?: Ticks;
  /** New total size (not remaining), or absent to keep it. */
  size?: Lots;
}

export interface CancelRequest {
  symbol: string;
  clientId: string;
}

export interface OrderAck {
  clientId: string;
  venueOrderId: string;
  /** Venue time of the acknowledgement, ms. */
  ts: number;
}

export type VenueRejectCode =
  | 'insufficient_funds'
  | 'post_only_would_take'
  | 'invalid_order'
  | 'unknown_order'
  | 'duplicate_client_id'
  | 'rate_limited'
  | 'unsupported'
  | 'self_trade'
  | 'no_liquidity'
  | 'venue_unavailable'
  | 'other';

export type VenueResult<T> = { ok: true; value: T } | { ok: false; code: VenueRejectCode; message: string };

export type VenueOrderStatus = 'new' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

/** The venue's view of one order after a change. */
export interface OrderUpdate {
  readonly type: 'order';
  readonly symbol: string;
  readonly clientId: string;
  readonly venueOrderId: string;
  readonly side: Side;
  readonly orderType: OrderType;
  readonly timeInForce: TimeInForce;
  readonly status: VenueOrderStatus;
  /** Absent for market orders. */
  readonly price?: Ticks;
  /** Total size of the order. */
  readonly size: Lots;
  /** Cumulative filled size. */
  readonly filled: Lots;
  /** Venue time of the change, ms. */
  readonly ts: number;
  /** Increases with every change of this order at the venue; used to drop stale or repeated updates. */
  readonly updateSeq: number;
  /** Why the order was rejected, cancelled or expired, where the venue says. */
  readonly reason?: VenueRejectCode | 'user' | 'ioc_unfilled' | 'self_trade' | 'kill' | 'disconnect';
}

/** One execution of ours. `execId` is unique per venue, so a repeated fill is recognised. */
export interface Fill {
  readonly type: 'fill';
  readonly symbol: string;
  readonly execId: string;
  readonly clientId: string;
  readonly venueOrderId: string;
  readonly side: Side;
  readonly price: Ticks;
  readonly size: Lots;
  /** Fee paid as an exact decimal string in `feeAsset` (negative = rebate). */
  readonly fee: string;
  readonly feeAsset: string;
  readonly liquidity: 'maker' | 'taker';
  readonly ts: number;
  /**
   * What caused the fill, where the venue is simulated (real venues leave it undefined), so that a
   * backtest can tell its fills apart (a cross without a trade is a known source of fake fills):
   * - `trade`: a public trade at our price, after the queue ahead of us was consumed;
   * - `trade-through`: a public trade printed through our price (a sell below our bid, a buy above
   *   our ask);
   * - `cross`: the book showed the opposite side at or through our price, with no trade;
   * - `taker`: our order took liquidity on arrival (or on an amend that made it marketable).
   */
  readonly cause?: 'trade' | 'trade-through' | 'cross' | 'taker';
}

/**
 * A funding settlement of a perpetual position (Bybit linear). `execId` is unique per venue like a
 * fill's, so a repeated payment is recognised.
 */
export interface FundingPayment {
  readonly type: 'funding';
  readonly symbol: string;
  readonly execId: string;
  /** Exact decimal in `asset`: positive is paid by us, negative received. */
  readonly amount: string;
  readonly asset: string;
  readonly ts: number;
}

export type ExecutionEvent = OrderUpdate | Fill;

/**
 * Something about the link the trader should hear of: a frame that could not be used, a refused
 * subscription, a protection the venue would not arm. `reconcile` asks the node to reconcile, because
 * an execution-stream frame was lost.
 */
export interface VenueNotice {
  readonly severity: 'info' | 'warning' | 'critical';
  readonly code: string;
  readonly message: string;
  readonly symbol?: string;
  readonly reconcile?: boolean;
}

/** What a real venue's link shows in the header: clock offset and request headroom. */
export interface VenueLinkInfo {
  /** The venue's clock minus ours, ms, as last measured. */
  clockOffsetMs: number;
  /** Requests left in the tightest quota window, and that quota. */
  rateHeadroom: number;
  rateLimit: number;
  /** Disconnect cancel-all is armed at the venue. */
  dcp: boolean;
}

export interface Balance {
  asset: string;
  /** Total, exact decimal string. */
  total: string;
  /** Not locked in orders. */
  free: string;
}

import type { InstrumentSpec } from '../core/instrument.ts';
import type {
  AmendRequest,
  Balance,
  CallbackOrders,
  CancelRequest,
  ConnectionState,
  Execution,
  ExecutionEvent,
  Fill,
  MarketData,
  MarketListener,
  OrderAck,
  OrderUpdate,
  PlaceRequest,
  Unsubscribe,
  Venue,
  VenueCapabilities,
  VenueKind,
  VenueResult,
} from './venue.ts';

export interface ComposeVenueOptions {
  id: string;
  kind: VenueKind;
  market: MarketData;
  execution: Execution;
}

/**
 * One Venue from a MarketData and an Execution: paper trading (a real venue's feed and simulated
 * execution), a backtest (a recording and simulated execution), or any other pairing.
 *
 * The connection is the market data's: connect, disconnect, the state and its listeners all go to
 * `market`. An Execution has no connection of its own in this interface; simulated execution follows
 * its feed's state (it refuses orders while the feed is down), and one whose link could drop on its
 * own would have to surface that through its answers. Everything else is forwarded unchanged, so the
 * ordering and deduplication guarantees of venue.ts are exactly those of the two parts.
 */
export function composeVenue(options: ComposeVenueOptions): Venue {
  return new ComposedVenue(options);
}

class ComposedVenue implements Venue {
  readonly id: string;
  readonly kind: VenueKind;
  readonly capabilities: VenueCapabilities;
  readonly callbackOrders: CallbackOrders | undefined;
  private readonly market: MarketData;
  private readonly execution: Execution;

  constructor(options: ComposeVenueOptions) {
    this.id = options.id;
    this.kind = options.kind;
    this.market = options.market;
    this.execution = options.execution;
    this.capabilities = options.execution.capabilities;
    this.callbackOrders = options.execution.callbackOrders;
  }

  connect(): Promise<void> {
    return this.market.connect();
  }

  disconnect(): Promise<void> {
    return this.market.disconnect();
  }

  connectionState(): ConnectionState {
    return this.market.connectionState();
  }

  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.market.onConnection(listener);
  }

  instruments(): Promise<InstrumentSpec[]> {
    return this.market.instruments();
  }

  subscribeMarket(symbol: string, listener: MarketListener): Unsubscribe {
    return this.market.subscribeMarket(symbol, listener);
  }

  onExecution(listener: (event: ExecutionEvent) => void): Unsubscribe {
    return this.execution.onExecution(listener);
  }

  placeOrder(request: PlaceRequest): Promise<VenueResult<OrderAck>> {
    return this.execution.placeOrder(request);
  }

  amendOrder(request: AmendRequest): Promise<VenueResult<OrderAck>> {
    return this.execution.amendOrder(request);
  }

  cancelOrder(request: CancelRequest): Promise<VenueResult<OrderAck>> {
    return this.execution.cancelOrder(request);
  }

  cancelAll(symbol: string): Promise<VenueResult<{ cancelled: number }>> {
    return this.execution.cancelAll(symbol);
  }

  openOrders(symbol?: string): Promise<OrderUpdate[]> {
    return this.execution.openOrders(symbol);
  }

  executionsSince(sinceMs: number, symbol?: string): Promise<Fill[]> {
    return this.execution.executionsSince(sinceMs, symbol);
  }

  balances(): Promise<Balance[]> {
    return this.execution.balances();
  }
}

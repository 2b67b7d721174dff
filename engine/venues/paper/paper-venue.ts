import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import type { InstrumentSpec } from '../../core/instrument.ts';
import { composeVenue } from '../compose.ts';
import type { QueueModel } from '../sim-exec/queue-model.ts';
import { RiskAverseQueueModel } from '../sim-exec/queue-model.ts';
import { SimulatedExecution, type ConstantLatency } from '../sim-exec/simulated-execution.ts';
import type {
  AmendRequest,
  Answer,
  Balance,
  CallbackOrders,
  CancelRequest,
  ConnectionState,
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
  VenueNotice,
  VenueResult,
} from '../venue.ts';

/**
 * The simulated account a paper session starts with when none is configured: 100,000 USDT and a
 * small holding of the bases the workstation proposes (worth roughly a tenth of the quote), so both
 * sides can quote from the start. Any other base starts at zero: its asks are refused
 * `insufficient_funds` until a buy fills, as on a real spot account without the coin.
 */
export const DEFAULT_PAPER_BALANCES: Readonly<Record<string, string>> = Object.freeze({
  USDT: '100000',
  BTC: '0.1',
  ETH: '2',
});

/** Engine to venue and back, each way: about a nearby venue's round trip (and the backtests' default). */
export const DEFAULT_PAPER_LATENCY: Readonly<ConstantLatency> = Object.freeze({
  requestMs: 5,
  responseMs: 5,
});

export interface PaperOptions {
  /** The venue's id (records, the header); `paper` by default. */
  id?: string;
  /** Starting balances by asset, as decimal strings; DEFAULT_PAPER_BALANCES when absent. */
  balances?: Readonly<Record<string, string>>;
  /** Constant one-way delays; DEFAULT_PAPER_LATENCY when absent. */
  latency?: ConstantLatency;
  /** How the queue ahead of a resting order moves; the risk-averse model when absent. */
  queueModel?: QueueModel;
}

/**
 * Paper trading once the instruments are known: `market`'s books and trades, with simulated execution
 * (sim-exec) behind them. Orders never leave this process; each instrument's fees are its spec's (a
 * real adapter's listing carries the venue's rates). The execution subscribes to every instrument on
 * `market` now, so `instruments` should be only those the session trades.
 */
export function createPaperVenue(
  market: MarketData,
  clock: Clock,
  instruments: readonly InstrumentSpec[],
  options: PaperOptions = {},
): Venue {
  const id = options.id ?? 'paper';
  const execution = new SimulatedExecution({
    clock,
    feed: market,
    instruments,
    balances: options.balances ?? DEFAULT_PAPER_BALANCES,
    latency: options.latency ?? DEFAULT_PAPER_LATENCY,
    queueModel: options.queueModel ?? new RiskAverseQueueModel(),
    id,
  });
  return composeVenue({ id, kind: 'paper', market, execution });
}

/** Market data that also reports notices about its link (a real venue's public feed). */
export type NoticingMarketData = MarketData & {
  onNotice?(listener: (notice: VenueNotice) => void): Unsubscribe;
};

export interface PaperVenueOptions extends PaperOptions {
  id: string;
  clock: Clock;
  market: NoticingMarketData;
  /** The symbols the session trades: the ones simulated execution is built for. */
  symbols: readonly string[];
}

/** SimulatedExecution's capabilities, known before it exists (the node reads them only after connect). */
const CAPABILITIES: VenueCapabilities = Object.freeze({
  amend: true,
  postOnly: true,
  ioc: true,
  market: true,
  cancelAll: true,
});

/**
 * Paper trading as one Venue the registry can build at once, though its execution cannot be: a real
 * feed lists its instruments only once connected, and SimulatedExecution needs their specs (ticks,
 * lots, fees) at construction, when it subscribes to them. So the first `connect()` connects the
 * market data, takes the session's symbols from its listing (refusing one it does not list) and only
 * then builds the execution with createPaperVenue. Later connects (after a disconnect) keep it: the
 * simulated account (balances, resting orders, executions) lives as long as this object, as a real
 * account outlives a dropped link.
 *
 * Before the first connect, order requests are answered `venue_unavailable` on the clock (as the
 * simulated execution answers while its feed is down) and the account queries reject with
 * `unavailable`; execution listeners registered early are carried over. The connection, instruments
 * and market data are the market's throughout.
 */
export class PaperVenue implements Venue {
  readonly id: string;
  readonly kind = 'paper' as const;
  private readonly options: PaperVenueOptions;
  private inner: Venue | null = null;
  private traded: InstrumentSpec[] = [];
  private readonly early = new Set<{ listener: (e: ExecutionEvent) => void; off: Unsubscribe | null }>();

  constructor(options: PaperVenueOptions) {
    if (options.symbols.length === 0)
      throw new EngineError('invalid_input', 'paper trading needs at least one symbol to trade');
    this.options = options;
    this.id = options.id;
  }

  get capabilities(): VenueCapabilities {
    return this.inner?.capabilities ?? CAPABILITIES;
  }

  async connect(): Promise<void> {
    const market = this.options.market;
    await market.connect();
    if (this.inner) return;
    try {
      this.inner = this.build(await market.instruments());
    } catch (err) {
      await market.disconnect();
      throw err;
    }
    for (const entry of this.early) entry.off = this.inner.onExecution(entry.listener);
    this.early.clear();
  }

  disconnect(): Promise<void> {
    return this.options.market.disconnect();
  }

  connectionState(): ConnectionState {
    return this.options.market.connectionState();
  }

  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.options.market.onConnection(listener);
  }

  onNotice(listener: (notice: VenueNotice) => void): Unsubscribe {
    return this.options.market.onNotice?.(listener) ?? (() => undefined);
  }

  /** What this venue trades: the session's symbols once connected (the source's listing before). */
  instruments(): Promise<InstrumentSpec[]> {
    if (!this.inner) return this.options.market.instruments();
    return Promise.resolve(this.traded.map((s) => ({ ...s })));
  }

  subscribeMarket(symbol: string, listener: MarketListener): Unsubscribe {
    return this.options.market.subscribeMarket(symbol, listener);
  }

  onExecution(listener: (event: ExecutionEvent) => void): Unsubscribe {
    if (this.inner) return this.inner.onExecution(listener);
    const entry = { listener, off: null as Unsubscribe | null };
    this.early.add(entry);
    return () => {
      this.early.delete(entry);
      entry.off?.();
    };
  }

  readonly callbackOrders: CallbackOrders = {
    place: (request, answer, tag) => {
      this.callback(
        (cb) => cb.place(request, answer, tag),
        answer,
        tag,
        () => this.placeOrder(request),
      );
    },
    amend: (request, answer, tag) => {
      this.callback(
        (cb) => cb.amend(request, answer, tag),
        answer,
        tag,
        () => this.amendOrder(request),
      );
    },
    cancel: (request, answer, tag) => {
      this.callback(
        (cb) => cb.cancel(request, answer, tag),
        answer,
        tag,
        () => this.cancelOrder(request),
      );
    },
  };

  placeOrder(request: PlaceRequest): Promise<VenueResult<OrderAck>> {
    return this.inner ? this.inner.placeOrder(request) : this.notYet();
  }

  amendOrder(request: AmendRequest): Promise<VenueResult<OrderAck>> {
    return this.inner ? this.inner.amendOrder(request) : this.notYet();
  }

  cancelOrder(request: CancelRequest): Promise<VenueResult<OrderAck>> {
    return this.inner ? this.inner.cancelOrder(request) : this.notYet();
  }

  cancelAll(symbol: string): Promise<VenueResult<{ cancelled: number }>> {
    return this.inner ? this.inner.cancelAll(symbol) : this.notYet();
  }

  openOrders(symbol?: string): Promise<OrderUpdate[]> {
    return this.inner ? this.inner.openOrders(symbol) : this.unconnected();
  }

  executionsSince(sinceMs: number, symbol?: string): Promise<Fill[]> {
    return this.inner ? this.inner.executionsSince(sinceMs, symbol) : this.unconnected();
  }

  balances(): Promise<Balance[]> {
    return this.inner ? this.inner.balances() : this.unconnected();
  }

  private build(listing: readonly InstrumentSpec[]): Venue {
    const traded: InstrumentSpec[] = [];
    for (const symbol of this.options.symbols) {
      const spec = listing.find((s) => s.symbol === symbol);
      if (!spec)
        throw new EngineError('not_found', `${this.id}: the market data lists no instrument ${symbol}`);
      traded.push(spec);
    }
    const { market, clock, symbols: _symbols, ...paper } = this.options;
    const venue = createPaperVenue(market, clock, traded, paper);
    this.traded = traded;
    return venue;
  }

  private callback(
    send: (cb: CallbackOrders) => void,
    answer: Answer<OrderAck>,
    tag: unknown,
    viaPromise: () => Promise<VenueResult<OrderAck>>,
  ): void {
    const cb = this.inner?.callbackOrders;
    if (cb) {
      send(cb);
      return;
    }
    // Not connected yet (or an execution without callbacks): answered later, never from inside the call.
    viaPromise().then(
      (result) => answer(result, tag),
      (err: unknown) =>
        answer(
          { ok: false, code: 'venue_unavailable', message: err instanceof Error ? err.message : String(err) },
          tag,
        ),
    );
  }

  private notYet<T>(): Promise<VenueResult<T>> {
    return new Promise((resolve) => {
      this.options.clock.setTimeout(() => {
        resolve({ ok: false, code: 'venue_unavailable', message: `${this.id}: not connected yet` });
      }, 0);
    });
  }

  private unconnected<T>(): Promise<T> {
    return Promise.reject(new EngineError('unavailable', `${this.id}: not connected yet`));
  }
}

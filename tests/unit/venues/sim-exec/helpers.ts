import { SimClock } from '../../../../engine/core/clock.ts';
import type { InstrumentSpec, Lots, Side, Ticks } from '../../../../engine/core/instrument.ts';
import type { Level } from '../../../../engine/market/types.ts';
import type { SimulatedExecutionOptions } from '../../../../engine/venues/sim-exec/simulated-execution.ts';
import { SimulatedExecution } from '../../../../engine/venues/sim-exec/simulated-execution.ts';
import type {
  ConnectionState,
  ExecutionEvent,
  Fill,
  MarketData,
  MarketListener,
  OrderAck,
  OrderUpdate,
  PlaceRequest,
  Unsubscribe,
  VenueResult,
} from '../../../../engine/venues/venue.ts';

/** Prices in ticks of 0.01 (10000 = 100.00), sizes in lots of 0.1. */
export const SPEC: InstrumentSpec = {
  symbol: 'TSTUSD',
  base: 'TST',
  quote: 'USD',
  tickSize: '0.01',
  lotSize: '0.1',
  minSize: '0.2',
  minNotional: '1',
  makerFee: '0.0001',
  takerFee: '0.0006',
};
export const SYMBOL = SPEC.symbol;

export const t = (n: number): Ticks => n as Ticks;
export const l = (n: number): Lots => n as Lots;
const lv = (levels: readonly (readonly [number, number])[]): Level[] => levels.map(([p, s]) => [t(p), l(s)]);

/**
 * A scripted market-data feed: each call delivers one message to the subscribers at once, at the
 * clock's current time, as a feed would on receipt. Not a venue: it never sees our orders.
 */
export class ScriptedFeed implements MarketData {
  private state: ConnectionState = 'connected';
  private readonly subscribers = new Map<string, MarketListener[]>();
  private readonly connectionListeners: ((state: ConnectionState) => void)[] = [];
  private seq = 0;
  private tradeSeq = 0;

  private readonly clock: SimClock;

  constructor(clock: SimClock) {
    this.clock = clock;
  }

  connect(): Promise<void> {
    this.setState('connected');
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    this.setState('disconnected');
    return Promise.resolve();
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    this.connectionListeners.push(listener);
    return () => undefined;
  }

  instruments(): Promise<InstrumentSpec[]> {
    return Promise.resolve([{ ...SPEC }]);
  }

  subscribeMarket(symbol: string, listener: MarketListener): Unsubscribe {
    this.subscribers.set(symbol, [...(this.subscribers.get(symbol) ?? []), listener]);
    return () => {
      this.subscribers.set(
        symbol,
        (this.subscribers.get(symbol) ?? []).filter((x) => x !== listener),
      );
    };
  }

  setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.connectionListeners) listener(state);
  }

  snapshot(bids: readonly (readonly [number, number])[], asks: readonly (readonly [number, number])[]): void {
    const seq = ++this.seq;
    for (const s of this.subscribers.get(SYMBOL) ?? [])
      s.onBook({
        kind: 'snapshot',
        symbol: SYMBOL,
        seq,
        ts: this.clock.now(),
        bids: lv(bids),
        asks: lv(asks),
      });
  }

  delta(bids: readonly (readonly [number, number])[], asks: readonly (readonly [number, number])[]): void {
    const seq = ++this.seq;
    for (const s of this.subscribers.get(SYMBOL) ?? [])
      s.onBook({ kind: 'delta', symbol: SYMBOL, seq, ts: this.clock.now(), bids: lv(bids), asks: lv(asks) });
  }

  trade(price: number, size: number, aggressor: Side): void {
    const trade = {
      symbol: SYMBOL,
      tradeId: String(++this.tradeSeq),
      ts: this.clock.now(),
      price: t(price),
      size: l(size),
      aggressor,
    };
    for (const s of this.subscribers.get(SYMBOL) ?? []) s.onTrade(trade);
  }
}

/** The standard book: bids 99.99 x 5.0 and 99.98 x 5.0, asks 100.01 x 3.0 and 100.02 x 4.0. */
export const BIDS = [
  [9999, 50],
  [9998, 50],
] as const;
export const ASKS = [
  [10001, 30],
  [10002, 40],
] as const;

export interface Rig {
  clock: SimClock;
  feed: ScriptedFeed;
  exec: SimulatedExecution;
  events: ExecutionEvent[];
  fills: () => Fill[];
  updates: (clientId?: string) => OrderUpdate[];
  /** Places through callbackOrders and returns the answers received so far (filled in later). */
  place: (request: Partial<PlaceRequest> & { clientId: string }) => VenueResult<OrderAck>[];
  /** Runs a promise to its answer by advancing the clock past both latencies. */
  settle: <T>(promise: Promise<T>) => Promise<T>;
}

export function rig(options: Partial<SimulatedExecutionOptions> = {}, startMs = Date.UTC(2026, 0, 1)): Rig {
  const clock = new SimClock(startMs);
  const feed = new ScriptedFeed(clock);
  const exec = new SimulatedExecution({
    clock,
    feed,
    instruments: [SPEC],
    balances: { USD: '100000', TST: '100' },
    ...options,
  });
  const events: ExecutionEvent[] = [];
  exec.onExecution((e) => events.push(e));
  feed.snapshot(BIDS, ASKS);
  return {
    clock,
    feed,
    exec,
    events,
    fills: () => events.filter((e): e is Fill => e.type === 'fill'),
    updates: (clientId) =>
      events.filter(
        (e): e is OrderUpdate => e.type === 'order' && (clientId === undefined || e.clientId === clientId),
      ),
    place: (request) => {
      const answers: VenueResult<OrderAck>[] = [];
      exec.callbackOrders.place(
        {
          symbol: SYMBOL,
          side: 'buy',
          type: 'limit',
          timeInForce: 'gtc',
          size: l(10),
          ...request,
        },
        (r) => answers.push(r),
        undefined,
      );
      return answers;
    },
    settle: async <T>(promise: Promise<T>): Promise<T> => {
      clock.advance(20);
      return promise;
    },
  };
}

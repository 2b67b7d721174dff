import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import type { InstrumentSpec } from '../../core/instrument.ts';
import { DelayLine } from '../sim/delay-line.ts';
import type {
  AmendRequest,
  Answer,
  Balance,
  CallbackOrders,
  CancelRequest,
  Execution,
  ExecutionEvent,
  Fill,
  MarketData,
  OrderAck,
  OrderUpdate,
  PlaceRequest,
  Unsubscribe,
  VenueCapabilities,
  VenueResult,
} from '../venue.ts';
import type { MarketView } from './exec-venue.ts';
import { ExecVenue } from './exec-venue.ts';
import type { ConstantLatency, LatencyModel } from './latency-model.ts';
import { latencyModelOf } from './latency-model.ts';
import { refuse } from './order-checks.ts';
import type { QueueModel } from './queue-model.ts';
import { RiskAverseQueueModel } from './queue-model.ts';

export type { ConstantLatency, LatencyModel } from './latency-model.ts';

export interface SimulatedExecutionOptions {
  clock: Clock;
  /** The market data our orders are matched against: a live feed (paper) or a recording (backtest). */
  feed: MarketData;
  /** The instruments it may trade; each is subscribed on the feed at construction. */
  instruments: readonly InstrumentSpec[];
  /** Our starting balances by asset, as decimal strings. */
  balances: Readonly<Record<string, string>>;
  /**
   * The link's one-way delays: a model (e.g. IntervalLatency from measured acknowledgements) or
   * constant delays; default 5 ms each way.
   */
  latency?: LatencyModel | ConstantLatency;
  /** Names the venue in ids; "sim-exec" by default. */
  id?: string;
  /** How the queue ahead of a resting order moves; the risk-averse model by default. */
  queueModel?: QueueModel;
  /** How many client ids and executions are remembered (duplicates, executionsSince); default 200,000. */
  historyLimit?: number;
}

const CAPABILITIES: VenueCapabilities = Object.freeze({
  amend: true,
  postOnly: true,
  ioc: true,
  market: true,
  cancelAll: true,
});

/**
 * Simulated execution over any market data: our orders are matched against the book another feed
 * maintains (a real venue's live feed for paper trading, a recording for a backtest). The feed never
 * shows our orders, so taking liquidity walks the feed's levels and resting orders fill by a queue
 * model (risk-averse by default) from the feed's public trades and book updates.
 *
 * Guarantees:
 * - It subscribes to every instrument on the feed at construction and keeps its own book of each
 *   from the feed's snapshots and deltas; `close()` ends the subscriptions.
 * - A request reaches the simulated venue its entry latency after the call (the model's value at the
 *   time of the call) and is handled against the book as it stands then; its answer arrives its
 *   response latency later (the value at the venue time it was handled), always through the Clock,
 *   never from inside the call (callbackOrders answers each request exactly once). Executions (order
 *   updates and fills) are delivered their response latency after they happen, to each listener in
 *   subscription order, on the same FIFO link as the answers: a request's answer comes before the
 *   executions it caused. Each direction is FIFO whatever the model says: a message never overtakes
 *   an earlier one, it waits for it.
 * - Every fill says its cause (`Fill.cause`): a trade at its price, a trade through it, a cross of
 *   the book, or taking liquidity.
 * - While the feed is not `connected`, and until a symbol's book has a snapshot, order requests are
 *   refused `venue_unavailable`: a paper venue cannot trade without data. Queries (openOrders,
 *   executionsSince, balances) are answered regardless, since the account is ours.
 * - Refusals are values (`{ ok: false, code }`): unknown symbol, off-grid price or size, below the
 *   minimum size or notional (`invalid_order`), a client id already used (`duplicate_client_id`),
 *   too little free balance (`insufficient_funds`), a post-only order that would take
 *   (`post_only_would_take`), an order no longer open (`unknown_order`).
 * - Market and IOC orders, and the crossing part of a GTC limit, take liquidity level by level at the
 *   taker fee, never more than the book shows (less what our own orders already took); the rest of an
 *   IOC or market order is cancelled (`ioc_unfilled`, or `no_liquidity` when nothing filled).
 * - A resting order fills as maker at its own price: by public trades at its price once the queue
 *   ahead is consumed, by trades through its price up to their size, and in full when the book shows
 *   the opposite side at or through its price.
 * - Amend: a size decrease keeps the queue place; a price change or a size increase goes to the back.
 * - Balances are exact (BigInt atoms): every fill moves price x size plus or minus the fee, and
 *   resting orders lock what they may spend (`free` vs `total`).
 * - A listener that throws does not keep the event from the listeners after it; the first error is
 *   then rethrown from the Clock's timer, as a bug should surface.
 * - updateSeq increases with every change of an order; order and execution ids carry a run tag (the
 *   venue id and the clock at construction), so a restarted run never reuses one.
 * Everything runs on the injected Clock: the same feed script gives the same executions.
 */
export class SimulatedExecution implements Execution {
  readonly id: string;
  readonly capabilities: VenueCapabilities = CAPABILITIES;
  private readonly clock: Clock;
  private readonly feed: MarketData;
  private readonly latency: LatencyModel;
  private readonly requestLine: DelayLine;
  private readonly responseLine: DelayLine;
  private readonly venue: ExecVenue;
  private listeners: readonly ((event: ExecutionEvent) => void)[] = [];
  private offs: Unsubscribe[] = [];

  constructor(options: SimulatedExecutionOptions) {
    this.clock = options.clock;
    this.feed = options.feed;
    this.id = options.id ?? 'sim-exec';
    this.latency = latencyModelOf(options.latency ?? { requestMs: 5, responseMs: 5 });
    this.requestLine = new DelayLine(this.clock);
    this.responseLine = new DelayLine(this.clock);
    this.venue = new ExecVenue({
      clock: this.clock,
      instruments: options.instruments,
      balances: options.balances,
      queueModel: options.queueModel ?? new RiskAverseQueueModel(),
      runTag: `${this.id}.${Math.floor(this.clock.now()).toString(36)}`,
      historyLimit: options.historyLimit ?? 200_000,
      emit: (event) => {
        this.responseLine.push(this.responseDelay(), this.deliverExecution, event);
      },
    });
    for (const symbol of this.venue.symbols()) {
      this.offs.push(
        this.feed.subscribeMarket(symbol, {
          onBook: (message) => {
            this.venue.onBook(symbol, message);
          },
          onTrade: (trade) => {
            this.venue.onTrade(symbol, trade);
          },
        }),
      );
    }
    this.offs.push(
      this.feed.onConnection((state) => {
        // Whatever the feed missed while down, the book must be rebuilt from its next snapshot.
        if (state !== 'connected') this.venue.resetBooks();
      }),
    );
  }

  /** Ends the feed subscriptions; resting orders stay as they are and no longer fill. */
  close(): void {
    for (const off of this.offs) off();
    this.offs = [];
  }

  /** The feed's book and trades of one symbol as the simulated venue sees them (to read, e.g. for a view). */
  market(symbol: string): MarketView | undefined {
    return this.venue.market(symbol);
  }

  onExecution(listener: (event: ExecutionEvent) => void): Unsubscribe {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  readonly callbackOrders: CallbackOrders = {
    place: (request, answer, tag) => {
      this.send(placeOp, request, answer, tag);
    },
    amend: (request, answer, tag) => {
      this.send(amendOp, request, answer, tag);
    },
    cancel: (request, answer, tag) => {
      this.send(cancelOp, request, answer, tag);
    },
  };

  placeOrder(request: PlaceRequest): Promise<VenueResult<OrderAck>> {
    return this.ask(placeOp, request);
  }

  amendOrder(request: AmendRequest): Promise<VenueResult<OrderAck>> {
    return this.ask(amendOp, request);
  }

  cancelOrder(request: CancelRequest): Promise<VenueResult<OrderAck>> {
    return this.ask(cancelOp, request);
  }

  cancelAll(symbol: string): Promise<VenueResult<{ cancelled: number }>> {
    return this.ask(cancelAllOp, symbol);
  }

  openOrders(symbol?: string): Promise<OrderUpdate[]> {
    return this.query(() => this.venue.openOrders(symbol));
  }

  executionsSince(sinceMs: number, symbol?: string): Promise<Fill[]> {
    return this.query(() => this.venue.executionsSince(sinceMs, symbol));
  }

  balances(): Promise<Balance[]> {
    return this.query(() => this.venue.balances());
  }

  // ---- the simulated link --------------------------------------------------------------------

  private ask<R, T>(op: Op<R, T>, request: R): Promise<VenueResult<T>> {
    return new Promise<VenueResult<T>>((resolve, reject) => {
      const call = new Call(op as Op<unknown, unknown>, request, true);
      call.resolve = resolve as (value: unknown) => void;
      call.reject = reject;
      this.dispatch(call);
    });
  }

  private send<R>(op: Op<R, OrderAck>, request: R, answer: Answer<OrderAck>, tag: unknown): void {
    const call = new Call(op as Op<unknown, unknown>, request, true);
    call.answer = answer as Answer<unknown>;
    call.tag = tag;
    this.dispatch(call);
  }

  private query<T>(handler: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const call = new Call(handler, undefined, false);
      call.resolve = resolve as (value: unknown) => void;
      call.reject = reject;
      this.dispatch(call);
    });
  }

  private dispatch(call: Call): void {
    if (call.needsFeed && !this.feedUp()) {
      // Never sent: answered on the clock, not from inside the call.
      call.value = this.unavailable();
      this.clock.setTimeout(() => {
        settle(call);
      }, 0);
      return;
    }
    this.requestLine.push(this.entryDelay(), this.arrive, call);
  }

  /** The entry delay of a request sent now. */
  private entryDelay(): number {
    return checkedDelay(this.latency.entryLatency(this.clock.now()), 'entry');
  }

  /** The response delay of an event at the venue now. */
  private responseDelay(): number {
    return checkedDelay(this.latency.responseLatency(this.clock.now()), 'response');
  }

  /** A request reaches the venue: its answer is queued before the executions it causes. */
  private readonly arrive = (call: Call): void => {
    this.responseLine.push(this.responseDelay(), settle, call);
    if (call.needsFeed && !this.feedUp()) {
      call.value = this.unavailable();
      return;
    }
    try {
      call.value = call.op(this.venue, call.request);
    } catch (err) {
      call.failed = true;
      call.error = err;
    }
  };

  private readonly deliverExecution = (event: ExecutionEvent): void => {
    let failure: unknown;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        failure ??= err;
      }
    }
    // A listener that throws must not keep the event from the others; the error still surfaces.
    if (failure !== undefined)
      throw new EngineError('internal', 'an execution listener threw', { cause: failure });
  };

  private feedUp(): boolean {
    return this.feed.connectionState() === 'connected';
  }

  private unavailable(): VenueResult<never> {
    return refuse('venue_unavailable', `${this.id}: the feed is ${this.feed.connectionState()}`);
  }
}

type Op<R, T> = (venue: ExecVenue, request: R) => VenueResult<T> | T;

const placeOp: Op<PlaceRequest, OrderAck> = (venue, request) => venue.place(request);
const amendOp: Op<AmendRequest, OrderAck> = (venue, request) => venue.amend(request);
const cancelOp: Op<CancelRequest, OrderAck> = (venue, request) => venue.cancel(request);
const cancelAllOp: Op<string, { cancelled: number }> = (venue, symbol) => venue.cancelAll(symbol);

/** One request on its way through the simulated link, and its answer once the venue handled it. */
class Call {
  readonly op: (venue: ExecVenue, request: unknown) => unknown;
  readonly request: unknown;
  /** An order request, refused while the feed is down (queries are not). */
  readonly needsFeed: boolean;
  value: unknown = undefined;
  error: unknown = undefined;
  failed = false;
  /** Set for a callback request, which is answered through it and never rejects. */
  answer: Answer<unknown> | null = null;
  tag: unknown = undefined;
  resolve: (value: unknown) => void = noop;
  reject: (error: Error) => void = noop;

  constructor(op: (venue: ExecVenue, request: unknown) => unknown, request: unknown, needsFeed: boolean) {
    this.op = op;
    this.request = request;
    this.needsFeed = needsFeed;
  }
}

function noop(): void {}

/**
 * A delay from a latency model, which must be finite and non-negative: a NaN would stall the link's
 * queue for good, so a model that breaks its contract fails loudly instead.
 */
function checkedDelay(ms: number, what: 'entry' | 'response'): number {
  if (!Number.isFinite(ms) || ms < 0)
    throw new EngineError('internal', `the latency model gave ${String(ms)} ms for the ${what} latency`);
  return ms;
}

function settle(call: Call): void {
  // The Error is built only for a failure: capturing a stack on every answer was most of this call.
  const error = (): Error => (call.error instanceof Error ? call.error : new Error(String(call.error)));
  if (call.answer !== null) {
    // A handler that threw is a broken venue, not a refusal: answered as unavailable.
    const result = call.failed
      ? refuse('venue_unavailable', error().message)
      : (call.value as VenueResult<unknown>);
    call.answer(result, call.tag);
    return;
  }
  if (call.failed) call.reject(error());
  else call.resolve(call.value);
}

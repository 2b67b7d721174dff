import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import type { InstrumentSpec, Side } from '../../core/instrument.ts';
import type { VenueCredentials } from '../registry.ts';
import type {
  AmendRequest,
  Balance,
  CancelRequest,
  ConnectionState,
  ExecutionEvent,
  Fill,
  MarketListener,
  OrderAck,
  OrderUpdate,
  PlaceRequest,
  Unsubscribe,
  Venue,
  VenueCapabilities,
  VenueLinkInfo,
  VenueNotice,
  VenuePosition,
  VenueRejectCode,
  VenueResult,
} from '../venue.ts';
import { rejectFromAnswer } from './codes.ts';
import { loadInstruments, validateSymbol, type MexcInstrument } from './instruments.ts';
import { MexcPublicStream, type MexcPublicStreamOptions } from './public-stream.ts';
import { MexcRateLimiter } from './rate-limit.ts';
import { MexcRest, restError, type RestAnswer } from './rest-client.ts';
import {
  ACCOUNT_PATH,
  cancelAllParams,
  cancelParams,
  fetchTradesSince,
  MY_TRADES_PATH,
  OPEN_ORDERS_PATH,
  ORDER_PATH,
  orderItem,
  parseAccount,
  parseCancel,
  parseCancelAll,
  parseNewOrder,
  parseOrders,
} from './rest-orders.ts';
import { fetchDepthSnapshot, restListenKeys } from './rest-streams.ts';
import { MEXC_URLS } from './urls.ts';
import { MexcUserStream } from './user-stream.ts';
import { orderTypeToMexc } from './wire.ts';

export interface MexcVenueOptions {
  clock: Clock;
  credentials?: VenueCredentials;
  /** REST base (`https://api.mexc.com`, or a simulator's `http://127.0.0.1:PORT`). */
  restUrl?: string;
  /** The stream's full address (`wss://wbs-api.mexc.com/ws`, or `ws://127.0.0.1:PORT/ws`). */
  wsUrl?: string;
  timeoutMs?: number;
  recvWindowMs?: number;
  /** Push interval of the public channels (default '10ms'). */
  interval?: MexcPublicStreamOptions['interval'];
  /** Heartbeat, backoff and jitter of the sockets (tests pin them). */
  socket?: MexcPublicStreamOptions['socket'];
}

/** MEXC spot v3 has no amend: a changed quote is a cancel and a new order. */
const CAPABILITIES: VenueCapabilities = {
  amend: false,
  postOnly: true,
  ioc: true,
  market: true,
  cancelAll: true,
};

/**
 * MEXC spot v3 behind the kernel's venue interface: signed REST for order entry (there is no
 * WebSocket order entry), reference data and reconciliation reads; the public protobuf stream for
 * books and trades; the user stream (on a listenKey) for our orders, fills and balances. Wire
 * strings become ticks and lots here and in the parsers, nowhere above. A venue refusal is answered
 * as a reject with MEXC's own code and message; an answer that never came, or a 5xx, is
 * `venue_unavailable`, since the order may exist.
 *
 * MEXC's order reads need a symbol, so `openOrders()` and `executionsSince()` without one cover the
 * symbols this venue has subscribed or sent orders on since it connected.
 */
export class MexcVenue implements Venue {
  readonly id = 'mexc';
  readonly kind = 'mexc' as const;
  readonly capabilities = CAPABILITIES;
  readonly rest: MexcRest;
  readonly limiter: MexcRateLimiter;
  private readonly clock: Clock;
  private readonly publicStream: MexcPublicStream;
  private readonly userStream: MexcUserStream | null;
  private readonly specs = new Map<string, MexcInstrument>();
  /** Symbols subscribed or traded: what a read without a symbol covers. */
  private readonly active = new Set<string>();
  private readonly executionListeners = new Set<(e: ExecutionEvent) => void>();
  private readonly connectionListeners = new Set<(s: ConnectionState) => void>();
  private readonly noticeListeners = new Set<(n: VenueNotice) => void>();
  private state: ConnectionState = 'disconnected';

  constructor(options: MexcVenueOptions) {
    this.clock = options.clock;
    this.limiter = new MexcRateLimiter(options.clock);
    this.rest = new MexcRest({
      baseUrl: options.restUrl ?? MEXC_URLS.rest,
      clock: options.clock,
      limiter: this.limiter,
      credentials: options.credentials,
      recvWindowMs: options.recvWindowMs,
      timeoutMs: options.timeoutMs,
    });
    const url = options.wsUrl ?? MEXC_URLS.ws;
    const instrument = (symbol: string) => this.specs.get(symbol)?.instrument;
    const onNotice = (n: VenueNotice) => this.notice(n);
    this.publicStream = new MexcPublicStream({
      clock: options.clock,
      url,
      instrument,
      snapshot: (symbol) => fetchDepthSnapshot(this.rest, symbol),
      onNotice,
      interval: options.interval,
      socket: options.socket,
    });
    this.publicStream.onConnection(() => this.updateState());
    this.userStream = options.credentials
      ? new MexcUserStream({
          clock: options.clock,
          url,
          listenKeys: restListenKeys(this.rest),
          instrument,
          onExecution: (e) => this.emit(e),
          onNotice,
          socket: options.socket,
        })
      : null;
    this.userStream?.onConnection(() => this.updateState());
  }

  // ---- connection -----------------------------------------------------------------------------

  async connect(): Promise<void> {
    this.setState('connecting');
    try {
      await this.rest.syncTime();
      await this.loadInstruments();
      await this.publicStream.connect();
      if (this.userStream) await this.userStream.connect();
    } catch (err) {
      await this.disconnect();
      throw err instanceof EngineError
        ? err
        : new EngineError('unavailable', `MEXC: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.setState(this.allUp() ? 'connected' : 'reconnecting');
  }

  async disconnect(): Promise<void> {
    await Promise.all([this.publicStream.disconnect(), this.userStream?.disconnect()]);
    this.setState('disconnected');
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Alerts for the trader: unusable frames, refused channels, a renewed listenKey, skipped symbols. */
  onNotice(listener: (notice: VenueNotice) => void): Unsubscribe {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /** Clock offset and the tightest request window; MEXC spot has no disconnect cancel-all. */
  linkInfo(): VenueLinkInfo {
    const h = this.limiter.minHeadroom();
    return {
      clockOffsetMs: this.rest.clockOffsetMs(),
      rateHeadroom: h.remaining,
      rateLimit: h.limit,
      dcp: false,
    };
  }

  // ---- market data ----------------------------------------------------------------------------

  /** Symbols open to API trading now. */
  instruments(): Promise<InstrumentSpec[]> {
    return Promise.resolve([...this.specs.values()].filter((s) => s.trading).map((s) => ({ ...s.spec })));
  }

  subscribeMarket(symbol: string, listener: MarketListener): Unsubscribe {
    if (!this.specs.has(symbol))
      throw new EngineError('invalid_input', `MEXC lists no spot symbol ${symbol}`);
    this.active.add(symbol);
    return this.publicStream.subscribe(symbol, listener);
  }

  // ---- execution ------------------------------------------------------------------------------

  onExecution(listener: (event: ExecutionEvent) => void): Unsubscribe {
    this.executionListeners.add(listener);
    return () => this.executionListeners.delete(listener);
  }

  async placeOrder(request: PlaceRequest): Promise<VenueResult<OrderAck>> {
    const known = this.tradable(request.symbol, request.side);
    if (!known.ok) return known;
    const type = orderTypeToMexc(request.type, request.timeInForce);
    if (known.value.orderTypes.length > 0 && !known.value.orderTypes.includes(type)) {
      return reject('unsupported', `MEXC ${request.symbol} does not take ${type} orders`);
    }
    let params: Record<string, string>;
    try {
      params = orderItem(known.value.instrument, request);
    } catch (err) {
      return reject('invalid_order', (err as Error).message);
    }
    this.active.add(request.symbol);
    const answer = await this.rest.signedPost(ORDER_PATH, params);
    if (!answer.ok) return refusal(answer);
    return accepted(() => parseNewOrder(answer.value, request.clientId, this.serverNow()));
  }

  amendOrder(request: AmendRequest): Promise<VenueResult<OrderAck>> {
    return Promise.resolve(
      reject('unsupported', `MEXC spot has no amend: cancel ${request.clientId} and place a new order`),
    );
  }

  async cancelOrder(request: CancelRequest): Promise<VenueResult<OrderAck>> {
    // A paused or API-closed symbol still takes cancels: only the listing is checked.
    if (!this.specs.has(request.symbol))
      return reject('invalid_order', `MEXC lists no spot symbol ${request.symbol}`);
    let params: Record<string, string>;
    try {
      params = cancelParams(request.symbol, request.clientId);
    } catch (err) {
      return reject('invalid_order', (err as Error).message);
    }
    const answer = await this.rest.signedDelete(ORDER_PATH, params);
    if (!answer.ok) return refusal(answer);
    return accepted(() => parseCancel(answer.value, request.clientId, this.serverNow()));
  }

  async cancelAll(symbol: string): Promise<VenueResult<{ cancelled: number }>> {
    if (!this.specs.has(symbol)) return reject('invalid_order', `MEXC lists no spot symbol ${symbol}`);
    const answer = await this.rest.signedDelete(OPEN_ORDERS_PATH, cancelAllParams([symbol]));
    if (!answer.ok) {
      // "Unknown order" for a symbol with nothing open: nothing was there to cancel.
      if (answer.code === -2011) return { ok: true, value: { cancelled: 0 } };
      return refusal(answer);
    }
    try {
      return { ok: true, value: { cancelled: parseCancelAll(answer.value) } };
    } catch (err) {
      return reject(
        'venue_unavailable',
        `MEXC cancel-all ${symbol} answered unreadably: ${(err as Error).message}`,
      );
    }
  }

  async openOrders(symbol?: string): Promise<OrderUpdate[]> {
    const out: OrderUpdate[] = [];
    for (const s of this.scope(symbol)) {
      const answer = await this.rest.signedGet(OPEN_ORDERS_PATH, { symbol: s });
      if (!answer.ok) throw restError(`open orders ${s}`, answer);
      out.push(...parseOrders(this.specs.get(s)!.instrument, answer.value));
    }
    return out;
  }

  async executionsSince(sinceMs: number, symbol?: string): Promise<Fill[]> {
    const fills: Fill[] = [];
    for (const s of this.scope(symbol)) {
      const list = await fetchTradesSince({
        inst: this.specs.get(s)!.instrument,
        sinceMs,
        nowMs: this.serverNow(),
        page: async (params) => {
          const answer = await this.rest.signedGet(MY_TRADES_PATH, params);
          if (!answer.ok) throw restError(`myTrades ${s}`, answer);
          return answer.value;
        },
      });
      fills.push(...list);
    }
    return fills.sort((a, b) => a.ts - b.ts);
  }

  async balances(): Promise<Balance[]> {
    const answer = await this.rest.signedGet(ACCOUNT_PATH);
    if (!answer.ok) throw restError('account', answer);
    return parseAccount(answer.value);
  }

  /** Spot holds no positions. */
  positions(): Promise<VenuePosition[] | null> {
    return Promise.resolve(null);
  }

  // ---- internals ------------------------------------------------------------------------------

  private async loadInstruments(): Promise<void> {
    const { instruments, skipped } = await loadInstruments(this.rest);
    this.specs.clear();
    for (const i of instruments) this.specs.set(i.spec.symbol, i);
    if (skipped.length > 0) {
      this.notice({
        severity: 'info',
        code: 'instruments_skipped',
        message: `MEXC listed ${skipped.length} symbols we cannot trade: ${skipped.slice(0, 3).join('; ')}`,
      });
    }
  }

  private tradable(symbol: string, side: Side): VenueResult<MexcInstrument> {
    try {
      return { ok: true, value: validateSymbol(this.specs, symbol, side) };
    } catch (err) {
      return reject('invalid_order', (err as Error).message);
    }
  }

  /** The symbols a read covers: the one asked for (if listed), else every active one. */
  private scope(symbol: string | undefined): string[] {
    if (symbol === undefined) return [...this.active].filter((s) => this.specs.has(s));
    if (!this.specs.has(symbol))
      throw new EngineError('invalid_input', `MEXC lists no spot symbol ${symbol}`);
    return [symbol];
  }

  private serverNow(): number {
    return Math.round(this.rest.serverNow());
  }

  private emit(event: ExecutionEvent): void {
    for (const l of this.executionListeners) l(event);
  }

  private notice(n: VenueNotice): void {
    for (const l of this.noticeListeners) l(n);
  }

  private updateState(): void {
    if (this.state === 'disconnected' || this.state === 'connecting') return;
    this.setState(this.allUp() ? 'connected' : 'reconnecting');
  }

  private allUp(): boolean {
    return [this.publicStream, this.userStream].every(
      (s) => s === null || s.connectionState() === 'connected',
    );
  }

  private setState(next: ConnectionState): void {
    if (next === this.state) return;
    this.state = next;
    for (const l of [...this.connectionListeners]) l(next);
  }
}

function refusal(answer: Extract<RestAnswer, { ok: false }>): {
  ok: false;
  code: VenueRejectCode;
  message: string;
} {
  const r = rejectFromAnswer(answer);
  return { ok: false, code: r.code, message: r.message };
}

/**
 * The venue took the request; an answer we cannot read leaves the order's state unknown, which is
 * what `venue_unavailable` tells the OMS (it reconciles).
 */
function accepted(parse: () => OrderAck): VenueResult<OrderAck> {
  try {
    return { ok: true, value: parse() };
  } catch (err) {
    return reject(
      'venue_unavailable',
      `MEXC answered unreadably, the order's state is unknown: ${(err as Error).message}`,
    );
  }
}

function reject<T>(code: VenueRejectCode, message: string): VenueResult<T> {
  return { ok: false, code, message };
}

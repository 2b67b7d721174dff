import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import { defineInstrument, type Instrument, type InstrumentSpec, type Lots } from '../../core/instrument.ts';
import type { VenueCredentials } from '../registry.ts';
import type {
  AmendRequest,
  Balance,
  CancelRequest,
  ConnectionState,
  ExecutionEvent,
  Fill,
  FundingPayment,
  MarketListener,
  OrderAck,
  OrderUpdate,
  PlaceRequest,
  Unsubscribe,
  Venue,
  VenueCapabilities,
  VenueLinkInfo,
  VenueNotice,
  VenueRejectCode,
  VenuePosition,
  VenueResult,
} from '../venue.ts';
import { rejectFromRetCode } from './codes.ts';
import { OpWaiter, privateDialect, text, tradeDialect } from './dialects.ts';
import type { BybitFeed } from './feed.ts';
import { loadInstruments, type BybitCategory } from './instruments.ts';
import {
  itemSymbol,
  parseExecution,
  parseOrder,
  parsePosition,
  parsePrivateFrame,
  parseWalletResult,
} from './messages.ts';
import { createPublicStream } from './public-stream.ts';
import { BybitRateLimiter } from './rate-limit.ts';
import { BybitRest, THROTTLED_LOCALLY, TRANSPORT_FAILED, venueError } from './rest-client.ts';
import { BybitSocket } from './socket.ts';
import { BybitTradeChannel, type TradeAnswer } from './trade-channel.ts';
import { priceToWire, sizeToWire } from './wire.ts';

export type BybitEnv = 'mainnet' | 'testnet' | 'demo';

/** The venue's published endpoints (A1); every one can be overridden (a local simulator). */
export const BYBIT_URLS: Record<
  BybitEnv,
  { rest: string; publicWs: string; privateWs: string; tradeWs: string | null }
> = {
  mainnet: {
    rest: 'https://api.bybit.com',
    publicWs: 'wss://stream.bybit.com',
    privateWs: 'wss://stream.bybit.com',
    tradeWs: 'wss://stream.bybit.com',
  },
  testnet: {
    rest: 'https://api-testnet.bybit.com',
    publicWs: 'wss://stream-testnet.bybit.com',
    privateWs: 'wss://stream-testnet.bybit.com',
    tradeWs: 'wss://stream-testnet.bybit.com',
  },
  // Demo trading: its own REST and private stream, mainnet's public data, and no trade stream.
  demo: {
    rest: 'https://api-demo.bybit.com',
    publicWs: 'wss://stream.bybit.com',
    privateWs: 'wss://stream-demo.bybit.com',
    tradeWs: null,
  },
};

export interface BybitVenueOptions {
  env: BybitEnv;
  clock: Clock;
  credentials?: VenueCredentials;
  /** The product traded: spot, or linear USDT perpetuals. One per venue, so a symbol means one market. */
  category?: BybitCategory;
  restUrl?: string;
  /** Base of every stream (`ws://127.0.0.1:PORT`): the paths are appended as on the venue. */
  wsUrl?: string;
  timeoutMs?: number;
  recvWindowMs?: number;
  /** Disconnect cancel-all window, seconds (3..300); 0 leaves DCP off. */
  dcpWindowS?: number;
  /** Order book depth streamed: 1, 50 or 200 levels. */
  depth?: 1 | 50 | 200;
  pingIntervalMs?: number;
  random?: () => number;
}

const CAPABILITIES: VenueCapabilities = {
  amend: true,
  postOnly: true,
  ioc: true,
  market: true,
  cancelAll: true,
};

/**
 * Bybit v5 behind the kernel's venue interface: REST for reference data, reconciliation reads and the
 * order-entry fallback; the public stream for books and trades; the private stream for our orders,
 * executions and wallet; the trade stream for order entry. Wire strings become ticks and lots here and
 * nowhere else. A venue refusal is answered as a reject carrying Bybit's own code and message.
 */
export class BybitVenue implements Venue {
  readonly id: string;
  readonly kind = 'bybit' as const;
  readonly capabilities = CAPABILITIES;
  readonly category: BybitCategory;
  readonly rest: BybitRest;
  readonly limiter: BybitRateLimiter;
  private readonly options: BybitVenueOptions;
  private readonly clock: Clock;
  private readonly waiter: OpWaiter;
  private readonly tradeWaiter: OpWaiter;
  private readonly feed: BybitFeed;
  private readonly publicSocket: BybitSocket;
  private readonly privateSocket: BybitSocket | null;
  private readonly tradeSocket: BybitSocket | null;
  private readonly trade: BybitTradeChannel;
  private readonly specs = new Map<
    string,
    { spec: InstrumentSpec; instrument: Instrument; trading: boolean }
  >();
  private readonly executionListeners = new Set<(e: ExecutionEvent) => void>();
  private readonly fundingListeners = new Set<(p: FundingPayment) => void>();
  private readonly connectionListeners = new Set<(s: ConnectionState) => void>();
  private readonly noticeListeners = new Set<(n: VenueNotice) => void>();
  private state: ConnectionState = 'disconnected';
  private dcpActive = false;

  constructor(options: BybitVenueOptions) {
    this.options = options;
    this.clock = options.clock;
    this.category = options.category ?? 'spot';
    this.id = `bybit-${options.env}`;
    const urls = BYBIT_URLS[options.env];
    this.limiter = new BybitRateLimiter(options.clock);
    this.rest = new BybitRest({
      baseUrl: options.restUrl ?? urls.rest,
      clock: options.clock,
      limiter: this.limiter,
      credentials: options.credentials,
      recvWindowMs: options.recvWindowMs,
      timeoutMs: options.timeoutMs,
    });
    this.waiter = new OpWaiter(options.clock);
    this.tradeWaiter = new OpWaiter(options.clock);
    const socketCommon = {
      clock: options.clock,
      pingIntervalMs: options.pingIntervalMs,
      random: options.random,
      onState: () => this.updateState(),
      onBadFrame: (reason: string) => this.notice('warning', 'bad_venue_frame', reason),
    };
    const ws = (base: string, path: string) => `${options.wsUrl ?? base}${path}`;
    const stream = createPublicStream({
      wsBase: options.wsUrl ?? urls.publicWs,
      category: this.category,
      depth: options.depth ?? 50,
      clock: options.clock,
      pingIntervalMs: options.pingIntervalMs,
      random: options.random,
      instrument: (symbol) => this.instrumentOf(symbol),
      onState: () => this.updateState(),
      notice: (code, message, symbol) => this.notice('warning', code, message, symbol),
    });
    this.feed = stream.feed;
    this.publicSocket = stream.socket;
    const creds = options.credentials;
    const auth = creds && {
      credentials: creds,
      serverNow: () => this.clock.now() + this.rest.clockOffsetMs(),
      timeoutMs: options.timeoutMs ?? 10_000,
    };
    this.privateSocket = auth
      ? new BybitSocket({
          ...socketCommon,
          url: ws(urls.privateWs, '/v5/private'),
          name: 'private',
          dialect: privateDialect({ ...auth, waiter: this.waiter }, () => this.privateTopics()),
          onFrame: (f) => this.onPrivateFrame(f),
        })
      : null;
    this.tradeSocket =
      auth && urls.tradeWs !== null
        ? new BybitSocket({
            ...socketCommon,
            url: ws(urls.tradeWs, '/v5/trade'),
            name: 'trade',
            dialect: tradeDialect({ ...auth, waiter: this.tradeWaiter }),
            onFrame: (f) => {
              if (!this.tradeWaiter.offer(f)) this.trade.onFrame(f);
            },
            onState: (s) => {
              if (s !== 'connected') this.trade.onDisconnected();
              this.updateState();
            },
          })
        : null;
    this.trade = new BybitTradeChannel({
      clock: options.clock,
      socket: this.tradeSocket,
      rest: this.rest,
      limiter: this.limiter,
      recvWindowMs: options.recvWindowMs,
      timeoutMs: options.timeoutMs,
    });
  }

  // ---- connection -----------------------------------------------------------------------------

  async connect(): Promise<void> {
    this.setState('connecting');
    try {
      await this.rest.syncTime();
      await this.loadInstruments();
      await this.publicSocket.connect();
      if (this.privateSocket) await this.privateSocket.connect();
      if (this.tradeSocket) await this.tradeSocket.connect();
    } catch (err) {
      await this.disconnect();
      throw err instanceof EngineError
        ? err
        : new EngineError(
            'unavailable',
            `Bybit ${this.options.env}: ${err instanceof Error ? err.message : String(err)}`,
          );
    }
    if (this.options.credentials) await this.armDcp();
    this.updateState();
  }

  async disconnect(): Promise<void> {
    await Promise.all([
      this.publicSocket.disconnect(),
      this.privateSocket?.disconnect(),
      this.tradeSocket?.disconnect(),
    ]);
    this.setState('disconnected');
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Alerts for the trader: bad frames, a refused DCP, a resync. */
  onNotice(listener: (notice: VenueNotice) => void): Unsubscribe {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /** Facts the header shows: clock offset, request headroom, DCP. */
  linkInfo(): VenueLinkInfo {
    const h = this.limiter.minHeadroom();
    return {
      clockOffsetMs: this.rest.clockOffsetMs(),
      rateHeadroom: h.remaining,
      rateLimit: h.limit,
      dcp: this.dcpActive,
    };
  }

  // ---- market data ----------------------------------------------------------------------------

  instruments(): Promise<InstrumentSpec[]> {
    return Promise.resolve([...this.specs.values()].filter((s) => s.trading).map((s) => ({ ...s.spec })));
  }

  subscribeMarket(symbol: string, listener: MarketListener): Unsubscribe {
    this.instrumentOf(symbol);
    return this.feed.subscribe(symbol, listener);
  }

  // ---- execution ------------------------------------------------------------------------------

  onExecution(listener: (event: ExecutionEvent) => void): Unsubscribe {
    this.executionListeners.add(listener);
    return () => this.executionListeners.delete(listener);
  }

  onFunding(listener: (payment: FundingPayment) => void): Unsubscribe {
    this.fundingListeners.add(listener);
    return () => this.fundingListeners.delete(listener);
  }

  async placeOrder(request: PlaceRequest): Promise<VenueResult<OrderAck>> {
    const inst = this.known(request.symbol);
    if (!inst.ok) return inst;
    const i = inst.value;
    const args: Record<string, unknown> = {
      symbol: request.symbol,
      side: request.side === 'buy' ? 'Buy' : 'Sell',
      orderType: request.type === 'market' ? 'Market' : 'Limit',
      qty: sizeToWire(i, request.size),
      orderLinkId: request.clientId,
    };
    if (request.type === 'limit') {
      if (request.price === undefined) return reject('invalid_order', 'a limit order needs a price');
      args.price = priceToWire(i, request.price);
      args.timeInForce =
        request.timeInForce === 'post_only' ? 'PostOnly' : request.timeInForce === 'ioc' ? 'IOC' : 'GTC';
    }
    // Spot market buys count qty in the quote coin unless told otherwise (A7): ours is always base.
    if (request.type === 'market' && this.category === 'spot') args.marketUnit = 'baseCoin';
    if (request.reduceOnly && this.category === 'linear') args.reduceOnly = true;
    return ack(request.clientId, await this.trade.request('create', this.category, args), this.clock);
  }

  async amendOrder(request: AmendRequest): Promise<VenueResult<OrderAck>> {
    const inst = this.known(request.symbol);
    if (!inst.ok) return inst;
    const args: Record<string, unknown> = { symbol: request.symbol, orderLinkId: request.clientId };
    if (request.price !== undefined) args.price = priceToWire(inst.value, request.price);
    if (request.size !== undefined) args.qty = sizeToWire(inst.value, request.size);
    return ack(request.clientId, await this.trade.request('amend', this.category, args), this.clock);
  }

  async cancelOrder(request: CancelRequest): Promise<VenueResult<OrderAck>> {
    const inst = this.known(request.symbol);
    if (!inst.ok) return inst;
    const args = { symbol: request.symbol, orderLinkId: request.clientId };
    return ack(request.clientId, await this.trade.request('cancel', this.category, args), this.clock);
  }

  async cancelAll(symbol: string): Promise<VenueResult<{ cancelled: number }>> {
    const inst = this.known(symbol);
    if (!inst.ok) return inst;
    const answer = await this.rest.signedPost(
      '/v5/order/cancel-all',
      { category: this.category, symbol },
      this.category,
    );
    if (!answer.ok) return refusal(answer);
    const list = (answer.result as { list?: unknown }).list;
    return { ok: true, value: { cancelled: Array.isArray(list) ? list.length : 0 } };
  }

  async openOrders(symbol?: string): Promise<OrderUpdate[]> {
    const out: OrderUpdate[] = [];
    await this.paged(
      '/v5/order/realtime',
      { symbol, ...this.scope(symbol), openOnly: 0, limit: 50 },
      (item) => {
        const inst = this.specs.get(itemSymbol(item, 'order'));
        if (inst) out.push(parseOrder(inst.instrument, this.category, item));
      },
    );
    return out;
  }

  async executionsSince(sinceMs: number, symbol?: string): Promise<Fill[]> {
    // The venue answers at most seven days from startTime; older history is the journal's.
    const start = Math.max(
      Math.floor(sinceMs),
      this.clock.now() + this.rest.clockOffsetMs() - 7 * 86_400_000 + 60_000,
    );
    const fills: Fill[] = [];
    await this.paged('/v5/execution/list', { symbol, startTime: start, limit: 100 }, (item) => {
      const inst = this.specs.get(itemSymbol(item, 'execution'));
      if (!inst) return;
      const e = parseExecution(inst.instrument, this.category, item);
      if (e.kind === 'fill') fills.push(e.fill);
      else if (e.kind === 'funding') this.fund({ type: 'funding', ...withoutKind(e) });
    });
    return fills.sort((a, b) => a.ts - b.ts);
  }

  async balances(): Promise<Balance[]> {
    const answer = await this.rest.signedGet(
      '/v5/account/wallet-balance',
      { accountType: 'UNIFIED' },
      this.category,
    );
    if (!answer.ok) throw venueError('wallet balance', answer);
    return parseWalletResult(answer.result);
  }

  async positions(): Promise<VenuePosition[] | null> {
    if (this.category !== 'linear') return null;
    const out: VenuePosition[] = [];
    await this.paged('/v5/position/list', { settleCoin: 'USDT', limit: 200 }, (item) => {
      const inst = this.specs.get(itemSymbol(item, 'position'));
      if (!inst) return;
      const p = parsePosition(inst.instrument, item);
      if (p.side === 'flat' || p.sizeLots === 0) return;
      out.push({
        symbol: p.symbol,
        lots: (p.side === 'buy' ? p.sizeLots : -(p.sizeLots as number)) as Lots,
        avgPrice: p.avgPrice,
      });
    });
    return out;
  }

  // ---- internals ------------------------------------------------------------------------------

  private async loadInstruments(): Promise<void> {
    const { instruments, skipped } = await loadInstruments(this.rest, this.category);
    this.specs.clear();
    for (const b of instruments)
      this.specs.set(b.spec.symbol, {
        spec: b.spec,
        instrument: defineInstrument(b.spec),
        trading: b.trading,
      });
    if (skipped.length > 0)
      this.notice(
        'info',
        'instruments_skipped',
        `Bybit listed ${skipped.length} instruments we cannot trade: ${skipped.slice(0, 3).join('; ')}`,
      );
  }

  private async armDcp(): Promise<void> {
    const window = this.options.dcpWindowS ?? 10;
    if (window <= 0) return;
    const product = this.category === 'spot' ? 'SPOT' : 'DERIVATIVES';
    const answer = await this.rest.signedPost(
      '/v5/order/disconnected-cancel-all',
      { product, timeWindow: window },
      this.category,
    );
    this.dcpActive = answer.ok;
    if (!answer.ok)
      this.notice(
        'warning',
        'dcp_unavailable',
        `Bybit disconnect cancel-all is off: ${answer.retMsg} (${answer.retCode}); orders stay up if this machine drops`,
      );
  }

  private privateTopics(): string[][] {
    const main = ['order', 'execution', 'wallet'];
    if (this.category === 'linear') main.push('position');
    const dcp =
      (this.options.dcpWindowS ?? 10) > 0 ? [[this.category === 'spot' ? 'dcp.spot' : 'dcp.future']] : [];
    return [main, ...dcp];
  }

  private onPrivateFrame(frame: Record<string, unknown>): void {
    if (this.waiter.offer(frame)) return;
    if (frame.op === 'subscribe') {
      if (frame.success === false)
        this.notice('warning', 'subscribe_refused', `Bybit private: ${text(frame.ret_msg, '')}`);
      return;
    }
    if (typeof frame.topic !== 'string') return;
    let parsed;
    try {
      parsed = parsePrivateFrame(frame);
    } catch (err) {
      this.notice('warning', 'bad_venue_frame', (err as Error).message);
      return;
    }
    const topic = parsed.topic.split('.')[0];
    // `wallet` and `position` pushes are not used: balances and positions are read at reconciliation.
    if (topic !== 'order' && topic !== 'execution') return;
    // Parse every item before applying any, so a bad frame changes nothing.
    const events: ExecutionEvent[] = [];
    const funding: FundingPayment[] = [];
    try {
      for (const item of parsed.data) {
        const inst = this.specs.get(itemSymbol(item, topic));
        if (!inst) continue;
        if (topic === 'order') events.push(parseOrder(inst.instrument, this.category, item));
        else {
          const e = parseExecution(inst.instrument, this.category, item);
          if (e.kind === 'fill') events.push(e.fill);
          else if (e.kind === 'funding') funding.push({ type: 'funding', ...withoutKind(e) });
        }
      }
    } catch (err) {
      this.notice('warning', 'bad_venue_frame', `${(err as Error).message}; reconciling`, undefined, true);
      return;
    }
    for (const e of events) this.emit(e);
    for (const f of funding) this.fund(f);
  }

  private fund(payment: FundingPayment): void {
    for (const l of this.fundingListeners) l(payment);
  }

  private emit(event: ExecutionEvent): void {
    for (const l of this.executionListeners) l(event);
  }

  private async paged(
    path: string,
    params: Record<string, string | number | undefined>,
    each: (item: unknown) => void,
  ): Promise<void> {
    let cursor: string | undefined;
    const seen = new Set<string>();
    for (let page = 0; page < 100; page++) {
      const answer = await this.rest.signedGet(
        path,
        { category: this.category, ...params, cursor },
        this.category,
      );
      if (!answer.ok) throw venueError(path, answer);
      const result = answer.result as { list?: unknown; nextPageCursor?: unknown };
      if (!Array.isArray(result.list))
        throw new EngineError('venue_error', `Bybit ${path}: the answer has no list`);
      for (const item of result.list) each(item);
      const next = typeof result.nextPageCursor === 'string' ? result.nextPageCursor : '';
      if (next === '' || seen.has(next)) return;
      seen.add(next);
      cursor = next;
    }
    throw new EngineError('venue_error', `Bybit ${path}: more than 100 pages; stopped`);
  }

  /** Linear reads need a symbol or a settle coin (A7). */
  private scope(symbol: string | undefined): Record<string, string> {
    return symbol === undefined && this.category === 'linear' ? { settleCoin: 'USDT' } : {};
  }

  private instrumentOf(symbol: string): Instrument {
    const s = this.specs.get(symbol);
    if (!s) throw new EngineError('invalid_input', `Bybit ${this.category} lists no instrument ${symbol}`);
    return s.instrument;
  }

  private known(symbol: string): VenueResult<Instrument> {
    const s = this.specs.get(symbol);
    if (!s) return reject('invalid_order', `Bybit ${this.category} lists no instrument ${symbol}`);
    if (!s.trading) return reject('invalid_order', `Bybit ${symbol} is not trading now`);
    return { ok: true, value: s.instrument };
  }

  private notice(
    severity: VenueNotice['severity'],
    code: string,
    message: string,
    symbol?: string,
    reconcile = false,
  ): void {
    const n: VenueNotice = { severity, code, message, symbol, reconcile };
    for (const l of this.noticeListeners) l(n);
  }

  private updateState(): void {
    if (this.state === 'disconnected' || this.state === 'connecting') {
      const up = this.allUp();
      if (up && this.state === 'connecting') this.setState('connected');
      return;
    }
    this.setState(this.allUp() ? 'connected' : 'reconnecting');
  }

  private allUp(): boolean {
    return [this.publicSocket, this.privateSocket, this.tradeSocket].every(
      (s) => s === null || s.connectionState() === 'connected',
    );
  }

  private setState(next: ConnectionState): void {
    if (next === this.state) return;
    this.state = next;
    for (const l of [...this.connectionListeners]) l(next);
  }
}

function ack(clientId: string, answer: TradeAnswer, clock: Clock): VenueResult<OrderAck> {
  if (!answer.ok) return refusal(answer);
  return { ok: true, value: { clientId, venueOrderId: answer.orderId, ts: answer.time || clock.now() } };
}

function refusal(answer: { retCode: number; retMsg: string }): {
  ok: false;
  code: VenueRejectCode;
  message: string;
} {
  if (answer.retCode === TRANSPORT_FAILED)
    return { ok: false, code: 'venue_unavailable', message: answer.retMsg };
  if (answer.retCode === THROTTLED_LOCALLY)
    return { ok: false, code: 'rate_limited', message: answer.retMsg };
  const r = rejectFromRetCode(answer.retCode, answer.retMsg);
  return { ok: false, code: r.code, message: r.message };
}

function reject<T>(code: 'invalid_order', message: string): VenueResult<T> {
  return { ok: false, code, message };
}

function withoutKind<T extends { kind: string }>(e: T): Omit<T, 'kind'> {
  const { kind: _kind, ...rest } = e;
  return rest;
}

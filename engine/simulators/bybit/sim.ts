import type { Clock, TimerHandle } from '../../core/clock.ts';
import { WallClock } from '../../core/clock.ts';
import type { Instrument } from '../../core/instrument.ts';
import type { MatchingEngine } from '../../venues/sim/matching-engine.ts';
import type { SyntheticMarket, SyntheticMarketConfig } from '../../venues/sim/synthetic-market.ts';
import { LoopbackServer } from '../common/loopback-server.ts';
import { accountFinder, endOfTurnSink } from '../common/accounts.ts';
import type { Account } from './account.ts';
import { BybitExchange } from './exchange.ts';
import type { BybitSimFaults, ConnectionKind } from './faults.ts';
import { FaultState } from './faults.ts';
import { orderWire } from './orders.ts';
import { RateLimiter } from './rate-limit.ts';
import { RestServer } from './rest-server.ts';
import type { Category } from './wire.ts';
import { maxActiveTime } from './ws-conn.ts';
import { PrivateStreams } from './ws-private.ts';
import { PublicStreams } from './ws-public.ts';
import { TradeStreams } from './ws-trade.ts';

export type { BybitSimFaults, ConnectionKind, PublicFault, PublicFaultOptions } from './faults.ts';
export type { Category } from './wire.ts';

export interface BybitSimOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** The account's credentials. The secret is only ever used to verify signatures. */
  apiKey: string;
  apiSecret: string;
  /** Seeds the background flow and the ids (default 1). */
  seed?: number;
  /** Time of the venue: the wall clock by default; with a SimClock nothing moves until it is advanced. */
  clock?: Clock;
  /** Starting balances of the account (default 1,000,000 USDT, 10 BTC, 200 ETH). */
  balances?: Readonly<Record<string, string>>;
  /** Funding period of the perpetuals in ms (default 8 h) and its rate (default "0.0001"). */
  fundingIntervalMs?: number;
  fundingRate?: string;
  /** Leverage of every perpetual position (default "10"). */
  leverage?: string;
  /** Private and trade sockets without any frame for this long are dropped (default 10 min; `max_active_time` overrides per socket). */
  idleTimeoutMs?: number;
  /** Per-second quota overrides, by path (`/v5/order/create`) or path and category (`/v5/order/create#spot`). */
  quotas?: Readonly<Record<string, number>>;
  /** Background order flow of every market (rates, volatility…), e.g. a calmer market for a test. */
  flow?: Partial<Omit<SyntheticMarketConfig, 'startPrice'>>;
  /** Closed orders and executions remembered per account (default 10,000). */
  historyLimit?: number;
}

/** A running simulator. Inspection returns wire-shaped copies (decimal strings, as the venue prints them). */
export interface BybitSim {
  /** http://127.0.0.1:PORT */
  readonly rest: string;
  /** ws://127.0.0.1:PORT (streams at /v5/public/spot, /v5/public/linear, /v5/private, /v5/trade) */
  readonly ws: string;
  readonly port: number;
  readonly faults: BybitSimFaults;
  /** Adds an account for another API key (default balances as the first). */
  addAccount(apiKey: string, apiSecret: string, balances?: Readonly<Record<string, string>>): void;
  /** Open orders of an account (the first by default), newest first, as GET /v5/order/realtime items plus `category`. */
  openOrders(options?: { apiKey?: string; category?: Category }): Record<string, unknown>[];
  /** Per coin: walletBalance, the part spot orders lock, and what is free for new orders. */
  balances(apiKey?: string): Record<string, { walletBalance: string; locked: string; free: string }>;
  /** Perpetual positions with a non-zero size, as GET /v5/position/list items. */
  positions(apiKey?: string): Record<string, unknown>[];
  /** Open WebSocket connections by stream kind. */
  connections(): { public: number; private: number; trade: number };
  /** The live internals of one market, for tests that drive the book directly. */
  market(
    category: Category,
    symbol: string,
  ): { instrument: Instrument; engine: MatchingEngine; background: SyntheticMarket };
  /** Stops the markets and timers, drops every connection and closes the server. */
  close(): Promise<void>;
}

const DEFAULT_BALANCES: Readonly<Record<string, string>> = { USDT: '1000000', BTC: '10', ETH: '200' };
const DEFAULT_IDLE_MS = 600_000;

/**
 * Starts a Bybit v5 protocol simulator on 127.0.0.1: REST and the four WebSocket streams on one
 * port, backed by the embedded matching engine and synthetic markets (spot BTCUSDT and ETHUSDT,
 * USDT perpetuals BTCUSDT and ETHUSDT), with one unified account for the given key.
 */
export async function startBybitSim(options: BybitSimOptions): Promise<BybitSim> {
  const clock = options.clock ?? new WallClock();
  const exchange = new BybitExchange({
    clock,
    seed: options.seed ?? 1,
    fundingIntervalMs: options.fundingIntervalMs ?? 8 * 3600 * 1000,
    fundingRate: options.fundingRate ?? '0.0001',
    leverage: options.leverage ?? '10',
    historyLimit: options.historyLimit ?? 10_000,
    ...(options.flow === undefined ? {} : { flow: options.flow }),
  });
  const ids = exchange.ids;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_MS;
  if (!(idleMs > 0)) throw new RangeError('idleTimeoutMs must be positive');
  const limiter = new RateLimiter(options.quotas);
  const faults: FaultState = new FaultState(clock, {
    drop: (kind) => drop(kind),
    publicStream: (fault, faultOptions) => publicStreams.fault(fault, faultOptions),
  });
  const publicStreams = new PublicStreams({ exchange, clock, ids });
  const privateStreams = new PrivateStreams({ exchange, clock, ids, faults });
  const tradeStreams = new TradeStreams({ exchange, clock, ids, faults, limiter });
  const rest = new RestServer({ exchange, clock, ids, limiter, faults });

  const addAccount = (
    apiKey: string,
    apiSecret: string,
    balances?: Readonly<Record<string, string>>,
  ): Account => {
    const account = exchange.accounts.add(
      apiKey,
      apiSecret,
      balances ?? options.balances ?? DEFAULT_BALANCES,
    );
    // Answers first, pushes at the end of the turn (after the trade socket's or REST's answer is
    // written); the faults can still reorder them.
    account.sink = endOfTurnSink((push) => {
      privateStreams.deliver(account, push);
    });
    return account;
  };
  const first = addAccount(options.apiKey, options.apiSecret, options.balances);
  const accountOf = accountFinder(first, (apiKey) => exchange.accounts.get(apiKey));

  const http = new LoopbackServer({
    listener: rest.listener,
    route: (url) => {
      const path = url.pathname;
      const known =
        path === '/v5/public/spot' ||
        path === '/v5/public/linear' ||
        path === '/v5/private' ||
        path === '/v5/trade';
      const active = maxActiveTime(url.searchParams);
      if (!known) return { status: 404, reason: 'Not Found' };
      if (active === null) return { status: 400, reason: 'Bad Request' };
      return (ws) => {
        if (path === '/v5/public/spot') publicStreams.attach(ws, 'spot');
        else if (path === '/v5/public/linear') publicStreams.attach(ws, 'linear');
        else if (path === '/v5/private') privateStreams.attach(ws, active ?? idleMs);
        else tradeStreams.attach(ws, active ?? idleMs);
      };
    },
  });

  function drop(kind: ConnectionKind | 'all'): number {
    let n = 0;
    if (kind === 'public' || kind === 'all') n += publicStreams.drop();
    if (kind === 'private' || kind === 'all') n += privateStreams.drop();
    if (kind === 'trade' || kind === 'all') n += tradeStreams.drop();
    if (kind === 'rest' || kind === 'all') n += http.dropHttp();
    return n;
  }

  // The venue checks idle private sockets about every 30 s; a shorter limit is checked more often.
  const sweepMs = Math.max(5, Math.min(30_000, idleMs / 4));
  const sweeper: TimerHandle = clock.setInterval(() => {
    const now = clock.now();
    privateStreams.sweep(now);
    tradeStreams.sweep(now);
  }, sweepMs);

  const port = await http.listen(options.port ?? 0);
  exchange.start();

  return {
    rest: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    port,
    faults,
    addAccount: (apiKey, apiSecret, balances) => {
      addAccount(apiKey, apiSecret, balances);
    },
    openOrders: (q = {}) =>
      accountOf(q.apiKey)
        .openOrders(q.category)
        .map((o) => orderWire(o, true)),
    balances: (apiKey) => {
      const account = accountOf(apiKey);
      const out: Record<string, { walletBalance: string; locked: string; free: string }> = {};
      for (const coin of account.ledger.assets(account.spotOwner)) {
        const linear = coin === 'USDT' ? account.positions.lockedByLinear() : undefined;
        const locked = account.ledger.locked(account.spotOwner, coin);
        out[coin] = {
          walletBalance: account.ledger.total(account.spotOwner, coin).toFixed(),
          locked: (linear === undefined ? locked : locked.minus(linear)).toFixed(),
          free: account.ledger.free(account.spotOwner, coin).toFixed(),
        };
      }
      return out;
    },
    positions: (apiKey) => {
      const positions = accountOf(apiKey).positions;
      return positions
        .all()
        .filter((p) => p.size !== 0)
        .map((p) => positions.wire(p, false));
    },
    connections: () => ({
      public: publicStreams.count(),
      private: privateStreams.count(),
      trade: tradeStreams.count(),
    }),
    market: (category, symbol) => {
      const m = exchange.market(category, symbol);
      if (m === undefined) throw new Error(`no ${category} market ${symbol}`);
      return { instrument: m.instrument, engine: m.engine, background: m.background };
    },
    close: () =>
      http.close(() => {
        clock.clearTimer(sweeper);
        faults.clear();
        exchange.stop();
        rest.stop();
        publicStreams.stop();
        privateStreams.stop();
        tradeStreams.stop();
      }),
  };
}

import type { Clock, TimerHandle } from '../../core/clock.ts';
import { WallClock } from '../../core/clock.ts';
import type { Instrument } from '../../core/instrument.ts';
import type { MatchingEngine } from '../../venues/sim/matching-engine.ts';
import type { SyntheticMarket, SyntheticMarketConfig } from '../../venues/sim/synthetic-market.ts';
import { LoopbackServer } from '../common/loopback-server.ts';
import { accountFinder, endOfTurnSink } from '../common/accounts.ts';
import type { MexcAccount } from './account.ts';
import { MexcExchange } from './exchange.ts';
import type { ConnectionKind, MexcSimFaults } from './faults.ts';
import { FaultState } from './faults.ts';
import { DEFAULT_KEY_TTL_MS } from './listen-keys.ts';
import { orderObject } from './orders.ts';
import type { RateBudget } from './rate-limit.ts';
import { MexcRateLimiter } from './rate-limit.ts';
import { RestServer } from './rest-server.ts';
import type { LimitMakerCross } from './trading.ts';
import type { WsLimits } from './ws-streams.ts';
import { DEFAULT_WS_LIMITS, WsStreams } from './ws-streams.ts';

export type { BadFrame, ConnectionKind, MexcSimFaults } from './faults.ts';
export type { LimitMakerCross } from './trading.ts';
export type { WsLimits } from './ws-streams.ts';

export interface MexcSimOptions {
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
  /** Background order flow of every market, over each symbol's own (e.g. a calmer market for a test). */
  flow?: Partial<Omit<SyntheticMarketConfig, 'startPrice'>>;
  /** What a LIMIT_MAKER order that would take gets (default `cancel`; see trading.ts). */
  limitMakerCross?: LimitMakerCross;
  /** Lifetime of a listen key (default 60 min). */
  listenKeyTtlMs?: number;
  /** WebSocket limits (defaults: the venue's 30 subscriptions, 100 msg/s, 30 s, 60 s). */
  ws?: Partial<WsLimits>;
  /** The per-endpoint REST budget (default 500 weight per 10 s). */
  rateLimit?: Partial<RateBudget>;
  /** Closed orders and fills remembered per account (default 10,000). */
  historyLimit?: number;
}

/** A running simulator. Inspection returns wire-shaped copies (decimal strings, as the venue prints them). */
export interface MexcSim {
  /** http://127.0.0.1:PORT (endpoints under /api/v3) */
  readonly rest: string;
  /** ws://127.0.0.1:PORT/ws (private streams: `?listenKey=KEY`) */
  readonly ws: string;
  readonly port: number;
  readonly faults: MexcSimFaults;
  /** Adds an account for another API key (default balances as the first). */
  addAccount(apiKey: string, apiSecret: string, balances?: Readonly<Record<string, string>>): void;
  /** Open orders of an account (the first by default), oldest first, as GET /api/v3/openOrders items. */
  openOrders(apiKey?: string): Record<string, unknown>[];
  /** Per asset, what is free and what open orders lock, as GET /api/v3/account prints them. */
  balances(apiKey?: string): Record<string, { free: string; locked: string }>;
  /** Open WebSocket connections: public, and opened with a listen key. */
  connections(): { public: number; private: number };
  /** The live internals of one market, for tests that drive the book directly. */
  market(symbol: string): { instrument: Instrument; engine: MatchingEngine; background: SyntheticMarket };
  /** Stops the markets and timers, drops every connection and closes the server. */
  close(): Promise<void>;
}

const DEFAULT_BALANCES: Readonly<Record<string, string>> = { USDT: '1000000', BTC: '10', ETH: '200' };

/**
 * Starts a MEXC spot v3 protocol simulator on 127.0.0.1: REST under /api/v3 and the protobuf
 * WebSocket at /ws on one port, backed by the embedded matching engine and synthetic markets
 * (BTCUSDT and ETHUSDT trading, LUNAUSDT paused), with one spot account for the given key.
 */
export async function startMexcSim(options: MexcSimOptions): Promise<MexcSim> {
  const clock = options.clock ?? new WallClock();
  const exchange = new MexcExchange({
    clock,
    seed: options.seed ?? 1,
    historyLimit: options.historyLimit ?? 10_000,
    limitMakerCross: options.limitMakerCross ?? 'cancel',
    listenKeyTtlMs: options.listenKeyTtlMs ?? DEFAULT_KEY_TTL_MS,
    ...(options.flow === undefined ? {} : { flow: options.flow }),
  });
  const limits: WsLimits = { ...DEFAULT_WS_LIMITS, ...options.ws };
  for (const [name, value] of Object.entries(limits)) {
    if (!(typeof value === 'number' && value > 0)) throw new RangeError(`ws.${name} must be positive`);
  }
  const limiter = new MexcRateLimiter(options.rateLimit);
  const faults: FaultState = new FaultState(clock, {
    drop: (kind) => drop(kind),
    depthGap: (symbol) =>
      exchange
        .all()
        .filter((s) => symbol === undefined || s.market.symbol === symbol)
        .reduce((n, s) => n + s.feed.gap(), 0),
    badFrame: (kind, symbol) => streams.badFrame(kind, symbol),
  });
  const streams = new WsStreams({ exchange, clock, faults, limits });
  exchange.listenKeys.onGone = (key) => {
    streams.keyGone(key);
  };
  const rest = new RestServer({ exchange, clock, limiter, faults });

  const addAccount = (
    apiKey: string,
    apiSecret: string,
    balances?: Readonly<Record<string, string>>,
  ): MexcAccount => {
    const account = exchange.accounts.add(
      apiKey,
      apiSecret,
      balances ?? options.balances ?? DEFAULT_BALANCES,
    );
    account.rememberBalances();
    // Answers first, pushes at the end of the turn (after the REST answer is written); the faults
    // can still reorder them.
    account.sink = endOfTurnSink((push) => {
      streams.deliver(account, push);
    });
    return account;
  };
  const first = addAccount(options.apiKey, options.apiSecret, options.balances);
  const accountOf = accountFinder(first, (apiKey) => exchange.accounts.get(apiKey));

  const http = new LoopbackServer({
    listener: rest.listener,
    route: (url) => {
      if (url.pathname !== '/ws') return { status: 404, reason: 'Not Found' };
      const listenKey = url.searchParams.get('listenKey') ?? undefined;
      return (ws) => {
        streams.attach(ws, listenKey);
      };
    },
  });

  function drop(kind: ConnectionKind | 'all'): number {
    let n = 0;
    if (kind !== 'rest') n += streams.drop(kind);
    if (kind === 'rest' || kind === 'all') n += http.dropHttp();
    return n;
  }

  // Time limits are checked a few times per the shortest of them; listen keys expire on the way.
  const sweepMs = Math.max(5, Math.min(5000, limits.noSubscriptionMs / 4, limits.idleMs / 4));
  const sweeper: TimerHandle = clock.setInterval(() => {
    exchange.listenKeys.expire();
    streams.sweep(clock.now());
  }, sweepMs);

  const port = await http.listen(options.port ?? 0);
  exchange.start();

  return {
    rest: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}/ws`,
    port,
    faults,
    addAccount: (apiKey, apiSecret, balances) => {
      addAccount(apiKey, apiSecret, balances);
    },
    openOrders: (apiKey) => accountOf(apiKey).openOrders().map(orderObject),
    balances: (apiKey) => {
      const { ledger, owner } = accountOf(apiKey);
      const out: Record<string, { free: string; locked: string }> = {};
      for (const asset of ledger.assets(owner)) {
        out[asset] = {
          free: ledger.free(owner, asset).toFixed(),
          locked: ledger.locked(owner, asset).toFixed(),
        };
      }
      return out;
    },
    connections: () => streams.count(),
    market: (symbol) => {
      const s = exchange.symbol(symbol);
      if (s === undefined) throw new Error(`no market ${symbol}`);
      return { instrument: s.market.instrument, engine: s.market.engine, background: s.market.background };
    },
    close: () =>
      http.close(() => {
        clock.clearTimer(sweeper);
        faults.clear();
        exchange.stop();
        rest.stop();
        streams.stop();
      }),
  };
}

import type { RawData, WebSocket } from 'ws';
import type { Clock } from '../../core/clock.ts';
import { encodePush } from '../../venues/mexc/proto/codec.ts';
import type { MexcAccount, PrivateChannel, PrivatePush } from './account.ts';
import { PRIVATE_CHANNELS } from './account.ts';
import type { MexcExchange } from './exchange.ts';
import type { BadFrame, FaultState } from './faults.ts';
import { CONNECTIONS_PER_KEY } from './listen-keys.ts';
import type { BinarySink } from './market-feed.ts';
import { isRecord, wireMs } from './wire.ts';

/** The venue's WebSocket limits (B6, B9); the simulator takes shorter ones for tests. */
export interface WsLimits {
  /** Subscriptions per connection (30). */
  readonly maxSubscriptions: number;
  /** Client messages per rolling second before the connection is cut (100). */
  readonly maxMessagesPerSecond: number;
  /** A connection without a valid subscription is closed after this long (30 s). */
  readonly noSubscriptionMs: number;
  /** A subscribed connection that sends nothing (no PING) for this long is closed (60 s). */
  readonly idleMs: number;
}

export const DEFAULT_WS_LIMITS: WsLimits = {
  maxSubscriptions: 30,
  maxMessagesPerSecond: 100,
  noSubscriptionMs: 30_000,
  idleMs: 60_000,
};

/** The text the venue sends on a connection whose listen key is not valid (B7, as ccxt expects it). */
export const INVALID_LISTEN_KEY = 'Invalid listen key';

interface Conn {
  readonly ws: WebSocket;
  readonly account: MexcAccount | undefined;
  readonly listenKey: string | undefined;
  /** Public subscriptions with the function that ends each. */
  readonly publicSubs: Map<string, { symbol: string; end: () => void }>;
  readonly privateSubs: Set<PrivateChannel>;
  lastActivity: number;
  /** When the connection last had no subscription (its opening, or its last unsubscription). */
  emptySince: number;
  /** Times of the client messages of the last second. */
  readonly recent: number[];
}

const PUBLIC_CHANNEL =
  /^spot@public\.[A-Za-z.]+\.v3\.api\.pb@(?:(?:100ms|10ms)@([A-Z0-9]{2,30})|([A-Z0-9]{2,30})@\d{1,2})$/;

/**
 * The WebSocket at /ws (B9): JSON control messages (SUBSCRIPTION, UNSUBSCRIPTION, PING) answered
 * with `{"id","code":0,"msg"}`, binary protobuf pushes, the limits of B6 and B9, and the private
 * channels on connections opened with a valid `?listenKey=` (at most five per key). A channel the
 * simulator does not serve, a private channel on a public connection and a subscription past the
 * limit fail with the venue's "Not Subscribed successfully!" text; the others in the same request
 * are subscribed and acknowledged.
 */
export class WsStreams {
  private readonly exchange: MexcExchange;
  private readonly clock: Clock;
  private readonly faults: FaultState;
  private readonly limits: WsLimits;
  private readonly conns = new Set<Conn>();

  constructor(options: { exchange: MexcExchange; clock: Clock; faults: FaultState; limits: WsLimits }) {
    this.exchange = options.exchange;
    this.clock = options.clock;
    this.faults = options.faults;
    this.limits = options.limits;
  }

  /** Serves a new connection; `listenKey` is the query's, when the URL has one. */
  attach(ws: WebSocket, listenKey: string | undefined): void {
    let account: MexcAccount | undefined;
    if (listenKey !== undefined) {
      account = this.exchange.listenKeys.owner(listenKey);
      if (account === undefined) {
        refuseConnection(ws, INVALID_LISTEN_KEY);
        return;
      }
      if (this.onKey(listenKey).length >= CONNECTIONS_PER_KEY) {
        refuseConnection(ws, `Too many connections for this listen key (at most ${CONNECTIONS_PER_KEY})`);
        return;
      }
    }
    const now = this.clock.now();
    const conn: Conn = {
      ws,
      account,
      listenKey,
      publicSubs: new Map(),
      privateSubs: new Set(),
      lastActivity: now,
      emptySince: now,
      recent: [],
    };
    this.conns.add(conn);
    const touch = (): void => {
      conn.lastActivity = this.clock.now();
    };
    ws.on('ping', touch);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      touch();
      if (!this.withinRate(conn)) return;
      if (isBinary) return;
      let value: unknown;
      try {
        value = JSON.parse(rawText(data));
      } catch {
        return;
      }
      if (isRecord(value)) this.onMessage(conn, value);
    });
    ws.on('close', () => {
      this.end(conn);
    });
    ws.on('error', () => {
      ws.terminate();
    });
  }

  /** Sends one of an account's pushes to its connections subscribed to the push's channel. */
  deliver(account: MexcAccount, push: PrivatePush): void {
    for (const conn of this.conns) {
      if (conn.account !== account || !conn.privateSubs.has(push.channel)) continue;
      this.faults.sendPrivate((frame) => {
        sendBinary(conn, frame);
      }, push.frame);
    }
  }

  /** Closes the connections of a listen key that was closed or expired. */
  keyGone(key: string): void {
    for (const conn of this.onKey(key)) conn.ws.close(1000, 'listen key is no longer valid');
  }

  count(): { public: number; private: number } {
    let priv = 0;
    for (const c of this.conns) if (c.listenKey !== undefined) priv++;
    return { public: this.conns.size - priv, private: priv };
  }

  drop(kind: 'public' | 'private' | 'all'): number {
    let n = 0;
    for (const c of this.conns) {
      const isPrivate = c.listenKey !== undefined;
      if (kind === 'all' || (kind === 'private') === isPrivate) {
        c.ws.terminate();
        n++;
      }
    }
    return n;
  }

  /** Closes connections past the B9 time limits; returns how many. */
  sweep(now: number): number {
    let n = 0;
    for (const c of this.conns) {
      const subscribed = c.publicSubs.size + c.privateSubs.size > 0;
      const expired = subscribed
        ? now - c.lastActivity > this.limits.idleMs
        : now - c.emptySince > this.limits.noSubscriptionMs;
      if (!expired) continue;
      c.ws.close(1000, subscribed ? 'no ping' : 'no valid subscription');
      this.end(c);
      n++;
    }
    return n;
  }

  /** A bad frame on the public streams (faults.ts); returns how many connections or streams got it. */
  badFrame(kind: BadFrame, symbol: string | undefined): number {
    const symbols = this.exchange.all().filter((s) => symbol === undefined || s.market.symbol === symbol);
    if (kind === 'off-precision') return symbols.reduce((n, s) => n + s.feed.offPrecision(), 0);
    const name = symbol ?? 'BTCUSDT';
    const frame =
      kind === 'undecodable'
        ? // Field 1 (channel) announces 127 bytes and 3 follow: no decoder can read it.
          Uint8Array.from([0x0a, 0x7f, 0x73, 0x70, 0x6f])
        : encodePush({
            channel: `spot@public.mystery.v3.api.pb@100ms@${name}`,
            symbol: name,
            sendTime: wireMs(this.clock.now()),
            publicAggreDeals: { deals: [], eventType: 'spot@public.mystery.v3.api.pb@100ms' },
          });
    let n = 0;
    for (const c of this.conns) {
      const listening = [...c.publicSubs.values()].some((s) => symbol === undefined || s.symbol === symbol);
      if (!listening) continue;
      sendBinary(c, frame);
      n++;
    }
    return n;
  }

  stop(): void {
    for (const c of this.conns) {
      c.ws.terminate();
      this.end(c);
    }
  }

  // ---- messages --------------------------------------------------------------------------------

  private withinRate(conn: Conn): boolean {
    const now = this.clock.now();
    conn.recent.push(now);
    let drop = 0;
    while (drop < conn.recent.length && conn.recent[drop]! <= now - 1000) drop++;
    if (drop > 0) conn.recent.splice(0, drop);
    if (conn.recent.length <= this.limits.maxMessagesPerSecond) return true;
    conn.ws.terminate();
    this.end(conn);
    return false;
  }

  private onMessage(conn: Conn, message: Record<string, unknown>): void {
    const rawId = message['id'];
    const id = typeof rawId === 'number' && Number.isSafeInteger(rawId) && rawId >= 0 ? rawId : 0;
    const method = typeof message['method'] === 'string' ? message['method'].toUpperCase() : '';
    const reply = (msg: string): void => {
      sendText(conn, JSON.stringify({ id, code: 0, msg }));
    };
    if (method === 'PING') {
      reply('PONG');
      return;
    }
    if (method !== 'SUBSCRIPTION' && method !== 'UNSUBSCRIPTION') {
      // The venue documents no answer to another method; a non-zero code tells it from an ack.
      sendText(
        conn,
        JSON.stringify({ id, code: 1, msg: `Unsupported method: ${String(message['method'])}` }),
      );
      return;
    }
    const params = message['params'];
    const channels = Array.isArray(params) ? params.filter((p): p is string => typeof p === 'string') : [];
    if (channels.length === 0) {
      reply('Not Subscribed successfully! [].  Reason： Blocked!');
      return;
    }
    if (method === 'UNSUBSCRIPTION') {
      for (const channel of channels) this.unsubscribe(conn, channel);
      if (conn.publicSubs.size + conn.privateSubs.size === 0) conn.emptySince = this.clock.now();
      reply(channels.join(','));
      return;
    }
    const done: string[] = [];
    const blocked: string[] = [];
    const overLimit: string[] = [];
    for (const channel of channels) {
      const outcome = this.subscribe(conn, channel);
      if (outcome === 'ok') done.push(channel);
      else if (outcome === 'limit') overLimit.push(channel);
      else blocked.push(channel);
    }
    if (done.length > 0) reply(done.join(','));
    if (blocked.length > 0) reply(`Not Subscribed successfully! [${blocked.join(',')}].  Reason： Blocked!`);
    if (overLimit.length > 0) {
      reply(
        `Not Subscribed successfully! [${overLimit.join(',')}].  Reason： at most ${this.limits.maxSubscriptions} subscriptions per connection`,
      );
    }
  }

  private subscribe(conn: Conn, channel: string): 'ok' | 'blocked' | 'limit' {
    if (conn.publicSubs.has(channel) || conn.privateSubs.has(channel as PrivateChannel)) return 'ok';
    const privateChannel = (PRIVATE_CHANNELS as readonly string[]).includes(channel);
    let symbolName: string | undefined;
    if (privateChannel) {
      if (conn.account === undefined) return 'blocked';
    } else {
      const m = PUBLIC_CHANNEL.exec(channel);
      symbolName = m?.[1] ?? m?.[2];
      const symbol = symbolName === undefined ? undefined : this.exchange.symbol(symbolName);
      if (symbol === undefined || !symbol.feed.serves(channel)) return 'blocked';
    }
    if (conn.publicSubs.size + conn.privateSubs.size >= this.limits.maxSubscriptions) return 'limit';
    if (privateChannel) {
      conn.privateSubs.add(channel as PrivateChannel);
      return 'ok';
    }
    const feed = this.exchange.symbol(symbolName!)!.feed;
    const sink: BinarySink = (frame) => {
      sendBinary(conn, frame);
    };
    conn.publicSubs.set(channel, {
      symbol: symbolName!,
      end: () => {
        feed.unsubscribe(channel, sink);
      },
    });
    feed.subscribe(channel, sink);
    return 'ok';
  }

  private unsubscribe(conn: Conn, channel: string): void {
    conn.privateSubs.delete(channel as PrivateChannel);
    const sub = conn.publicSubs.get(channel);
    if (sub === undefined) return;
    sub.end();
    conn.publicSubs.delete(channel);
  }

  private onKey(key: string): Conn[] {
    return [...this.conns].filter((c) => c.listenKey === key);
  }

  private end(conn: Conn): void {
    if (!this.conns.delete(conn)) return;
    for (const sub of conn.publicSubs.values()) sub.end();
    conn.publicSubs.clear();
    conn.privateSubs.clear();
  }
}

function refuseConnection(ws: WebSocket, text: string): void {
  ws.send(text);
  ws.close(1008, 'refused');
}

function sendText(conn: Conn, text: string): void {
  if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(text);
}

function sendBinary(conn: Conn, frame: Uint8Array): void {
  if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(frame, { binary: true });
}

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

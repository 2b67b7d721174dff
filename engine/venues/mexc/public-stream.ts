import type { Clock, TimerHandle } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import type { Instrument } from '../../core/instrument.ts';
import type { BookDelta, BookMessage, BookSnapshot } from '../../market/types.ts';
import type { ConnectionState, MarketListener, Unsubscribe, VenueNotice } from '../venue.ts';
import {
  bookFromSnapshot,
  depthUpdateFromPush,
  tradesFromPush,
  type DepthSnapshot,
  type DepthUpdate,
} from './messages.ts';
import { decodePush, type PushWrapper } from './proto/codec.ts';
import { DepthFrameScanner, depthUpdateFromFrame } from './proto/depth-decoder.ts';
import { MEXC_MAX_CHANNELS, MexcSocket, type MexcSocketOptions } from './socket.ts';

export type { DepthSnapshot } from './messages.ts';

export interface MexcPublicStreamOptions {
  clock: Clock;
  /** The stream's address: `wss://wbs-api.mexc.com/ws`, or a simulator's `ws://127.0.0.1:PORT/ws`. */
  url: string;
  instrument: (symbol: string) => Instrument | undefined;
  /** GET /api/v3/depth?symbol=S&limit=1000; rejects on failure. */
  snapshot: (symbol: string) => Promise<DepthSnapshot>;
  onNotice: (notice: VenueNotice) => void;
  /** The push interval of both channels; default '10ms'. */
  interval?: '100ms' | '10ms';
  /** Heartbeat, backoff and jitter of the sockets (tests pin them). */
  socket?: Pick<
    MexcSocketOptions,
    'pingIntervalMs' | 'pongTimeoutMs' | 'ackTimeoutMs' | 'backoff' | 'random'
  >;
  /** Delay between snapshot retries after the first, which is immediate. */
  snapshotBackoff?: { baseMs: number; maxMs: number };
  /** Connections at most (15 symbols each); default 20. */
  maxConnections?: number;
}

/** Each symbol takes two channels (depth and deals) of the 30 a connection may carry. */
const SYMBOLS_PER_LINK = MEXC_MAX_CHANNELS / 2;
/** Pushes kept while a snapshot is on its way; older ones are dropped (the snapshot then resyncs). */
const BUFFER_LIMIT = 2000;

interface Link {
  readonly socket: MexcSocket;
  readonly symbols: Set<string>;
}

/**
 * Where a symbol's book is: `waiting` for the venue to confirm its channels, fetching a `snapshot`
 * (pushes buffered meanwhile), `live` (pushes checked and passed on), or `refused` by the venue.
 */
type Phase = 'waiting' | 'snapshot' | 'live' | 'refused';

interface Subscription {
  readonly symbol: string;
  readonly instrument: Instrument;
  readonly listeners: Set<MarketListener>;
  readonly link: Link;
  readonly depth: string;
  readonly deals: string;
  phase: Phase;
  buffer: DepthUpdate[];
  chain: Chain;
  /** Snapshot retries since the book was last live; the first resync is immediate, later ones back off. */
  retries: number;
  retryTimer: TimerHandle | undefined;
  inFlight: boolean;
  /** A snapshot requested while one was in flight: the one in flight is stale when it lands. */
  again: boolean;
}

/**
 * Where the version chain stands: the version the book is at, and whether a push has been applied
 * on top of the snapshot yet (until then a push may overlap the snapshot, afterwards each must start
 * right after the last).
 */
interface Chain {
  version: number;
  anchored: boolean;
}

type Step = { kind: 'stale' } | { kind: 'gap'; reason: string } | { kind: 'ok'; delta: BookDelta | null };

/**
 * The book-maintenance rules (exchange-apis.md B9), applied to one push: drop a push that ends
 * before the snapshot; the first one kept must overlap the snapshot or start right after it (a
 * snapshot taken between two pushes is followed by one starting at version + 1, which the doc's
 * literal "contains" would wrongly call a gap); every later one must start at the last toVersion + 1.
 */
function step(chain: Chain, u: DepthUpdate): Step {
  if (!chain.anchored) {
    if (u.toVersion < chain.version) return { kind: 'stale' };
    if (u.fromVersion > chain.version + 1)
      return {
        kind: 'gap',
        reason: `the first push after snapshot version ${chain.version} starts at ${u.fromVersion}`,
      };
    const prev = chain.version;
    chain.anchored = true;
    // A push ending at the snapshot's version holds nothing the snapshot does not.
    if (u.toVersion === prev) return { kind: 'ok', delta: null };
    chain.version = u.toVersion;
    return { kind: 'ok', delta: delta(u, prev) };
  }
  if (u.fromVersion !== chain.version + 1)
    return {
      kind: 'gap',
      reason: `push versions ${u.fromVersion}-${u.toVersion} do not follow ${chain.version}`,
    };
  chain.version = u.toVersion;
  return { kind: 'ok', delta: delta(u, u.fromVersion - 1) };
}

/** seq is the push's toVersion, prevSeq the version it continues, so OrderBook checks the chain too. */
function delta(u: DepthUpdate, prevSeq: number): BookDelta {
  return { kind: 'delta', symbol: u.symbol, seq: u.toVersion, prevSeq, ts: u.ts, bids: u.bids, asks: u.asks };
}

/**
 * MEXC spot books and trades over the protobuf stream: `spot@public.aggre.depth.v3.api.pb` and
 * `spot@public.aggre.deals.v3.api.pb` per symbol, 15 symbols to a connection (30 channels), more
 * connections opened as symbols are added. A book starts from the REST snapshot and continues with
 * the pushes that chain onto it; listeners hear a snapshot first, then deltas in ticks and lots.
 *
 * A frame that cannot be used (undecodable, a version gap, a channel we did not subscribe, a price
 * off the grid) is applied to nothing: the symbol's listeners hear `onFeedError`, a notice goes out
 * and the book is rebuilt from a fresh snapshot. After a dropped connection every channel is
 * subscribed again and every book on it taken afresh.
 */
export class MexcPublicStream {
  private readonly options: MexcPublicStreamOptions;
  private readonly clock: Clock;
  private readonly interval: '100ms' | '10ms';
  private readonly maxLinks: number;
  private readonly links: Link[] = [];
  private readonly subs = new Map<string, Subscription>();
  /** channel → the symbol it belongs to. */
  private readonly routes = new Map<string, { sub: Subscription; kind: 'depth' | 'deals' }>();
  /** Channels given up: pushes still in flight on them are dropped without a notice. */
  private readonly retired = new Set<string>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private readonly depthFrames = new DepthFrameScanner();
  private state: ConnectionState = 'disconnected';
  private wanted = false;
  private connecting = false;
  private linkCount = 0;

  constructor(options: MexcPublicStreamOptions) {
    this.options = options;
    this.clock = options.clock;
    this.interval = options.interval ?? '10ms';
    this.maxLinks = options.maxConnections ?? 20;
  }

  // ---- connection -----------------------------------------------------------------------------

  async connect(): Promise<void> {
    if (this.wanted && this.state === 'connected') return;
    this.wanted = true;
    this.connecting = true;
    this.setState('connecting');
    if (this.links.length === 0) this.links.push(this.newLink());
    try {
      await Promise.all(this.links.map((l) => l.socket.connect()));
    } catch (err) {
      this.connecting = false;
      await this.disconnect();
      throw new EngineError(
        'unavailable',
        `MEXC public stream: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    this.connecting = false;
    this.updateState();
  }

  async disconnect(): Promise<void> {
    this.wanted = false;
    for (const sub of this.subs.values()) this.reset(sub);
    await Promise.all(this.links.map((l) => l.socket.disconnect()));
    this.setState('disconnected');
  }

  /**
   * `connected` while every connection that carries symbols is up; `reconnecting` while one of them
   * is re-establishing (its books are then rebuilt). A connection opened for new symbols does not
   * make the stream `reconnecting`: those symbols simply have no book yet.
   */
  connectionState(): ConnectionState {
    return this.state;
  }

  onConnection(listener: (s: ConnectionState) => void): Unsubscribe {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  // ---- subscriptions --------------------------------------------------------------------------

  /**
   * Books (a snapshot, then deltas) and trades of one symbol. Throws an EngineError for a symbol
   * without an instrument, or when every connection allowed is full.
   */
  subscribe(symbol: string, listener: MarketListener): Unsubscribe {
    let sub = this.subs.get(symbol);
    if (!sub) {
      sub = this.add(symbol);
    } else if (sub.phase === 'live') {
      // A second listener needs a snapshot too; the others just take the fresh one.
      this.resync(sub);
    }
    sub.listeners.add(listener);
    const mine = sub;
    return () => {
      if (this.subs.get(symbol) !== mine) return;
      mine.listeners.delete(listener);
      if (mine.listeners.size === 0) this.remove(mine);
    };
  }

  private add(symbol: string): Subscription {
    const instrument = this.options.instrument(symbol);
    if (!instrument) throw new EngineError('invalid_input', `MEXC lists no instrument ${symbol}`);
    const link = this.linkWithRoom();
    const sub: Subscription = {
      symbol,
      instrument,
      listeners: new Set(),
      link,
      depth: `spot@public.aggre.depth.v3.api.pb@${this.interval}@${symbol}`,
      deals: `spot@public.aggre.deals.v3.api.pb@${this.interval}@${symbol}`,
      phase: 'waiting',
      buffer: [],
      chain: { version: 0, anchored: false },
      retries: 0,
      retryTimer: undefined,
      inFlight: false,
      again: false,
    };
    this.subs.set(symbol, sub);
    link.symbols.add(symbol);
    for (const [channel, kind] of [
      [sub.depth, 'depth'],
      [sub.deals, 'deals'],
    ] as const) {
      this.routes.set(channel, { sub, kind });
      this.retired.delete(channel);
    }
    // While the link is down its next connect subscribes these with the rest.
    link.socket.subscribe([sub.depth, sub.deals]);
    if (this.wanted && !link.socket.isWanted()) link.socket.start();
    return sub;
  }

  private remove(sub: Subscription): void {
    this.reset(sub);
    this.subs.delete(sub.symbol);
    sub.link.symbols.delete(sub.symbol);
    for (const channel of [sub.depth, sub.deals]) {
      this.routes.delete(channel);
      this.retired.add(channel);
    }
    sub.link.socket.unsubscribe([sub.depth, sub.deals]);
    // The first connection stays (it is what `connect` proved); extra ones go when they empty.
    const index = this.links.indexOf(sub.link);
    if (index > 0 && sub.link.symbols.size === 0) {
      this.links.splice(index, 1);
      void sub.link.socket.disconnect();
    }
    this.updateState();
  }

  private linkWithRoom(): Link {
    for (const l of this.links) if (l.symbols.size < SYMBOLS_PER_LINK) return l;
    if (this.links.length >= this.maxLinks)
      throw new EngineError(
        'unavailable',
        `MEXC allows ${MEXC_MAX_CHANNELS} channels per connection (${SYMBOLS_PER_LINK} symbols with book and trades); all ${this.maxLinks} connections are full`,
      );
    const link = this.newLink();
    this.links.push(link);
    return link;
  }

  private newLink(): Link {
    const symbols = new Set<string>();
    const name = `MEXC public-${++this.linkCount}`;
    const link: Link = {
      symbols,
      socket: new MexcSocket({
        ...this.options.socket,
        name,
        clock: this.clock,
        url: () => this.options.url,
        channels: () => {
          const out: string[] = [];
          for (const s of symbols) {
            const sub = this.subs.get(s);
            if (sub) out.push(sub.depth, sub.deals);
          }
          return out;
        },
        onPush: (bytes) => this.onPush(link, bytes),
        onSubscribed: (channels) => this.onSubscribed(channels),
        onRefused: (channels, msg) => this.onRefused(channels, msg),
        onState: (s) => this.onLinkState(link, s),
        onProblem: (reason) => this.notice('warning', 'link_problem', reason),
      }),
    };
    return link;
  }

  // ---- venue answers --------------------------------------------------------------------------

  private onSubscribed(channels: readonly string[]): void {
    for (const channel of channels) {
      const route = this.routes.get(channel);
      // The book's snapshot is taken once its pushes are being buffered (B9 steps 1-2); a channel
      // refused before may be taken after a reconnect.
      const phase = route?.sub.phase;
      if (route?.kind === 'depth' && (phase === 'waiting' || phase === 'refused')) this.resync(route.sub);
    }
  }

  private onRefused(channels: readonly string[], msg: string): void {
    for (const channel of channels) {
      const route = this.routes.get(channel);
      this.notice('warning', 'subscribe_refused', `MEXC refused ${channel}: ${msg}`, route?.sub.symbol);
      if (route?.kind !== 'depth') continue;
      const sub = route.sub;
      this.reset(sub);
      sub.phase = 'refused';
      for (const l of sub.listeners) l.onFeedError?.(`MEXC refused the book channel ${channel}: ${msg}`);
    }
  }

  private onLinkState(link: Link, s: ConnectionState): void {
    // A dropped connection loses pushes: its books wait for the resubscription and a fresh snapshot.
    if (s !== 'connected') for (const symbol of link.symbols) this.reset(this.subs.get(symbol));
    this.updateState();
  }

  // ---- pushes ---------------------------------------------------------------------------------

  private onPush(link: Link, bytes: Uint8Array): void {
    // The book's pushes first take the direct decoder (proto/depth-decoder.ts), which answers only
    // for a frame it reads exactly as the general path below would; every other frame, and any it
    // declines, goes through decodePush and is accepted or refused there.
    const frame = this.depthFrames.scan(bytes);
    if (frame !== null) {
      const route = this.routes.get(frame.channel);
      if (route?.kind === 'depth') {
        const update = depthUpdateFromFrame(route.sub.instrument, frame, this.clock.now());
        if (update !== null) {
          this.onDepth(route.sub, update);
          return;
        }
      }
    }
    let push: PushWrapper;
    try {
      push = decodePush(bytes);
    } catch (err) {
      // It may have been any book's push on this connection: all of them are taken afresh.
      const reason = `MEXC ${err instanceof Error ? err.message : String(err)}`;
      if (link.symbols.size === 0) this.notice('warning', 'bad_venue_frame', reason);
      for (const symbol of link.symbols) {
        const sub = this.subs.get(symbol);
        if (sub) this.bad(sub, reason);
      }
      return;
    }
    const route = this.routes.get(push.channel);
    if (!route) {
      this.unknownChannel(push);
      return;
    }
    const sub = route.sub;
    if (route.kind === 'deals') {
      this.onDeals(sub, push);
      return;
    }
    let update: DepthUpdate;
    try {
      update = depthUpdateFromPush(sub.instrument, push, this.clock.now());
    } catch (err) {
      this.bad(sub, (err as Error).message);
      return;
    }
    this.onDepth(sub, update);
  }

  private onDeals(sub: Subscription, push: PushWrapper): void {
    let trades;
    try {
      trades = tradesFromPush(sub.instrument, push);
    } catch (err) {
      // Trades hold no state to resync: the push is dropped whole and said so.
      this.notice('warning', 'bad_venue_frame', `${(err as Error).message}; trades ignored`, sub.symbol);
      return;
    }
    for (const t of trades) for (const l of sub.listeners) l.onTrade(t);
  }

  private onDepth(sub: Subscription, u: DepthUpdate): void {
    if (sub.phase === 'waiting' || sub.phase === 'snapshot') {
      if (sub.buffer.length >= BUFFER_LIMIT) sub.buffer.shift();
      sub.buffer.push(u);
      return;
    }
    if (sub.phase !== 'live') return;
    const r = step(sub.chain, u);
    if (r.kind === 'stale') return;
    if (r.kind === 'gap') {
      this.notice(
        'warning',
        'book_gap',
        `MEXC ${sub.symbol} book: ${r.reason}; resynced from a fresh snapshot`,
        sub.symbol,
      );
      for (const l of sub.listeners) l.onFeedError?.(`${r.reason}; book resynced`);
      // The push that showed the gap is sound in itself and may continue the next snapshot.
      this.resync(sub, [u]);
      return;
    }
    if (r.delta) this.emit(sub, r.delta);
  }

  private unknownChannel(push: PushWrapper): void {
    if (this.retired.has(push.channel)) return;
    const at = push.channel.lastIndexOf('@');
    // An absent optional decodes as null.
    const named = typeof push.symbol === 'string' ? push.symbol : '';
    const symbol = named !== '' ? named : at >= 0 ? push.channel.slice(at + 1) : '';
    const reason = `MEXC sent a push on ${push.channel}, which we did not subscribe`;
    const sub = this.subs.get(symbol);
    if (sub) this.bad(sub, reason);
    else this.notice('warning', 'unknown_channel', `${reason}; ignored`);
  }

  /** A frame of this symbol's that could not be used: nothing of it applied, the book taken afresh. */
  private bad(sub: Subscription, reason: string): void {
    this.notice('warning', 'bad_venue_frame', `${reason}; book resynced from a fresh snapshot`, sub.symbol);
    for (const l of sub.listeners) l.onFeedError?.(`${reason}; book resynced`);
    // Before the venue confirmed the channels there is nothing to resync yet; a refused book stays so.
    if (sub.phase === 'snapshot' || sub.phase === 'live') this.resync(sub);
  }

  // ---- snapshots ------------------------------------------------------------------------------

  /** Back to buffering, and a fresh snapshot: at once the first time, with backoff after that. */
  private resync(sub: Subscription, buffer: DepthUpdate[] = []): void {
    this.clock.clearTimer(sub.retryTimer);
    sub.retryTimer = undefined;
    sub.phase = 'snapshot';
    sub.buffer = buffer;
    sub.chain = { version: 0, anchored: false };
    const delay = this.retryDelay(sub.retries++);
    if (delay === 0) this.fetch(sub);
    else
      sub.retryTimer = this.clock.setTimeout(() => {
        sub.retryTimer = undefined;
        this.fetch(sub);
      }, delay);
  }

  private fetch(sub: Subscription): void {
    if (this.subs.get(sub.symbol) !== sub || sub.phase !== 'snapshot') return;
    if (sub.inFlight) {
      sub.again = true;
      return;
    }
    sub.inFlight = true;
    sub.again = false;
    this.options.snapshot(sub.symbol).then(
      (snapshot) => this.settle(sub, snapshot, null),
      (err: unknown) => this.settle(sub, null, err instanceof Error ? err.message : String(err)),
    );
  }

  private settle(sub: Subscription, snapshot: DepthSnapshot | null, failure: string | null): void {
    sub.inFlight = false;
    if (this.subs.get(sub.symbol) !== sub || sub.phase !== 'snapshot') return;
    if (sub.again) {
      // Asked for again while this one was on its way (a bad frame, a reconnect): it may predate that.
      this.fetch(sub);
      return;
    }
    let book: BookSnapshot | null = null;
    if (snapshot !== null) {
      try {
        book = bookFromSnapshot(sub.instrument, snapshot, this.clock.now());
      } catch (err) {
        failure = (err as Error).message;
      }
    }
    if (book === null) {
      this.notice(
        'warning',
        'book_snapshot_failed',
        `MEXC ${sub.symbol} depth snapshot: ${failure ?? 'no answer'}; retrying`,
        sub.symbol,
      );
      this.resync(sub, sub.buffer);
      return;
    }
    this.start(sub, book);
  }

  /**
   * The buffered pushes are checked against the snapshot before anything is passed on: if they
   * start after it (the snapshot is older than the stream) or break off, another snapshot is taken
   * and the listeners hear nothing of this one.
   */
  private start(sub: Subscription, book: BookSnapshot): void {
    const chain: Chain = { version: book.seq, anchored: false };
    const deltas: BookDelta[] = [];
    const buffer = sub.buffer;
    for (let i = 0; i < buffer.length; i++) {
      const r = step(chain, buffer[i]!);
      if (r.kind === 'gap') {
        this.notice(
          'info',
          'book_resync',
          `MEXC ${sub.symbol} book: ${r.reason}; taking another snapshot`,
          sub.symbol,
        );
        this.resync(sub, buffer.slice(i));
        return;
      }
      if (r.kind === 'ok' && r.delta) deltas.push(r.delta);
    }
    sub.phase = 'live';
    sub.buffer = [];
    sub.chain = chain;
    sub.retries = 0;
    this.emit(sub, book);
    for (const d of deltas) this.emit(sub, d);
  }

  private retryDelay(retries: number): number {
    if (retries === 0) return 0;
    const { baseMs, maxMs } = this.options.snapshotBackoff ?? { baseMs: 500, maxMs: 30_000 };
    const cap = Math.min(maxMs, baseMs * 2 ** Math.min(retries - 1, 20));
    return Math.round(cap * (0.5 + 0.5 * (this.options.socket?.random ?? Math.random)()));
  }

  /** Forgets a book's progress (a dropped link, a refusal, an unsubscribe): nothing in flight is used. */
  private reset(sub: Subscription | undefined): void {
    if (!sub) return;
    this.clock.clearTimer(sub.retryTimer);
    sub.retryTimer = undefined;
    if (sub.phase !== 'refused') sub.phase = 'waiting';
    sub.buffer = [];
    sub.chain = { version: 0, anchored: false };
    sub.retries = 0;
    // A snapshot still on its way is dropped when it lands (the phase is no longer `snapshot`), or,
    // if a new one is asked meanwhile, replaced by it.
    if (sub.inFlight) sub.again = true;
  }

  private emit(sub: Subscription, message: BookMessage): void {
    for (const l of sub.listeners) l.onBook(message);
  }

  // ---- state ----------------------------------------------------------------------------------

  private updateState(): void {
    if (!this.wanted) {
      this.setState('disconnected');
      return;
    }
    if (this.connecting) return;
    const down = this.links.some((l) => l.symbols.size > 0 && l.socket.connectionState() === 'reconnecting');
    this.setState(down ? 'reconnecting' : 'connected');
  }

  private setState(next: ConnectionState): void {
    if (next === this.state) return;
    this.state = next;
    for (const l of [...this.stateListeners]) l(next);
  }

  private notice(severity: VenueNotice['severity'], code: string, message: string, symbol?: string): void {
    this.options.onNotice(
      symbol === undefined ? { severity, code, message } : { severity, code, message, symbol },
    );
  }
}

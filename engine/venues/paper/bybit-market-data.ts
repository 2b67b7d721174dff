import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import { defineInstrument, type Instrument, type InstrumentSpec } from '../../core/instrument.ts';
import { BYBIT_URLS, type BybitEnv } from '../bybit/bybit-venue.ts';
import type { BybitFeed } from '../bybit/feed.ts';
import { loadInstruments, type BybitCategory } from '../bybit/instruments.ts';
import { createPublicStream } from '../bybit/public-stream.ts';
import { BybitRateLimiter } from '../bybit/rate-limit.ts';
import { BybitRest } from '../bybit/rest-client.ts';
import type { BybitSocket } from '../bybit/socket.ts';
import type { ConnectionState, MarketData, MarketListener, Unsubscribe, VenueNotice } from '../venue.ts';

/**
 * Whose public data paper trading on Bybit follows. Mainnet: no order ever reaches the venue, and
 * mainnet's books and trades are the market the trader will meet; testnet's are thin and erratic.
 * Its URLs still follow configuration (a local simulator), as every environment's do.
 */
export const PAPER_BYBIT_ENV: BybitEnv = 'mainnet';

export interface BybitMarketDataOptions {
  env: BybitEnv;
  clock: Clock;
  /** Spot by default. */
  category?: BybitCategory;
  /** Overrides of the environment's REST base and stream base (a local simulator). */
  restUrl?: string;
  wsUrl?: string;
  timeoutMs?: number;
  /** Order book depth streamed: 1, 50 or 200 levels (50 by default, as the trading adapter). */
  depth?: 1 | 50 | 200;
  pingIntervalMs?: number;
  random?: () => number;
}

interface Listed {
  spec: InstrumentSpec;
  instrument: Instrument;
  trading: boolean;
}

/**
 * Bybit's public market data alone, with no API key: instruments from the public REST listing,
 * books and trades from the public stream, exactly as the trading adapter reads them (the same feed,
 * socket and listing code, see bybit/public-stream.ts and bybit/instruments.ts).
 *
 * Guarantees:
 * - `connect()` reads the listing, then opens the stream; it resolves once both are done, and rejects
 *   with an EngineError (`unavailable` when the venue did not answer) after closing whatever opened.
 *   A later `connect()` reads the listing again.
 * - The state is the stream's: after a drop it goes `reconnecting`, then `connected` once the socket
 *   is back and has resubscribed every symbol (each book starts again from a snapshot).
 * - `subscribeMarket` throws `invalid_input` for a symbol the listing does not carry (so only after
 *   `connect()`); a frame that cannot be used reaches listeners as `onFeedError` and the book is
 *   resubscribed, as on the trading adapter.
 * - Nothing is signed and no order path exists: this object cannot trade.
 */
export class BybitMarketData implements MarketData {
  readonly env: BybitEnv;
  readonly category: BybitCategory;
  private readonly rest: BybitRest;
  private readonly feed: BybitFeed;
  private readonly socket: BybitSocket;
  private readonly listed = new Map<string, Listed>();
  private readonly connectionListeners = new Set<(s: ConnectionState) => void>();
  private readonly noticeListeners = new Set<(n: VenueNotice) => void>();
  private state: ConnectionState = 'disconnected';

  constructor(options: BybitMarketDataOptions) {
    this.env = options.env;
    this.category = options.category ?? 'spot';
    const urls = BYBIT_URLS[options.env];
    this.rest = new BybitRest({
      baseUrl: options.restUrl ?? urls.rest,
      clock: options.clock,
      // Public reads count against no account quota; the limiter is only what the client requires.
      limiter: new BybitRateLimiter(options.clock),
      timeoutMs: options.timeoutMs,
    });
    const stream = createPublicStream({
      wsBase: options.wsUrl ?? urls.publicWs,
      category: this.category,
      depth: options.depth ?? 50,
      clock: options.clock,
      pingIntervalMs: options.pingIntervalMs,
      random: options.random,
      instrument: (symbol) => this.instrumentOf(symbol),
      onState: (s) => this.onSocketState(s),
      notice: (code, message, symbol) => this.notice('warning', code, message, symbol),
    });
    this.feed = stream.feed;
    this.socket = stream.socket;
  }

  async connect(): Promise<void> {
    this.setState('connecting');
    try {
      await this.loadInstruments();
      await this.socket.connect();
    } catch (err) {
      await this.disconnect();
      throw err instanceof EngineError
        ? err
        : new EngineError(
            'unavailable',
            `Bybit ${this.env} public data: ${err instanceof Error ? err.message : String(err)}`,
          );
    }
    this.setState(this.socket.connectionState() === 'connected' ? 'connected' : 'reconnecting');
  }

  async disconnect(): Promise<void> {
    await this.socket.disconnect();
    this.setState('disconnected');
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Frames that could not be used, refused subscriptions, instruments left out of the listing. */
  onNotice(listener: (notice: VenueNotice) => void): Unsubscribe {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /** The instruments trading now, as Bybit lists them (fees: its published base rates, see instruments.ts). */
  instruments(): Promise<InstrumentSpec[]> {
    return Promise.resolve([...this.listed.values()].filter((l) => l.trading).map((l) => ({ ...l.spec })));
  }

  subscribeMarket(symbol: string, listener: MarketListener): Unsubscribe {
    this.instrumentOf(symbol);
    return this.feed.subscribe(symbol, listener);
  }

  private async loadInstruments(): Promise<void> {
    const { instruments, skipped } = await loadInstruments(this.rest, this.category);
    this.listed.clear();
    for (const b of instruments)
      this.listed.set(b.spec.symbol, {
        spec: b.spec,
        instrument: defineInstrument(b.spec),
        trading: b.trading,
      });
    if (skipped.length > 0)
      this.notice(
        'info',
        'instruments_skipped',
        `Bybit listed ${skipped.length} instruments we cannot read: ${skipped.slice(0, 3).join('; ')}`,
      );
  }

  private instrumentOf(symbol: string): Instrument {
    const listed = this.listed.get(symbol);
    if (!listed)
      throw new EngineError('invalid_input', `Bybit ${this.category} lists no instrument ${symbol}`);
    return listed.instrument;
  }

  private onSocketState(socket: ConnectionState): void {
    // The first connect reports its own outcome; afterwards the link is the socket's, which is only
    // `disconnected` once closed for good (no `reconnecting` on the way out).
    if (this.state === 'disconnected' || this.state === 'connecting') return;
    this.setState(
      socket === 'connected' ? 'connected' : socket === 'disconnected' ? 'disconnected' : 'reconnecting',
    );
  }

  private notice(severity: VenueNotice['severity'], code: string, message: string, symbol?: string): void {
    const n: VenueNotice = { severity, code, message, symbol };
    for (const l of this.noticeListeners) l(n);
  }

  private setState(next: ConnectionState): void {
    if (next === this.state) return;
    this.state = next;
    for (const l of [...this.connectionListeners]) l(next);
  }
}

import type { Clock } from '../../core/clock.ts';
import { EngineError } from '../../core/errors.ts';
import type { InstrumentSpec } from '../../core/instrument.ts';
import type { ConnectionState, MarketData, MarketListener, Unsubscribe, VenueNotice } from '../venue.ts';
import { loadListedInstruments, type MexcInstrument } from './instruments.ts';
import { MexcPublicStream, type MexcPublicStreamOptions } from './public-stream.ts';
import { MexcRest } from './rest-client.ts';
import { fetchDepthSnapshot } from './rest-streams.ts';
import { MEXC_URLS } from './urls.ts';

export interface MexcMarketDataOptions {
  clock: Clock;
  restUrl?: string;
  /** The stream's full address (`wss://wbs-api.mexc.com/ws`, or `ws://127.0.0.1:PORT/ws`). */
  wsUrl?: string;
  timeoutMs?: number;
  interval?: MexcPublicStreamOptions['interval'];
  socket?: MexcPublicStreamOptions['socket'];
}

/**
 * MEXC spot's public market data alone, with no API key, for paper trading: the listing from
 * exchangeInfo, books and trades from the public protobuf stream, read by the same code as the
 * trading adapter's (instruments.ts, public-stream.ts).
 *
 * Guarantees:
 * - `connect()` reads the listing, then opens the stream, and resolves once both are done; it
 *   rejects with an EngineError (`unavailable` when the venue did not answer) after closing
 *   whatever opened. A later `connect()` reads the listing again.
 * - `instruments()` lists symbols online and open to spot trading; the API-tradable list is not
 *   read (nothing is traded here), so paper trading may follow a symbol the API could not trade.
 * - `subscribeMarket` throws `invalid_input` for a symbol the listing does not carry.
 * - Nothing is signed and no order path exists: this object cannot trade.
 */
export class MexcMarketData implements MarketData {
  private readonly rest: MexcRest;
  private readonly stream: MexcPublicStream;
  private readonly listed = new Map<string, MexcInstrument>();
  private readonly connectionListeners = new Set<(s: ConnectionState) => void>();
  private readonly noticeListeners = new Set<(n: VenueNotice) => void>();
  private state: ConnectionState = 'disconnected';

  constructor(options: MexcMarketDataOptions) {
    this.rest = new MexcRest({
      baseUrl: options.restUrl ?? MEXC_URLS.rest,
      clock: options.clock,
      timeoutMs: options.timeoutMs,
    });
    this.stream = new MexcPublicStream({
      clock: options.clock,
      url: options.wsUrl ?? MEXC_URLS.ws,
      instrument: (symbol) => this.listed.get(symbol)?.instrument,
      snapshot: (symbol) => fetchDepthSnapshot(this.rest, symbol),
      onNotice: (n) => this.notice(n),
      interval: options.interval,
      socket: options.socket,
    });
    this.stream.onConnection((s) => this.onStreamState(s));
  }

  async connect(): Promise<void> {
    this.setState('connecting');
    try {
      const { instruments, skipped } = await loadListedInstruments(this.rest);
      this.listed.clear();
      for (const i of instruments) this.listed.set(i.spec.symbol, i);
      if (skipped.length > 0) {
        this.notice({
          severity: 'info',
          code: 'instruments_skipped',
          message: `MEXC listed ${skipped.length} symbols we cannot read: ${skipped.slice(0, 3).join('; ')}`,
        });
      }
      await this.stream.connect();
    } catch (err) {
      await this.disconnect();
      throw err instanceof EngineError
        ? err
        : new EngineError(
            'unavailable',
            `MEXC public data: ${err instanceof Error ? err.message : String(err)}`,
          );
    }
    this.setState(this.stream.connectionState() === 'connected' ? 'connected' : 'reconnecting');
  }

  async disconnect(): Promise<void> {
    await this.stream.disconnect();
    this.setState('disconnected');
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  onConnection(listener: (state: ConnectionState) => void): Unsubscribe {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  onNotice(listener: (notice: VenueNotice) => void): Unsubscribe {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  instruments(): Promise<InstrumentSpec[]> {
    return Promise.resolve([...this.listed.values()].filter((l) => l.trading).map((l) => ({ ...l.spec })));
  }

  subscribeMarket(symbol: string, listener: MarketListener): Unsubscribe {
    if (!this.listed.has(symbol))
      throw new EngineError('invalid_input', `MEXC lists no spot symbol ${symbol}`);
    return this.stream.subscribe(symbol, listener);
  }

  private onStreamState(s: ConnectionState): void {
    // The first connect reports its own outcome; afterwards the link is the stream's.
    if (this.state === 'disconnected' || this.state === 'connecting') return;
    this.setState(s === 'connected' ? 'connected' : s === 'disconnected' ? 'disconnected' : 'reconnecting');
  }

  private notice(n: VenueNotice): void {
    for (const l of this.noticeListeners) l(n);
  }

  private setState(next: ConnectionState): void {
    if (next === this.state) return;
    this.state = next;
    for (const l of [...this.connectionListeners]) l(next);
  }
}

import type { Clock } from '../core/clock.ts';
import { EngineError } from '../core/errors.ts';
import type { InstrumentSpec } from '../core/instrument.ts';
import { OrderBook } from '../market/order-book.ts';
import type { RecordedEvent } from '../market/recording-codec.ts';
import type { BookMessage, Trade } from '../market/types.ts';
import type { MarketData, Unsubscribe } from '../venues/venue.ts';
import type { RecordingInfo, RecordingStore, RecordingWriter } from './recordings.ts';

export interface RecorderOptions {
  store: RecordingStore;
  market: MarketData;
  clock: Clock;
  /** The venue's name, kept with the recording. */
  venue: string;
  /** The recording's name; later parts after a rotation are NAME.2, NAME.3… */
  name: string;
  instruments: readonly InstrumentSpec[];
  /** A new part is started once a part holds this many bytes (default 256 MiB). */
  maxBytes?: number;
}

export interface RecorderStatus {
  readonly parts: readonly string[];
  readonly events: number;
  readonly bytes: number;
  readonly since: number;
  /** Events refused by the codec (a venue message it cannot hold); they are counted, not recorded. */
  readonly refused: number;
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Records a venue's market data as it arrives: every book message and public trade of the chosen
 * instruments, with the venue's time and our receive time (the clock's now, in whole ms). It listens
 * to the MarketData directly rather than to the node's bus, because the bus carries the fact that a
 * book changed, not the message: recording needs the message, and needs no strategy running.
 *
 * Each part begins with a book snapshot of every instrument (a rotation writes the books as they
 * stand), so each part replays on its own.
 */
export class MarketRecorder {
  private readonly o: RecorderOptions;
  private writer: RecordingWriter | undefined;
  private readonly books: OrderBook[];
  private readonly parts: string[] = [];
  private offs: Unsubscribe[] = [];
  private startedAt = 0;
  private previous = { events: 0, bytes: 0 };
  private refused = 0;
  private readonly maxBytes: number;

  constructor(options: RecorderOptions) {
    if (options.instruments.length === 0)
      throw new EngineError('invalid_input', 'name the instruments to record');
    this.o = options;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (!(this.maxBytes >= 64 * 1024))
      throw new EngineError('invalid_input', 'a part must be allowed at least 64 KiB');
    this.books = options.instruments.map((i) => new OrderBook(i.symbol, options.clock));
  }

  start(): void {
    if (this.writer) throw new EngineError('conflict', `recording ${this.o.name} is already running`);
    this.startedAt = this.o.clock.now();
    this.writer = this.o.store.create(this.o.name, this.o.venue, this.o.instruments, this.startedAt);
    this.parts.push(this.o.name);
    this.o.instruments.forEach((spec, inst) => {
      this.offs.push(
        this.o.market.subscribeMarket(spec.symbol, {
          onBook: (message) => {
            this.book(inst, message);
          },
          onTrade: (trade) => {
            this.trade(inst, trade);
          },
        }),
      );
    });
  }

  status(): RecorderStatus {
    const w = this.writer;
    return {
      parts: [...this.parts],
      events: this.previous.events + (w?.events ?? 0),
      bytes: this.previous.bytes + (w?.bytes ?? 0),
      since: this.startedAt,
      refused: this.refused,
    };
  }

  /** Stops and completes the current part; returns every part's final description. */
  stop(): RecordingInfo[] {
    for (const off of this.offs) off();
    this.offs = [];
    this.writer?.close();
    this.writer = undefined;
    return this.parts.map((p) => this.o.store.get(p)).filter((i): i is RecordingInfo => i !== undefined);
  }

  private book(inst: number, message: BookMessage): void {
    // Only a book the recorder could follow is kept (a snapshot resets it); what the venue sent is
    // recorded as sent either way, so a replay meets the same gaps the live node met.
    this.books[inst]!.apply(message);
    this.add({ kind: 'book', inst, local: this.now(), message });
  }

  private trade(inst: number, trade: Trade): void {
    this.add({ kind: 'trade', inst, local: this.now(), trade });
  }

  private now(): number {
    return Math.floor(this.o.clock.now());
  }

  private add(ev: RecordedEvent): void {
    const w = this.writer;
    if (!w) return;
    try {
      w.add(ev);
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      this.refused++;
      return;
    }
    if (w.bytes >= this.maxBytes) this.rotate();
  }

  private rotate(): void {
    const old = this.writer!;
    old.close();
    this.previous = { events: this.previous.events + old.events, bytes: this.previous.bytes + old.bytes };
    const name = `${this.o.name}.${this.parts.length + 1}`;
    const at = this.now();
    this.writer = this.o.store.create(name, this.o.venue, this.o.instruments, at);
    this.parts.push(name);
    this.books.forEach((book, inst) => {
      if (book.status() !== 'ok') return;
      this.writer!.add({
        kind: 'book',
        inst,
        local: at,
        message: {
          kind: 'snapshot',
          symbol: this.o.instruments[inst]!.symbol,
          seq: book.seq(),
          ts: book.lastVenueTs() ?? at,
          bids: book.levels('buy', book.levelCount('buy')),
          asks: book.levels('sell', book.levelCount('sell')),
        },
      });
    });
  }
}

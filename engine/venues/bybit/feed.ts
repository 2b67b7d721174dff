import type { Instrument } from '../../core/instrument.ts';
import type { MarketListener, Unsubscribe } from '../venue.ts';
import { decodeBookText } from './book-text.ts';
import { subscribeFrames, text } from './dialects.ts';
import { parseBookFrame, parseTradeFrame } from './messages.ts';

export interface BybitFeedOptions {
  depth: 1 | 50 | 200;
  instrument: (symbol: string) => Instrument;
  /** Sends frames on the public socket (dropped while it is down: the reconnect resubscribes). */
  send: (frames: string[]) => void;
  notice: (code: string, message: string, symbol?: string) => void;
}

interface Subscription {
  instrument: Instrument;
  listeners: Set<MarketListener>;
}

/**
 * The public stream's subscriptions and frame routing: `orderbook.{depth}.{symbol}` and
 * `publicTrade.{symbol}` per subscribed symbol. A frame that does not parse (bad JSON fields, a price
 * off the tick grid, a wrong symbol) is applied to nothing: the listeners hear `onFeedError`, and
 * the book topic is subscribed again so the venue sends a fresh snapshot.
 */
export class BybitFeed {
  private readonly options: BybitFeedOptions;
  private readonly subs = new Map<string, Subscription>();

  constructor(options: BybitFeedOptions) {
    this.options = options;
  }

  topics(): string[] {
    const out: string[] = [];
    for (const symbol of this.subs.keys()) out.push(this.bookTopic(symbol), `publicTrade.${symbol}`);
    return out;
  }

  subscribe(symbol: string, listener: MarketListener): Unsubscribe {
    let sub = this.subs.get(symbol);
    if (!sub) {
      sub = { instrument: this.options.instrument(symbol), listeners: new Set() };
      this.subs.set(symbol, sub);
      this.options.send(subscribeFrames('subscribe', [this.bookTopic(symbol), `publicTrade.${symbol}`]));
    } else {
      // A second subscriber (or a desk resubscribing for a fresh snapshot) needs a snapshot too.
      this.resubscribeBook(symbol);
    }
    sub.listeners.add(listener);
    return () => {
      const s = this.subs.get(symbol);
      if (!s) return;
      s.listeners.delete(listener);
      if (s.listeners.size > 0) return;
      this.subs.delete(symbol);
      this.options.send(subscribeFrames('unsubscribe', [this.bookTopic(symbol), `publicTrade.${symbol}`]));
    };
  }

  /**
   * A book frame decoded from its text where it has exactly Bybit's shape (see book-text.ts); false
   * for anything else (trades, acks, a frame it does not take), which then goes through JSON.parse.
   */
  onText(text: string): boolean {
    // Cheap test before any decoding: book frames start with their topic.
    if (!text.startsWith('{"topic":"orderbook.')) return false;
    const end = text.indexOf('"', 20);
    const symbol = text.slice(text.lastIndexOf('.', end) + 1, end);
    const sub = this.subs.get(symbol);
    if (!sub) return false;
    const decoded = decodeBookText(sub.instrument, text);
    if (decoded === null || decoded.topic !== this.bookTopic(symbol)) return false;
    for (const l of sub.listeners) l.onBook(decoded.message);
    return true;
  }

  onFrame(frame: Record<string, unknown>): void {
    const topic = frame.topic;
    if (typeof topic !== 'string') {
      if (frame.op === 'subscribe' && frame.success === false)
        this.options.notice('subscribe_refused', `Bybit refused a subscription: ${text(frame.ret_msg, '')}`);
      return;
    }
    const dot = topic.lastIndexOf('.');
    const symbol = topic.slice(dot + 1);
    const sub = this.subs.get(symbol);
    if (topic.startsWith('orderbook.')) {
      if (!sub || topic !== this.bookTopic(symbol)) {
        this.unknown(topic);
        return;
      }
      let message;
      try {
        message = parseBookFrame(sub.instrument, frame);
      } catch (err) {
        this.bad(symbol, sub, (err as Error).message);
        return;
      }
      for (const l of sub.listeners) l.onBook(message);
      return;
    }
    if (topic.startsWith('publicTrade.')) {
      if (!sub) {
        this.unknown(topic);
        return;
      }
      let trades;
      try {
        trades = parseTradeFrame(sub.instrument, frame);
      } catch (err) {
        this.options.notice('bad_venue_frame', `${(err as Error).message}; trades ignored`, symbol);
        return;
      }
      for (const t of trades) for (const l of sub.listeners) l.onTrade(t);
      return;
    }
    this.unknown(topic);
  }

  /**
   * A frame on the public stream that could not be read at all (not JSON, too large): it may have
   * been any book's delta, so every book is taken afresh.
   */
  onUnreadable(reason: string): void {
    if (this.subs.size === 0) {
      this.options.notice('bad_venue_frame', reason);
      return;
    }
    for (const [symbol, sub] of this.subs) this.bad(symbol, sub, reason);
  }

  /** The listeners raise the alert and reset their books; the venue is asked for a fresh snapshot. */
  private bad(symbol: string, sub: Subscription, reason: string): void {
    for (const l of sub.listeners) l.onFeedError?.(`${reason}; book resubscribed`);
    this.resubscribeBook(symbol);
  }

  private unknown(topic: string): void {
    this.options.notice(
      'unknown_topic',
      `Bybit sent a frame for ${topic}, which we did not subscribe; ignored`,
    );
  }

  private resubscribeBook(symbol: string): void {
    const topic = this.bookTopic(symbol);
    this.options.send([...subscribeFrames('unsubscribe', [topic]), ...subscribeFrames('subscribe', [topic])]);
  }

  private bookTopic(symbol: string): string {
    return `orderbook.${this.options.depth}.${symbol}`;
  }
}
